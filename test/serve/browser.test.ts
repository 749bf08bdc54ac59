/**
 * The explorer in a real browser (the system's Chromium through playwright-core), over a database made by a
 * real `metacrawl crawl` of a local site plus one page full of script and attribute injections.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorer } from '../../src/serve/server.js';
import { openDb } from '../../src/store/db.js';
import { type Site, startSite } from '../../tools/site.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts/explorer');
// The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1 npm test), so a test run never
// changes tracked files.
const DOCS = join(ROOT, 'docs/screenshots');
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === '1';
const SKIP_NOTE = hasChromium
  ? ''
  : ` [skipped: no Chromium at ${CHROMIUM}; install the Debian package chromium]`;

/** Every payload sets window.__xss or opens a dialog if it ever runs. */
const XSS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;"&gt;&lt;img src=x onerror="window.__xss=2"&gt;</title>
<meta name="description" content='"><script>window.__xss=3;alert(3)</script><svg onload="window.__xss=4">'>
<meta property="og:title" content="&quot;&gt;&lt;img src=x onerror=window.__xss=5&gt;">
<meta property="og:url" content="javascript:window.__xss=6">
<meta property="og:image" content="javascript:window.__xss=7">
<meta name="twitter:site" content="&lt;/title&gt;&lt;script&gt;window.__xss=8&lt;/script&gt;">
<link rel="canonical" href="javascript:window.__xss=9">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","name":"\\u003c/script\\u003e\\u003cscript\\u003ewindow.__xss=10;alert(10)\\u003c/script\\u003e","description":"\\"><img src=x onerror=window.__xss=11>"}</script>
</head><body>
<a href="javascript:window.__xss=12">&lt;img src=x onerror="window.__xss=13"&gt;click me</a>
<a href="JaVaScRiPt:alert(14)">second</a>
<a href="/page/ok" onclick="window.__xss=15">&lt;/a&gt;&lt;script&gt;window.__xss=16&lt;/script&gt;</a>
<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">&lt;/pre&gt;&lt;script&gt;window.__xss=17&lt;/script&gt;</span></div>
<!-- ${'x'.repeat(70_000)} -->
</body></html>`;

/** The crawl's own fields: a value with a payload, every link's text, and a rule that fails on the page above. */
const EXTRACT = [
  '--extract',
  'desc=css:meta[name=description]@content',
  '--extract',
  'anchors[]=css:a',
  '--extract',
  'huge=regex:(x{65537,})',
  '--microdata',
];

describe('the explorer in a browser', () => {
  let dir: string;
  let site: Site;
  let evil: TestServer;
  let dbPath: string;
  let explorer: { url: string; close(): Promise<void> };
  let browser: Browser;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) return;
    dir = mkdtempSync(join(tmpdir(), 'metacrawl-explorer-'));
    dbPath = join(dir, 'crawl.db');
    site = await startSite({ hosts: 2, pagesPerHost: 6, firstOctet: 71, linksPerPage: 3 });
    evil = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.url === '/xss' ? XSS_PAGE : '<title>ok</title>');
    }, '127.0.0.79');
    const seeds = join(dir, 'seeds.txt');
    writeFileSync(seeds, `${[...site.urls, `${evil.origin}/xss`].join('\n')}\n`);
    const res = await runCli([
      'crawl',
      seeds,
      '--crawl',
      'explorer',
      '--allow-private',
      '--db',
      dbPath,
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--no-progress',
      '--host-rate',
      '0',
      ...EXTRACT,
    ]);
    expect(res.code, res.stderr).toBe(0);
    explorer = await startExplorer({ dbPath, port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    if (UPDATE_DOCS) mkdirSync(DOCS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await explorer?.close();
    await site?.close();
    await evil?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  async function shot(page: Page, name: string, docs = false): Promise<void> {
    const path = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    if (docs && UPDATE_DOCS) copyFileSync(path, join(DOCS, `${name}.png`));
  }

  it.skipIf(!hasChromium)(`clicks through crawls → crawl → page → "linked from"${SKIP_NOTE}`, async () => {
    const page = await newPage();
    await page.goto(explorer.url);
    await expect(page.locator('h1').textContent()).resolves.toBe('Crawls');
    await shot(page, 'crawls', true);

    await page.getByRole('link', { name: 'explorer', exact: true }).click();
    await page.waitForURL(/\/crawl\/explorer$/);
    expect(await page.locator('figure.chart').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#pages tbody tr').count()).toBe(site.urls.length + 1);
    await shot(page, 'crawl', true);

    // Filter on one host with the form, sort by the title header, then open a page.
    const host = new URL(site.urls[0]).host;
    await page.fill('input[name=host]', host);
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/host=/);
    expect(await page.locator('#pages tbody tr').count()).toBe(6);
    await page.locator('#pages thead a', { hasText: 'Title' }).click();
    await page.waitForURL(/sort=title/);
    const titles = await page.locator('#pages tbody tr td:nth-child(3)').allTextContents();
    expect(titles).toEqual([...titles].sort());
    await page
      .locator('#pages tbody a', { hasText: `${site.urls[0]}` })
      .first()
      .click();
    await page.waitForURL(/\/page\/\d+$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Host 0 page 0');
    expect(await page.locator('dl.fields dt', { hasText: 'Open Graph Title' }).count()).toBe(1);
    expect(await page.locator('#meta tbody tr').count()).toBeGreaterThan(5);
    await shot(page, 'page', true);

    // site.ts links page i to pages i+1..i+3 of the same host, so page 0 is linked from pages 3, 4 and 5.
    const from = page.locator('#linked-from tbody a');
    expect((await from.allTextContents()).sort()).toEqual(
      [3, 4, 5].map((i) => `${new URL(site.urls[0]).origin}/page/${i}`).sort(),
    );
    await from.first().click();
    await page.waitForURL(/\/page\/\d+$/);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/Host 0 page [345]/);
    await page.close();
  });

  it.skipIf(!hasChromium)(
    `runs the SQL box, its examples, and downloads CSV and JSON${SKIP_NOTE}`,
    async () => {
      const page = await newPage();
      await page.goto(explorer.url);
      await page.getByRole('link', { name: 'SQL', exact: true }).click();
      await page.waitForURL(/\/sql$/);
      await page.getByRole('link', { name: 'Pages per host (top 20)' }).click();
      await page.waitForURL(/\/sql\?q=/);
      expect(await page.locator('#result thead th').allTextContents()).toEqual(['host', 'pages']);
      expect(await page.locator('#result tbody tr').count()).toBe(3);

      await page.fill(
        'textarea[name=q]',
        "SELECT url, status FROM pages WHERE url LIKE '%/page/%' ORDER BY url",
      );
      await page.click('form.sql button');
      await page.waitForURL(/\/sql\?q=SELECT/);
      expect(await page.locator('#result tbody tr').count()).toBe(site.urls.length);
      await shot(page, 'sql', true);

      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#dl-csv')]);
      const csvPath = join(dir, 'q.csv');
      await csv.saveAs(csvPath);
      const lines = readFileSync(csvPath, 'utf8').trimEnd().split('\r\n');
      expect(lines[0]).toBe('url,status');
      expect(lines.length).toBe(site.urls.length + 1);
      const [json] = await Promise.all([page.waitForEvent('download'), page.click('#dl-json')]);
      const jsonPath = join(dir, 'q.json');
      await json.saveAs(jsonPath);
      expect(JSON.parse(readFileSync(jsonPath, 'utf8'))).toHaveLength(site.urls.length);

      await page.fill('textarea[name=q]', 'DELETE FROM pages');
      await page.click('form.sql button');
      await expect(page.locator('#sql-error').textContent()).resolves.toContain('read-only');
      const db = openDb(dbPath, { readonly: true });
      expect(db.prepare('SELECT count(*) FROM pages').pluck().get()).toBe(site.urls.length + 1);
      db.close();
      await page.close();
    },
  );

  it.skipIf(!hasChromium)(`downloads the crawl's exports from its view${SKIP_NOTE}`, async () => {
    const page = await newPage();
    await page.goto(new URL('/crawl/explorer', explorer.url).href);
    await page.locator('#crawl-tabs').getByRole('link', { name: 'Export', exact: true }).click();
    await page.waitForURL(/#export$/);
    expect(await page.locator('#exports a').count()).toBe(22);
    const save = async (file: string) => {
      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#exports a[data-export="${file}"]`),
      ]);
      expect(dl.suggestedFilename()).toBe(`explorer-${file}`);
      const path = join(dir, file);
      await dl.saveAs(path);
      return readFileSync(path);
    };
    const rows = parse(await save('pages.csv'), { columns: true }) as { url: string }[];
    expect(rows.map((r) => r.url).sort()).toEqual([...site.urls, `${evil.origin}/xss`].sort());
    const docs = gunzipSync(await save('nested.jsonl.gz'))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toHaveLength(site.urls.length + 1);
    expect(docs.find((d) => d.url.endsWith('/xss')).links.length).toBeGreaterThan(0);
    await page.close();
  });

  it.skipIf(!hasChromium)(`opens the audit tab, a check and its findings${SKIP_NOTE}`, async () => {
    const db = openDb(dbPath, { readonly: true });
    const checks = db.prepare('SELECT count(*) FROM audit_checks').pluck().get() as number;
    const xssId = db.prepare("SELECT id FROM pages WHERE url LIKE '%/xss'").pluck().get() as number;
    db.close();
    const page = await newPage();
    await page.goto(new URL('/crawl/explorer', explorer.url).href);
    await page.locator('#crawl-tabs').getByRole('link', { name: 'Audit', exact: true }).click();
    await page.waitForURL(/\/crawl\/explorer\/audit$/);
    expect(await page.locator('#audit tbody tr').count()).toBe(checks);
    const tooLong = page.locator('#audit tbody tr[data-check="title-too-long"]');
    await expect(tooLong.locator('td').nth(2).textContent()).resolves.toBe('1');
    await shot(page, 'audit');
    await tooLong.getByRole('link').click();
    await page.waitForURL(/\/audit\/title-too-long$/);
    const row = page.locator('#findings tbody tr');
    expect(await row.count()).toBe(1);
    await expect(row.locator('td.details').textContent()).resolves.toContain(
      '<script>window.__xss=1;alert(1)</script>',
    );
    await row.locator('td.url a').click();
    await page.waitForURL(new RegExp(`/page/${xssId}$`));
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    await page.close();
  });

  it.skipIf(!hasChromium)(
    `never runs script or attribute injections from a crawled page${SKIP_NOTE}`,
    async () => {
      const db = openDb(dbPath, { readonly: true });
      const id = db.prepare("SELECT id FROM pages WHERE url LIKE '%/xss'").pluck().get() as number;
      db.close();
      const page = await newPage();
      const views = [
        `/page/${id}`,
        '/crawl/explorer',
        '/crawl/explorer?q=xss&thumbs=1',
        `/sql?q=${encodeURIComponent('SELECT e.rule, e.value, m.json, p.extract_errors FROM pages p LEFT JOIN extracts e ON e.page_id = p.id LEFT JOIN microdata m ON m.page_id = p.id')}`,
        '/crawl/explorer/audit/title-too-long',
        `/sql?q=${encodeURIComponent('SELECT p.title, p.description, p.og_title, p.og_url, p.canonical, m.key, m.content, l.url, l.text, j.json FROM pages p LEFT JOIN meta m ON m.page_id = p.id LEFT JOIN links l ON l.page_id = p.id LEFT JOIN jsonld j ON j.page_id = p.id')}`,
      ];
      for (const view of views) {
        await page.goto(new URL(view, explorer.url).href);
        // Hover and click everything a payload could hide behind, then give any handler a moment to run.
        const bait = await page.locator('td, h1, dd, a', { hasText: /__xss|onerror|onload|onclick/ }).all();
        for (const el of bait.slice(0, 25)) await el.hover({ timeout: 300 }).catch(() => {});
        await page.waitForTimeout(200);
        expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss), view).toBeUndefined();
        const liveJs = await page.evaluate(
          () =>
            [...document.querySelectorAll('[href], [src], [action]')].filter((e) =>
              /^\s*(javascript|data|vbscript):/i.test(
                e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action') ?? '',
              ),
            ).length,
        );
        expect(liveJs, view).toBe(0);
        const handlers = await page.evaluate(
          () =>
            [...document.querySelectorAll('*')].filter((e) =>
              [...e.attributes].some((a) => /^on/i.test(a.name)),
            ).length,
        );
        expect(handlers, view).toBe(0);
        expect(await page.locator('script').count(), view).toBe(1);
      }
      await page.goto(new URL(`/page/${id}`, explorer.url).href);
      // The payloads are shown as text, exactly as crawled.
      await expect(page.locator('h1').textContent()).resolves.toBe('"><img src=x onerror=window.__xss=5>');
      await expect(page.locator('dl.fields dd').first().textContent()).resolves.toBe(
        '<script>window.__xss=1;alert(1)</script>"><img src=x onerror="window.__xss=2">',
      );
      await expect(page.locator('pre.json').first().textContent()).resolves.toContain(
        '</script><script>window.__xss=10;alert(10)</script>',
      );
      // The crawl's own fields, by rule name: values as crawled, every match of a [] rule, the failed rule's reason.
      const rule = (name: string) =>
        page.locator('#extracts tbody tr', { has: page.locator(`th:text-is("${name}")`) });
      await expect(page.locator('#extracts tbody th').allTextContents()).resolves.toEqual([
        'anchors',
        'desc',
        'huge',
      ]);
      await expect(rule('desc').locator('td').textContent()).resolves.toBe(
        '"><script>window.__xss=3;alert(3)</script><svg onload="window.__xss=4">',
      );
      await expect(rule('anchors').locator('li').allTextContents()).resolves.toEqual([
        '<img src=x onerror="window.__xss=13">click me',
        'second',
        '</a><script>window.__xss=16</script>',
      ]);
      await expect(rule('huge').locator('.tag.bad').textContent()).resolves.toBe('failed');
      await expect(rule('huge').locator('.reason').textContent()).resolves.toBe(
        'value of 70000 characters is longer than 65536',
      );
      await expect(page.locator('#microdata h3').textContent()).resolves.toBe(
        'Item 1 · https://schema.org/Product',
      );
      await expect(page.locator('#microdata pre.json').textContent()).resolves.toContain(
        '"name": [\n      "</pre><script>window.__xss=17</script>"',
      );
      // A page of the same crawl where no rule matched shows "no match", and no microdata section.
      const db2 = openDb(dbPath, { readonly: true });
      const plainId = db2.prepare('SELECT id FROM pages WHERE url = ?').pluck().get(site.urls[0]) as number;
      db2.close();
      await page.goto(new URL(`/page/${plainId}`, explorer.url).href);
      await expect(rule('huge').locator('td').textContent()).resolves.toBe('no match');
      await expect(page.locator('#microdata').count()).resolves.toBe(0);
      await page.goto(new URL(`/page/${id}`, explorer.url).href);
      await shot(page, 'xss-page');
      expect(dialogs).toEqual([]);
      expect(cspViolations).toEqual([]);
      await page.close();
    },
  );
});
