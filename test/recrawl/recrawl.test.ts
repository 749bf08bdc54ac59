/**
 * Re-crawls against a local site whose pages change between crawls in known ways: conditional requests
 * (ETag, Last-Modified), hashes deciding when the server ignores validators, body-only changes, added and
 * removed URLs, rows sharing the earlier crawl's links/meta/JSON-LD, `diff` in every format against the planted
 * changes, --trust-lastmod, and an interrupted re-crawl resumed. One crawl pair serves most assertions.
 * Commands run through the CLI's main() in-process; the interrupted crawl is a real process (SIGINT, exit 130).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainFrontier } from '../../src/frontier/drain.js';
import { startExplorer } from '../../src/serve/server.js';
import type { CrawlJobData } from '../../src/types.js';
import { crawlArgs, startCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';
let phase = 1;
let served = 0;
let hold: Promise<void> | null = null;
let release: () => void = () => {};

function html(o: {
  title: string;
  ogDesc: string;
  ogImage: string;
  links: string[];
  type: string;
  extra?: string;
}) {
  return `<!doctype html><html lang="en"><head><title>${o.title}</title>
<meta name="description" content="plain description">
<meta property="og:title" content="${o.title}">
<meta property="og:description" content="${o.ogDesc}">
<meta property="og:image" content="${o.ogImage}">
<meta name="twitter:card" content="summary">
<link rel="canonical" href="/canonical">
<script type="application/ld+json">{"@type": "${o.type}", "name": "${o.title}"}</script>
</head><body><h1>${o.title}</h1>${o.links.map((l) => `<a href="${l}">to ${l}</a>`).join(' ')}${o.extra ?? ''}</body></html>`;
}

function basic(path: string): string {
  return html({
    title: `Page ${path}`,
    ogDesc: `about ${path}`,
    ogImage: `/img${path}.png`,
    links: ['/a', '/b', '/c'],
    type: 'Product',
  });
}

async function handler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  const send = (body: string, headers: Record<string, string> = {}) => {
    served++;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  };
  if (path === '/robots.txt') {
    res.writeHead(404);
    res.end();
    return;
  }
  if (path === '/changed' && hold) await hold;
  switch (path) {
    case '/etag': {
      if (req.headers['if-none-match'] === '"e1"') {
        res.writeHead(304, { etag: '"e1"' });
        res.end();
        return;
      }
      return send(basic(path), { etag: '"e1"' });
    }
    case '/lm': {
      const ims = req.headers['if-modified-since'];
      if (ims && Date.parse(ims) >= Date.parse(LAST_MODIFIED)) {
        res.writeHead(304);
        res.end();
        return;
      }
      return send(basic(path), { 'last-modified': LAST_MODIFIED });
    }
    case '/ignore':
      return send(basic(path), { etag: '"i1"' });
    case '/bodyonly':
      return send(`${basic(path)}<!-- request ${served} at ${Date.now()} -->`);
    case '/changed':
      return send(
        phase === 1
          ? basic(path)
          : html({
              title: 'Changed v2',
              ogDesc: `about ${path}`,
              ogImage: '/img/new.png',
              links: ['/a', '/b', '/z'],
              type: 'Article',
            }),
      );
    case '/etag-changed': {
      const tag = `"v${phase}"`;
      if (req.headers['if-none-match'] === tag) {
        res.writeHead(304, { etag: tag });
        res.end();
        return;
      }
      const page = phase === 1 ? basic(path) : basic(path).replace(`about ${path}`, 'rewritten');
      return send(page, { etag: tag });
    }
    default:
      return send(basic(path));
  }
}

let server: TestServer;
let dir: string;
let db: string;
const prefix = testPrefix();
const KEPT = ['/etag', '/lm', '/ignore', '/plain', '/bodyonly', '/changed', '/etag-changed'];

function seedFile(name: string, paths: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, `${paths.map((p) => server.origin + p).join('\n')}\n`);
  return f;
}

function args(crawl: string, ...more: string[]): string[] {
  return crawlArgs(
    { crawl, db, prefix },
    ...['--log-level', 'warn', '--workers', '1', '--host-rate', '0', '--host-concurrency', '0', ...more],
  );
}

type Row = Record<string, unknown> & { id: number; url: string };

function open() {
  return new Database(db, { readonly: true });
}

function pages(crawl: string): Map<string, Row> {
  const d = open();
  try {
    const rows = d
      .prepare('SELECT p.* FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?')
      .all(crawl) as Row[];
    return new Map(rows.map((r) => [r.url.slice(server.origin.length), r]));
  } finally {
    d.close();
  }
}

/** What a page answers through the views, as a user would ask. */
function children(pageId: number) {
  const d = open();
  try {
    return {
      links: d
        .prepare('SELECT position, url, text, rel, target FROM links WHERE page_id = ? ORDER BY position')
        .all(pageId),
      meta: d
        .prepare('SELECT position, attr, key, content FROM meta WHERE page_id = ? ORDER BY position')
        .all(pageId),
      jsonld: d
        .prepare('SELECT position, type, json, valid FROM jsonld WHERE page_id = ? ORDER BY position')
        .all(pageId),
      types: d
        .prepare('SELECT type FROM page_jsonld_types WHERE page_id = ? ORDER BY type')
        .pluck()
        .all(pageId),
    };
  } finally {
    d.close();
  }
}

