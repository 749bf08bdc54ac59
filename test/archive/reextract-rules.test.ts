/**
 * `reextract` applies the crawl's custom rules and microdata (and rules given on the command line) to the
 * archived bytes, storing what a fresh crawl of the same bytes stores; it finds the crawl's archive directory
 * without --from-archive when the database recorded it, and says clearly when it cannot.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlArgs } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';

let phase = 1;
let site: TestServer;
let dir: string;
let seeds: string;
const db = () => join(dir, 'x.db');
const arch = () => join(dir, 'warc');

function product(path: string): string {
  const price = phase === 1 ? `${path.length}.99` : 'sold out';
  return `<!doctype html><html><head><title>Käse ${path}</title>
<script type="application/ld+json">{"@type": "Product", "offers": {"price": ${phase}}}</script></head>
<body><h1>Käse ${path} (week ${phase})</h1><div itemscope itemtype="https://schema.org/Product">
<span itemprop="name">Käse ${path}</span><a itemprop="url" href="/p${path}">x</a>
<span class="price">${price}</span></div><p class="tag">t1</p><p class="tag">t2</p>
<script>var data = {"sku": "S-${path.slice(1)}-${phase}"};</script></body></html>`;
}

beforeAll(async () => {
  site = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/robots.txt') return void res.writeHead(404).end();
    if (path === '/latin') {
      res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
      return void res.end(Buffer.from(product(path), 'latin1'));
    }
    if (path === '/a' || path === '/bb') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(product(path));
    }
    res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-reextract-rules-'));
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, ['/a', '/bb', '/latin', '/gone'].map((p) => site.origin + p).join('\n'));
  await crawl('wk', RULES, ['--microdata', '--archive', arch()]);
}, 60_000);
afterAll(async () => {
  await site?.close();
});

const RULES = [
  'price=css:.price',
  'tags[]=css:.tag',
  'sku=regex:"sku":\\s*"([^"]+)"',
  'offer=jsonld:Product.offers.price',
];

async function crawl(name: string, rules: string[], extra: string[]): Promise<void> {
  const r = await runMain([
    'crawl',
    seeds,
    ...crawlArgs({ crawl: name, db: db() }, '--log-level', 'warn', '--host-rate', '100'),
    ...rules.flatMap((x) => ['--extract', x]),
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
}

const reextract = (...more: string[]) => runMain(['reextract', '--db', db(), ...more]);

function sql<T = Record<string, unknown>>(q: string, ...args: unknown[]): T[] {
  const d = new Database(db(), { readonly: true });
  try {
    return d.prepare(q).all(...args) as T[];
  } finally {
    d.close();
  }
}

/** A crawl's own fields per URL: the pages columns, extract rows and microdata rows. */
function own(crawl: string) {
  const where = 'FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?';
  return {
    pages: sql(
      `SELECT p.url, p.error, p.extract_errors, p.microdata_count, p.microdata_types ${where} ORDER BY p.url`,
      crawl,
    ),
    extracts: sql(
      `SELECT p.url, e.rule, e.position, e.value ${where.replace('FROM pages p', 'FROM extracts e JOIN pages p ON p.id = e.page_id')} ORDER BY 1, 2, 3`,
      crawl,
    ),
    microdata: sql(
      `SELECT p.url, m.position, m.type, m.json ${where.replace('FROM pages p', 'FROM microdata m JOIN pages p ON p.id = m.page_id')} ORDER BY 1, 2`,
      crawl,
    ),
  };
}

function settingsOf(crawl: string): { extract: string[]; microdata: boolean } {
  return JSON.parse(
    sql<{ settings: string }>('SELECT settings FROM crawls WHERE name = ?', crawl)[0].settings,
  );
}

