/**
 * Re-crawls of a crawl with custom rules and --microdata: an unchanged page (304, the same body, the same
 * metadata) answers `extracts` and `microdata` as a fresh crawl of the site would, rule by rule; a rule new in
 * the re-crawl makes the producer send no validators, so every page is extracted and the new rule has its values;
 * a record without a body for a new rule is marked "not evaluated".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainFrontier } from '../../src/frontier/drain.js';
import { openDb } from '../../src/store/db.js';
import { PageWriter } from '../../src/store/writer.js';
import type { CrawlJobData, PageRecord } from '../../src/types.js';
import { crawlArgs } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let phase = 1;
const conditional: string[] = [];
let site: TestServer;
let dir: string;
let seeds: string;
const db = () => join(dir, 'r.db');

/** A product page: its price is in the body text only (not in the metadata hash), its name in microdata. */
function product(path: string, price: string, title = `Product ${path}`): string {
  return `<!doctype html><html><head><title>${title}</title>
<script type="application/ld+json">{"@type": "Product", "sku": "SKU${path.slice(1)}"}</script></head>
<body><h1>${title}</h1><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">${title}</span>
<span class="price">${price}</span><a href="/img${path}.png" itemprop="image">img</a></div>
<ul><li class="tag">a</li><li class="tag">b</li></ul></body></html>`;
}

beforeAll(async () => {
  site = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (req.headers['if-none-match']) conditional.push(path);
    const html = { 'content-type': 'text/html; charset=utf-8' };
    if (path === '/etag') {
      if (req.headers['if-none-match'] === '"e1"') return void res.writeHead(304, { etag: '"e1"' }).end();
      return void res.writeHead(200, { ...html, etag: '"e1"' }).end(product(path, '10.00'));
    }
    // No validators, the same body every time: `same-body`.
    if (path === '/same') return void res.writeHead(200, html).end(product(path, '20.00'));
    // The price (body text only) changes, the metadata does not: `same-metadata`.
    if (path === '/price')
      return void res.writeHead(200, html).end(product(path, phase === 1 ? '30.00' : '31.00'));
    // The title changes: the page owns new rows.
    if (path === '/title') return void res.writeHead(200, html).end(product(path, '40.00', `Title ${phase}`));
    res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-recrawl-rules-'));
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, ['/etag', '/same', '/price', '/title'].map((p) => site.origin + p).join('\n'));
}, 30_000);
afterAll(async () => {
  await site?.close();
});

const RULES = ['price=css:.price', 'sku=jsonld:Product.sku', 'tags[]=css:.tag', 'miss=css:.nothing'];

async function crawl(name: string, rules: string[], extra: string[] = []): Promise<void> {
  const r = await runMain([
    'crawl',
    seeds,
    ...crawlArgs(
      { crawl: name, db: db() },
      '--log-level',
      'warn',
      '--host-rate',
      '100',
      ...rules.flatMap((x) => ['--extract', x]),
      ...extra,
    ),
  ]);
  expect(r.code, r.stderr).toBe(0);
}

type Row = Record<string, unknown>;

/** A crawl's own fields per path: pages columns, extract rows and microdata rows. */
function fields(crawl: string): Record<string, Row> {
  const d = new Database(db(), { readonly: true });
  try {
    const out: Record<string, Row> = {};
    const pages = d
      .prepare(
        `SELECT p.id, p.url, p.unchanged_reason, p.extract_errors, p.microdata_count, p.microdata_types
         FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY p.url`,
      )
      .all(crawl) as Row[];
    for (const p of pages) {
      const path = new URL(String(p.url)).pathname;
      out[path] = {
        reason: p.unchanged_reason,
        extract_errors: p.extract_errors,
        microdata_count: p.microdata_count,
        microdata_types: p.microdata_types,
        extracts: d
          .prepare('SELECT rule, position, value FROM extracts WHERE page_id = ? ORDER BY rule, position')
          .all(p.id),
        microdata: d
          .prepare('SELECT position, type, json FROM microdata WHERE page_id = ? ORDER BY position')
          .all(p.id),
      };
    }
    return out;
  } finally {
    d.close();
  }
}

/** `fields` without the unchanged reason: what two crawls of the same bytes must share. */
function values(crawl: string): Record<string, Row> {
  return Object.fromEntries(Object.entries(fields(crawl)).map(([k, { reason, ...v }]) => [k, v]));
}