function ownRows(pageId: number): number {
  const d = open();
  try {
    return ['link_lists', 'meta_lists', 'jsonld_rows', 'jsonld_type_rows']
      .map((t) => d.prepare(`SELECT count(*) FROM ${t} WHERE page_id = ?`).pluck().get(pageId) as number)
      .reduce((a, b) => a + b, 0);
  } finally {
    d.close();
  }
}

let logB: typeof server.log = [];

beforeAll(async () => {
  server = await startServer(handler);
  dir = mkdtempSync(join(tmpdir(), 'mc-recrawl-'));
  db = join(dir, 'r.db');
  const a = await runMain(['crawl', seedFile('a.txt', [...KEPT, '/removed']), ...args('a')]);
  expect(a.code, a.stderr).toBe(0);
  phase = 2;
  const before = server.log.length;
  const b = await runMain(['crawl', seedFile('b.txt', [...KEPT, '/added']), ...args('b', '--since', 'a')]);
  expect(b.code, b.stderr).toBe(0);
  logB = server.log.slice(before);
}, 120_000);

afterAll(async () => {
  release();
  await server?.close();
});

describe('a crawl --since an earlier one', () => {
  it('stores hashes of every fetched page', () => {
    const a = pages('a');
    expect(a.size).toBe(8);
    for (const r of a.values()) {
      expect(r.body_hash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.meta_hash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.unchanged).toBeNull();
    }
    // Same metadata, different bodies.
    expect(a.get('/plain')?.meta_hash).not.toBe(a.get('/etag')?.meta_hash);
  });

  it('sends the earlier validators: ETag as If-None-Match, Last-Modified as If-Modified-Since', () => {
    const h = (p: string) => logB.find((l) => l.path === p)?.headers ?? {};
    expect(h('/etag')['if-none-match']).toBe('"e1"');
    expect(h('/lm')['if-modified-since']).toBe(LAST_MODIFIED);
    expect(h('/ignore')['if-none-match']).toBe('"i1"');
    expect(h('/plain')['if-none-match']).toBeUndefined();
    expect(h('/added')['if-none-match']).toBeUndefined();
  });

  it('a 304 row answers every query as the earlier crawl did, with no child rows of its own', () => {
    const a = pages('a');
    const b = pages('b');
    for (const p of ['/etag', '/lm']) {
      const ra = a.get(p) as Row;
      const rb = b.get(p) as Row;
      expect(rb.status).toBe(304);
      expect(rb.bytes).toBe(0);
      expect(rb.unchanged).toBe(1);
      expect(rb.unchanged_reason).toBe('not-modified');
      expect(rb.content_of).toBe(ra.id);
      expect(rb.since_page).toBe(ra.id);
      for (const c of [
        'title',
        'description',
        'canonical',
        'og_image',
        'og_title',
        'twitter_card',
        'best_title',
        'jsonld_types',
        'links_count',
        'jsonld_count',
        'meta_hash',
        'body_hash',
        'content_type',
        'lang',
        // The audit's fields too: a 304 page is not "missing its h1" in the re-crawl's audit.
        'h1',
        'h1_count',
        'word_count',
        'text_hash',
        'simhash',
        'img_count',
      ])
        expect(rb[c], `${p} ${c}`).toEqual(ra[c]);
      expect(rb.h1).not.toBeNull();
      expect(rb.word_count).toBeGreaterThan(0);
      expect(rb.title).toBe(`Page ${p}`);
      const ca = children(ra.id);
      expect(ca.links.length).toBe(3);
      expect(ca.meta.length).toBeGreaterThan(4);
      expect(ca.types).toEqual(['Product']);
      expect(children(rb.id)).toEqual(ca);
      expect(ownRows(rb.id)).toBe(0);
    }
  });

  it('a server ignoring validators: the same body is not extracted again, the hashes decide', () => {
    const a = pages('a');
    const b = pages('b');
    for (const p of ['/ignore', '/plain']) {
      const rb = b.get(p) as Row;
      expect(rb.status).toBe(200);
      expect(rb.unchanged).toBe(1);
      expect(rb.unchanged_reason).toBe('same-body');
      expect(rb.content_of).toBe(a.get(p)?.id);
      expect(rb.title).toBe(`Page ${p}`);
      expect(children(rb.id)).toEqual(children(a.get(p)?.id as number));
      expect(ownRows(rb.id)).toBe(0);
    }
  });

  it('a body-only change is not a metadata change', () => {
    const ra = pages('a').get('/bodyonly') as Row;
    const rb = pages('b').get('/bodyonly') as Row;
    expect(rb.body_hash).not.toBe(ra.body_hash);
    expect(rb.meta_hash).toBe(ra.meta_hash);
    expect(rb.unchanged).toBe(1);
    expect(rb.unchanged_reason).toBe('same-metadata');
    expect(rb.content_of).toBe(ra.id);
    expect(ownRows(rb.id)).toBe(0);
    expect(children(rb.id)).toEqual(children(ra.id));
  });

  it('changed pages own their new rows; an added URL has nothing to compare with', () => {
    const b = pages('b');
    for (const p of ['/changed', '/etag-changed']) {
      const rb = b.get(p) as Row;
      expect(rb.status).toBe(200);
      expect(rb.unchanged).toBe(0);
      expect(rb.content_of).toBeNull();
      expect(rb.since_page).toBe(pages('a').get(p)?.id);
      expect(ownRows(rb.id)).toBeGreaterThan(0);
    }
    expect(b.get('/changed')?.title).toBe('Changed v2');
    expect(children(b.get('/changed')?.id as number).types).toEqual(['Article']);
    expect(b.get('/added')?.unchanged).toBeNull();
    expect(b.has('/removed')).toBe(false);
  });

  it('the links of crawl B, as the README writes the query, include the unchanged pages', () => {
    const d = open();
    try {
      const n = (crawl: string) =>
        d
          .prepare(
            `SELECT count(*) FROM links l JOIN pages p ON p.id = l.page_id
             WHERE p.crawl_id = (SELECT id FROM crawls WHERE name = ?)`,
          )
          .pluck()
          .get(crawl);
      expect(n('a')).toBe(8 * 3);
      expect(n('b')).toBe(8 * 3);
      const linkedFrom = d
        .prepare(
          `SELECT count(*) FROM links l JOIN pages p ON p.id = l.page_id
           WHERE l.target = ? AND p.crawl_id = (SELECT id FROM crawls WHERE name = 'b')`,
        )
        .pluck()
        .get(`${server.origin}/c`);
      expect(linkedFrom).toBe(7); // every page of b but /changed
      const products = d
        .prepare(
          `SELECT count(*) FROM pages p JOIN page_jsonld_types t ON t.page_id = p.id
           WHERE t.type = 'Product' AND p.crawl_id = (SELECT id FROM crawls WHERE name = 'b')`,
        )
        .pluck()
        .get();
      expect(products).toBe(7);
    } finally {
      d.close();
    }
  });
});