describe('reextract with custom rules', () => {
  it('records the archive directory; reextract without --from-archive gives the extracts and microdata of the crawl', async () => {
    expect(sql('SELECT c.name, a.dir FROM crawl_archives a JOIN crawls c ON c.id = a.crawl_id')).toEqual([
      { name: 'wk', dir: resolve(arch()) },
    ]);
    // An index the writer left off (as a crawl interrupted while storing many pages leaves it) is built at the end.
    const w = new Database(db());
    w.exec('DROP INDEX urls_url');
    w.close();
    const r = await reextract('--crawl', 'wk', '--as', 'wk2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 pages extracted again, 1 failed pages copied/);
    expect(r.stderr).toMatch(/reextract: indexing link target URLs/);
    expect(sql("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'urls_url'")).toHaveLength(1);
    const wk = own('wk');
    expect(wk.extracts.length).toBeGreaterThan(10);
    expect(wk.microdata).toHaveLength(3);
    expect(own('wk2')).toEqual(wk);
    expect(settingsOf('wk2')).toMatchObject({ extract: settingsOf('wk').extract, microdata: true });
  });

  it("new rules on last week's archive: the archived bytes' values, as a fresh crawl of those bytes stores them", async () => {
    phase = 2; // the site moved on: reextract must not see it
    const r = await reextract(
      '--crawl',
      'wk',
      '--as',
      'wk3',
      '--extract',
      'h1=css:h1',
      '--extract',
      'price[]=css:.price', // replaces the crawl's `price`
    );
    expect(r.code, r.stderr).toBe(0);
    const rules = [...RULES.filter((x) => !x.startsWith('price=')), 'h1=css:h1', 'price[]=css:.price'];
    expect(settingsOf('wk3').extract).toEqual(rules);
    phase = 1;
    await crawl('fresh', rules, ['--microdata']);
    expect(own('wk3')).toEqual(own('fresh'));
    const h1 = sql<{ url: string; value: string }>(
      "SELECT p.url, e.value FROM extracts e JOIN pages p ON p.id = e.page_id JOIN crawls c ON c.id = p.crawl_id WHERE c.name = 'wk3' AND e.rule = 'h1' ORDER BY p.url",
    );
    expect(h1.map((x) => x.value)).toEqual(['Käse /a (week 1)', 'Käse /bb (week 1)', 'Käse /latin (week 1)']);
  });

  it('in place with --microdata off in the crawl and on here: the crawl gains microdata rows', async () => {
    await crawl('nomd', ['price=css:.price'], ['--archive', arch()]);
    expect(own('nomd').microdata).toEqual([]);
    const r = await reextract('--crawl', 'nomd', '--microdata');
    expect(r.code, r.stderr).toBe(0);
    expect(own('nomd').microdata).toEqual(own('wk').microdata);
    expect(settingsOf('nomd')).toMatchObject({ extract: ['price=css:.price'], microdata: true });
  });

  it('a bad rule is bad usage naming the rule and the reason; nothing is written', async () => {
    const r = await reextract('--crawl', 'wk', '--as', 'bad', '--extract', 'x=css:[[x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--extract "x=css:\[\[x": invalid CSS selector/);
    expect(sql("SELECT name FROM crawls WHERE name = 'bad'")).toEqual([]);
  });

  it('says when the archive directory cannot be known, and takes --from-archive then', async () => {
    await crawl('plain', [], []);
    let r = await reextract('--crawl', 'plain', '--as', 'p2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no archive directory is recorded for crawl "plain".*give --from-archive <dir>/);
    const moved = join(dir, 'moved');
    renameSync(arch(), moved);
    r = await reextract('--crawl', 'wk', '--as', 'wk4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`was archived to ${resolve(arch())}, which is not a directory here`);
    r = await reextract('--crawl', 'wk', '--as', 'wk4', '--from-archive', moved);
    expect(r.code, r.stderr).toBe(0);
    expect(own('wk4')).toEqual(own('wk'));
    const d = new Database(db());
    d.prepare(
      "INSERT INTO crawl_archives (crawl_id, dir, first_seen) SELECT id, '/elsewhere', '2026-01-01' FROM crawls WHERE name = 'wk'",
    ).run();
    d.close();
    r = await reextract('--crawl', 'wk', '--as', 'wk5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/archived to 2 directories \(.*\): gather the files in one/);
    expect(sql("SELECT name FROM crawls WHERE name IN ('p2', 'wk5')")).toEqual([]);
  });
});