describe('custom rules and microdata in a re-crawl', () => {
  beforeAll(async () => {
    await crawl('w1', RULES, ['--microdata', '--archive', join(dir, 'warc')]);
    phase = 2;
    conditional.length = 0;
    await crawl('w2', RULES, ['--microdata', '--since', 'w1', '--archive', join(dir, 'warc')]);
    await crawl('w2fresh', RULES, ['--microdata']);
  }, 60_000);

  it('the same rules: unchanged pages (304, same body, same metadata) answer extracts and microdata as a fresh crawl', () => {
    const w2 = fields('w2');
    expect(Object.fromEntries(Object.entries(w2).map(([k, v]) => [k, v.reason]))).toEqual({
      '/etag': 'not-modified',
      '/price': 'same-metadata',
      '/same': 'same-body',
      '/title': null,
    });
    expect(conditional).toContain('/etag');
    expect(values('w2')).toEqual(values('w2fresh'));
    // The values themselves: the 304's are the earlier crawl's, the changed body's price is the new one.
    const value = (path: string, rule: string) =>
      (w2[path].extracts as Row[]).filter((e) => e.rule === rule).map((e) => e.value);
    expect(value('/etag', 'price')).toEqual(['10.00']);
    expect(value('/price', 'price')).toEqual(['31.00']);
    expect(value('/same', 'tags')).toEqual(['a', 'b']);
    expect(value('/etag', 'miss')).toEqual([null]);
    expect(w2['/etag'].microdata_count).toBe(1);
    expect(w2['/etag'].microdata_types).toBe('https://schema.org/Product');
    expect(JSON.parse(String((w2['/etag'].microdata as Row[])[0].json)).properties.image).toEqual([
      `${site.origin}/img/etag.png`,
    ]);
  });

  it('an added rule: no validators are sent, every page is extracted and has the new rule; a dropped rule is gone', async () => {
    conditional.length = 0;
    const rules = ['price=css:.price', 'sku=jsonld:Product.sku', 'h1=css:h1'];
    await crawl('w3', rules, ['--microdata', '--since', 'w2']);
    await crawl('w3fresh', rules, ['--microdata']);
    expect(conditional).toEqual([]);
    const w3 = fields('w3');
    expect(w3['/etag'].reason).toBe('same-metadata');
    expect(w3['/same'].reason).toBe('same-metadata');
    expect(values('w3')).toEqual(values('w3fresh'));
    expect((w3['/etag'].extracts as Row[]).map((e) => [e.rule, e.value])).toEqual([
      ['h1', 'Product /etag'],
      ['price', '10.00'],
      ['sku', 'SKUetag'],
    ]);
  });

  it('fewer rules and no --microdata: validators are sent again, the kept rules are shared rule by rule', async () => {
    conditional.length = 0;
    await crawl('w4', ['price=css:.price'], ['--since', 'w3']);
    await crawl('w4fresh', ['price=css:.price']);
    expect(conditional).toContain('/etag');
    const w4 = fields('w4');
    expect(w4['/etag'].reason).toBe('not-modified');
    expect(values('w4')).toEqual(values('w4fresh'));
    expect(w4['/etag'].extracts).toEqual([{ rule: 'price', position: 0, value: '10.00' }]);
    expect(w4['/etag'].microdata).toEqual([]);
    expect(w4['/etag'].microdata_count).toBe(0);
  });

  it('reextract of the re-crawl: unchanged pages share the earlier rows again, their own fields as the crawl stored them', async () => {
    const linksOf = (crawl: string) => {
      const d = new Database(db(), { readonly: true });
      try {
        return d
          .prepare(
            `SELECT p.url, l.position, l.url AS href FROM links l JOIN pages p ON p.id = l.page_id
             JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ? ORDER BY 1, 2`,
          )
          .all(crawl);
      } finally {
        d.close();
      }
    };
    const r = await runMain(['reextract', '--db', db(), '--crawl', 'w2', '--as', 'w2x']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 unchanged pages shared with the earlier crawl/);
    expect(fields('w2x')).toEqual(fields('w2'));
    expect(linksOf('w2x')).toEqual(linksOf('w2'));
    // In place, with a rule the crawl did not have: the 304 has no body to run it on (marked), the others do.
    const before = linksOf('w2');
    const inPlace = await runMain(['reextract', '--db', db(), '--crawl', 'w2', '--extract', 'h1=css:h1']);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(linksOf('w2')).toEqual(before);
    const w2 = fields('w2');
    const h1 = (path: string) => (w2[path].extracts as Row[]).find((e) => e.rule === 'h1')?.value;
    expect([h1('/etag'), h1('/same'), h1('/price'), h1('/title')]).toEqual([
      null,
      'Product /same',
      'Product /price',
      'Title 2',
    ]);
    expect(JSON.parse(String(w2['/etag'].extract_errors))).toEqual({
      h1: "not evaluated: 304 Not Modified (no body) and the rule is not the earlier crawl's",
    });
    expect(w2['/same'].reason).toBe('same-body');
  });
});