describe('metacrawl diff', () => {
  const planted = {
    '/added': 'added',
    '/removed': 'removed',
    '/changed': 'changed',
    '/etag-changed': 'changed',
  };

  let json: {
    from: string;
    to: string;
    pages: { url: string; change: string; fields: Record<string, unknown> }[];
  };

  it('--format json: every added, removed and changed page with its field changes, nothing else', async () => {
    const r = await runMain(['diff', 'a', 'b', '--db', db, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    json = JSON.parse(r.stdout);
    const out = json;
    expect(out.from).toBe('a');
    expect(out.to).toBe('b');
    const byPath = Object.fromEntries(out.pages.map((p) => [p.url.slice(server.origin.length), p]));
    expect(
      Object.fromEntries(Object.entries(byPath).map(([k, v]) => [k, (v as { change: string }).change])),
    ).toEqual(planted);
    expect(byPath['/added'].fields).toEqual({});
    expect(byPath['/etag-changed'].fields).toEqual({
      og_description: ['about /etag-changed', 'rewritten'],
      best_description: ['about /etag-changed', 'rewritten'],
    });
    const f = byPath['/changed'].fields as Record<string, unknown>;
    expect(f.title).toEqual(['Page /changed', 'Changed v2']);
    expect(f.og_title).toEqual(['Page /changed', 'Changed v2']);
    expect(f.og_image).toEqual(['/img/changed.png', '/img/new.png']);
    expect(f.jsonld_types).toEqual(['Product', 'Article']);
    expect(f.links).toEqual({ added: 1, removed: 1 });
    expect(f.status).toBeUndefined();
  });

  it('--format csv and table say the same; --only and --field restrict', async () => {
    const expected = new Set<string>();
    for (const p of json.pages) {
      const fields = Object.keys(p.fields);
      if (fields.length === 0) expected.add(`${p.url},${p.change},`);
      for (const f of fields) expected.add(`${p.url},${p.change},${f}`);
    }
    const csv = await runMain(['diff', 'a', 'b', '--db', db, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('url,change,field,old,new');
    expect(new Set(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(',')))).toEqual(expected);
    expect(lines).toContain(`${server.origin}/changed,changed,title,Page /changed,Changed v2`);
    expect(lines).toContain(`${server.origin}/changed,changed,links,-1,+1`);

    const table = await runMain(['diff', 'a', 'b', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\/added\s+\|\s*added/);
    expect(table.stderr).toContain('a → b: 1 added, 1 removed, 2 changed');

    const only = JSON.parse(
      (await runMain(['diff', 'a', 'b', '--db', db, '--format', 'json', '--only', 'added'])).stdout,
    );
    expect(only.pages.map((p: { url: string }) => p.url)).toEqual([`${server.origin}/added`]);
    const field = JSON.parse(
      (
        await runMain([
          'diff',
          'a',
          'b',
          '--db',
          db,
          '--format',
          'json',
          '--field',
          'title',
          '--only',
          'changed',
        ])
      ).stdout,
    );
    expect(field.pages).toEqual([
      {
        url: `${server.origin}/changed`,
        change: 'changed',
        fields: { title: ['Page /changed', 'Changed v2'] },
      },
    ]);
    const bad = await runMain(['diff', 'a', 'nope', '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no crawl named "nope"');
  });

  it('the page_pairs view gives the same answer in SQL', () => {
    const d = open();
    try {
      const rows = d
        .prepare(
          `SELECT url, change FROM page_pairs WHERE a_crawl = (SELECT id FROM crawls WHERE name = 'a')
             AND b_crawl = (SELECT id FROM crawls WHERE name = 'b') AND change <> 'unchanged'`,
        )
        .all() as { url: string; change: string }[];
      expect(Object.fromEntries(rows.map((r) => [r.url.slice(server.origin.length), r.change]))).toEqual(
        planted,
      );
    } finally {
      d.close();
    }
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))(
  "the explorer: a page's history, a crawl compared with another",
  () => {
    it('lists the URL in every crawl with what changed, and compares crawl b with a', async () => {
      const explorer = await startExplorer({ dbPath: db, port: 0 });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox'],
      });
      try {
        const page = await browser.newPage();
        const a = pages('a');
        const b = pages('b');
        const historyOf = async (id: number) => {
          await page.goto(new URL(`page/${id}`, explorer.url).href);
          return page.$$eval('#history tbody tr', (trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
          );
        };
        const changed = await historyOf(b.get('/changed')?.id as number);
        expect(changed.map((r) => r[0])).toEqual(['a', 'b (this page)']);
        expect(changed[0][4]).toBe('first crawl');
        expect(changed[1][4].split(', ')).toEqual(
          expect.arrayContaining(['title', 'og_image', 'links', 'jsonld_types']),
        );
        const etag = await historyOf(b.get('/etag')?.id as number);
        expect(etag[1]).toEqual(['b (this page)', '304', expect.any(String), 'not-modified', 'nothing']);
        // The 304 row's page shows the earlier crawl's links and meta tags.
        expect(await page.$$eval('#links tbody tr', (r) => r.length)).toBe(3);

        await page.goto(new URL('crawl/b', explorer.url).href);
        await page.click('#compare-with a');
        expect(new URL(page.url()).pathname).toBe('/compare/a/b');
        expect((await page.textContent('#compare-counts'))?.trim()).toBe('1 added · 1 removed · 2 changed');
        const rows = await page.$$eval('#changes tbody tr', (trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
        );
        expect(rows.map((r) => [r[0].slice(r[0].lastIndexOf('/')), r[1]])).toEqual([
          ['/added', 'added'],
          ['/changed', 'changed'],
          ['/etag-changed', 'changed'],
          ['/removed', 'removed'],
        ]);
        expect(rows[1][4]).toContain('title: Page /changed → Changed v2');
        await page.click('#changes tbody tr:nth-child(2) td:nth-child(3) a');
        expect(new URL(page.url()).pathname).toBe(`/page/${a.get('/changed')?.id}`);
      } finally {
        await browser.close();
        await explorer.close();
      }
    }, 60_000);
  },
);

describe('submit --since (a fleet: workers without the database)', () => {
  it('reads the earlier rows from --db and puts their validators and hashes in the jobs', async () => {
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--db', db];
    const seeds = seedFile('f.txt', ['/etag', '/lm', '/plain', '/added', '/new-one']);
    const r = await runMain(['submit', seeds, '--crawl', 'f', '--since', 'b', ...common]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('5 URLs submitted');
    const redis = new Redis(testRedisUrl());
    const jobs: CrawlJobData[] = [];
    try {
      await drainFrontier(redis, prefix, 'f', (batch) => jobs.push(...batch));
    } finally {
      redis.disconnect();
    }
    const since = Object.fromEntries(jobs.map((j) => [j.url.slice(server.origin.length), j.since]));
    const b = pages('b');
    expect(since['/etag']).toEqual({
      etag: '"e1"',
      bodyHash: b.get('/etag')?.body_hash,
      metaHash: b.get('/etag')?.meta_hash,
    });
    expect(since['/lm']).toMatchObject({ lastModified: LAST_MODIFIED });
    expect(since['/plain']).toEqual({
      bodyHash: b.get('/plain')?.body_hash,
      metaHash: b.get('/plain')?.meta_hash,
    });
    expect(since['/added']?.metaHash).toBe(b.get('/added')?.meta_hash);
    expect(since['/new-one']).toBeUndefined();
    const bad = await runMain(['submit', seeds, '--crawl', 'g', '--since', 'nope', ...common]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no crawl named "nope"');
  });
});

describe('--trust-lastmod and resuming', () => {
  it('skips a sitemap URL whose lastmod is not later than the earlier fetch', async () => {
    const sitemap = join(dir, 'sitemap.xml');
    writeFileSync(
      sitemap,
      `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>${server.origin}/lm</loc><lastmod>2000-01-01</lastmod></url>
<url><loc>${server.origin}/changed</loc><lastmod>2999-01-01</lastmod></url>
</urlset>`,
    );
    const before = server.log.length;
    const r = await runMain(['crawl', sitemap, ...args('d', '--since', 'a', '--trust-lastmod')]);
    expect(r.code, r.stderr).toBe(0);
    const paths = server.log.slice(before).map((l) => l.path);
    expect(paths).not.toContain('/lm');
    expect(paths).toContain('/changed');
    const a = pages('a');
    const d = pages('d');
    const lm = d.get('/lm') as Row;
    expect(lm.unchanged).toBe(1);
    expect(lm.unchanged_reason).toBe('lastmod');
    expect(lm.attempts).toBe(0);
    expect(lm.status).toBeNull();
    expect(lm.title).toBe('Page /lm');
    expect(lm.content_of).toBe(a.get('/lm')?.id);
    expect(children(lm.id)).toEqual(children(a.get('/lm')?.id as number));
    expect(d.get('/changed')?.unchanged).toBe(0);
    const bad = await runMain(['crawl', sitemap, ...args('e', '--trust-lastmod')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--trust-lastmod needs --since');
    const unknown = await runMain(['crawl', sitemap, ...args('e', '--since', 'nope')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no crawl named "nope"');
  });

  it('an interrupted re-crawl resumes; a re-crawl of a re-crawl shares the rows of their owner', async () => {
    hold = new Promise<void>((r) => {
      release = r;
    });
    const seeds = seedFile('c.txt', [...KEPT, '/added']);
    const child = startCli(['crawl', seeds, ...args('c', '--since', 'b', '--grace', '200')]);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const n = pages('c').size;
      if (n >= 7 && server.log.some((l) => l.path === '/changed' && l.at > 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pages('c').size).toBe(7);
    child.kill('SIGINT');
    const first = await child.result;
    expect(first.code).toBe(130);
    release();
    hold = null;
    const again = await runMain(['crawl', seeds, ...args('c', '--since', 'b')]);
    expect(again.code, again.stderr).toBe(0);
    const a = pages('a');
    const b = pages('b');
    const c = pages('c');
    expect(c.size).toBe(8);
    expect(c.get('/etag')?.unchanged_reason).toBe('not-modified');
    expect(c.get('/etag')?.content_of).toBe(a.get('/etag')?.id); // the owner, not b's 304 row
    expect(c.get('/etag')?.since_page).toBe(b.get('/etag')?.id);
    expect(c.get('/changed')?.unchanged_reason).toBe('same-body');
    expect(c.get('/changed')?.content_of).toBe(b.get('/changed')?.id);
    expect(c.get('/changed')?.title).toBe('Changed v2');
    expect(c.get('/added')?.unchanged).toBe(1);
    for (const r of c.values()) expect(r.error, r.url).toBeNull();
  }, 60_000);
});