describe('submit --since with rules (a fleet: the producer reads the earlier crawl from --db)', () => {
  it("sends validators when the rules are the earlier crawl's, only the metadata hash when one is new", async () => {
    const prefix = `${testPrefix()}-submit`;
    const jobsOf = async (crawl: string, rules: string[]) => {
      const r = await runMain([
        'submit',
        seeds,
        '--crawl',
        crawl,
        '--since',
        'w1',
        '--db',
        db(),
        '--redis',
        testRedisUrl(),
        '--prefix',
        prefix,
        ...rules.flatMap((x) => ['--extract', x]),
        '--microdata',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const redis = new Redis(testRedisUrl());
      const jobs: CrawlJobData[] = [];
      try {
        await drainFrontier(redis, prefix, crawl, (batch) => jobs.push(...batch));
      } finally {
        redis.disconnect();
      }
      return Object.fromEntries(jobs.map((j) => [new URL(j.url).pathname, j.since]));
    };
    const same = await jobsOf('s1', RULES);
    expect(same['/etag']).toMatchObject({ etag: '"e1"' });
    expect(same['/same']?.bodyHash).toMatch(/^[0-9a-f]{16}$/);
    const added = await jobsOf('s2', [...RULES, 'h1=css:h1']);
    expect(Object.keys(added['/etag'] ?? {})).toEqual(['metaHash']);
    expect(Object.keys(added['/same'] ?? {})).toEqual(['metaHash']);
  });
});

describe('a record without a body for a rule the earlier crawl did not have', () => {
  it('is marked not evaluated: value null, extract_errors says why; microdata_count NULL', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mc-recrawl-mark-')), 'm.db');
    const d = openDb(file);
    try {
      const w = new PageWriter(d);
      w.setCrawlSettings('a', JSON.stringify({ extract: ['price=css:.price'], microdata: false }));
      w.setCrawlSettings(
        'b',
        JSON.stringify({ extract: ['price=css:.price', 'sku=css:.sku', 'all[]=css:p'], microdata: true }),
      );
      const base: PageRecord = {
        crawl: 'a',
        url: 'https://example.com/',
        depth: 0,
        discoveredFrom: null,
        finalUrl: 'https://example.com/',
        status: 200,
        contentType: 'text/html',
        error: null,
        errorDetail: null,
        attempts: 1,
        fetchedAt: new Date().toISOString(),
        elapsedMs: 1,
        queuedMs: 0,
        bytes: 10,
        truncated: false,
        redirects: [],
        headers: { etag: '"x"' },
        encoding: 'utf-8',
        lastmod: null,
        meta: null,
      };
      w.writeBatch([
        {
          ...base,
          meta: {
            title: 't',
            lang: null,
            charset: null,
            canonical: null,
            description: null,
            viewport: null,
            meta: [],
            og: {},
            twitter: {},
            jsonld: [],
            links: [],
            linksCount: 0,
            areaLinksCount: 0,
            linksTruncated: false,
            baseUrl: 'https://example.com/',
            resolved: {} as never,
            extracts: { price: '5' },
          },
          metaHash: 'h',
        },
      ]);
      // An older producer's job: validators sent although the rules differ; the server answered 304.
      w.writeBatch([{ ...base, crawl: 'b', status: 304, since: 'a', unchanged: 'not-modified' }]);
      const page = d
        .prepare(
          "SELECT p.id, p.extract_errors, p.microdata_count FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'b'",
        )
        .get() as Row;
      expect(
        d.prepare('SELECT rule, position, value FROM extracts WHERE page_id = ? ORDER BY rule').all(page.id),
      ).toEqual([
        { rule: 'price', position: 0, value: '5' },
        { rule: 'sku', position: 0, value: null },
      ]);
      const why = "not evaluated: 304 Not Modified (no body) and the rule is not the earlier crawl's";
      expect(JSON.parse(String(page.extract_errors))).toEqual({ sku: why, all: why });
      expect(page.microdata_count).toBeNull();
    } finally {
      d.close();
    }
  });
});
