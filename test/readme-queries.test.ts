/**
 * Every SQL example of the README runs, as a user would: the 164 corpus pages served from a local server,
 * crawled with the real CLI (`metacrawl crawl --allow-private`), then each query through `metacrawl query`
 * (its `main()` in this process; one query also through the real process, which must print the same rows)
 * and through the explorer's SQL box and download. Needs the compiled CLI (`npm run build`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorer } from '../src/serve/server.js';
import { runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/http.js';
import { runMain } from './helpers/main.js';

interface ReadmeQuery {
  /** The `-- comment` above the statement, or where it was found. */
  title: string;
  sql: string;
  /** README line numbers (1-based) the statement spans. */
  lines: number[];
}

/**
 * The SQL examples of a markdown text: each statement of a ```sql block (titled by the `--` comment above it,
 * ended by `;` or the fence) and each `metacrawl query "<SELECT …>"` in any other block or in the prose.
 */
function readmeQueries(md: string): ReadmeQuery[] {
  const lines = md.split('\n');
  const out: ReadmeQuery[] = [];
  let fence: string | null = null;
  let title = '';
  let buf: number[] = [];
  const flush = () => {
    if (buf.length > 0) {
      const sql = buf.map((n) => lines[n - 1]).join('\n');
      out.push({ title: title || `SQL on line ${buf[0]}`, sql: sql.trim(), lines: buf });
    }
    buf = [];
    title = '';
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = /^\s*```\s*([\w-]*)/.exec(line);
    if (open) {
      if (fence === 'sql') flush();
      fence = fence === null ? open[1].toLowerCase() : null;
      continue;
    }
    if (fence === 'sql') {
      const t = line.trim();
      if (buf.length === 0 && (t === '' || t.startsWith('--'))) {
        if (t.startsWith('--')) title = t.replace(/^--\s*/, '');
        continue;
      }
      buf.push(i + 1);
      if (t.endsWith(';')) flush();
      continue;
    }
    for (const m of line.matchAll(/metacrawl query (["'])(.+?)\1/g)) {
      if (/^\s*(SELECT|WITH)\b/i.test(m[2]))
        out.push({ title: `metacrawl query on line ${i + 1}`, sql: m[2], lines: [i + 1] });
    }
  }
  return out;
}

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const queries = readmeQueries(readme);

/** The crawl's name: the README's examples call it `mycrawl`. */
const CRAWL = 'mycrawl';
/** A corpus page rich in meta tags, for the README's `https://example.com/`. */
const PAGE = 'metascraper-the-verge';

/** Literal values the README asks readers to replace, and what this crawl has instead. */
function placeholders(origin: string): [string, string][] {
  return [
    ["'mycrawl'", `'${CRAWL}'`],
    // The re-crawling examples compare two crawls: here the crawl with itself (every page unchanged).
    ["'w49'", `'${CRAWL}'`],
    ["'w50'", `'${CRAWL}'`],
    // The README compares two crawls; this test has one, compared with itself.
    ["'mycrawl-next'", `'${CRAWL}'`],
    ["'https://example.com/'", `'${origin}/${PAGE}.html'`],
    // A link target of that page (the corpus pages link out to the web, not to each other).
    ["'https://example.com/about'", "'https://www.voxmedia.com/legal/terms-of-use'"],
  ];
}

const corpus = new URL('fixtures/corpus/', import.meta.url);
const names = readdirSync(new URL('pages/', corpus))
  .filter((f) => f.endsWith('.html'))
  .map((f) => f.slice(0, -5))
  .sort();

describe('the README SQL examples, found', () => {
  it('finds the example queries, and every SELECT of the README belongs to one', () => {
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.filter((q) => !q.title.startsWith('metacrawl query')).length).toBeGreaterThanOrEqual(10);
    const covered = new Set(queries.flatMap((q) => q.lines));
    const lines = readme.split('\n');
    const stray = lines
      .map((l, i) => [i + 1, l] as const)
      .filter(([n, l]) => /\bSELECT\b/.test(l) && !covered.has(n));
    expect(stray, 'README lines with SQL the test does not run: teach readmeQueries their form').toEqual([]);
  });

  it('splits a block into statements titled by their comments, and reads `metacrawl query "…"`', () => {
    const md = [
      '```sql',
      '-- One',
      'SELECT 1',
      'FROM t;',
      '',
      '-- Two',
      'SELECT 2',
      '```',
      '```sh',
      'metacrawl query "SELECT 3" --db x',
      'metacrawl query "<SQL>"',
      '```',
    ].join('\n');
    expect(readmeQueries(md)).toEqual([
      { title: 'One', sql: 'SELECT 1\nFROM t;', lines: [3, 4] },
      { title: 'Two', sql: 'SELECT 2', lines: [7] },
      { title: 'metacrawl query on line 10', sql: 'SELECT 3', lines: [10] },
    ]);
  });
});

describe('the README SQL examples, run on a crawl of the corpus pages', () => {
  let server: TestServer;
  let dir: string;
  let db: string;

  beforeAll(async () => {
    const pages = new Map<string, { body: Buffer; charset: string }>();
    for (const name of names) {
      const e = JSON.parse(readFileSync(new URL(`expected/${name}.json`, corpus), 'utf8'));
      pages.set(`/${name}.html`, {
        body: readFileSync(new URL(`pages/${name}.html`, corpus)),
        charset: e.encoding_used,
      });
    }
    server = await startServer((req, res) => {
      const page = pages.get(req.url ?? '');
      if (!page) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': `text/html; charset=${page.charset}` });
      res.end(page.body);
    });
    dir = mkdtempSync(join(tmpdir(), 'mc-readme-'));
    db = join(dir, 'corpus.db');
    const seeds = join(dir, 'seeds.txt');
    // One missing page, so "failures by error code" has a failure to show.
    writeFileSync(seeds, `${[...names, 'missing'].map((n) => `${server.origin}/${n}.html`).join('\n')}\n`);
    const res = await runCli(
      [
        'crawl',
        seeds,
        '--allow-private',
        '--db',
        db,
        '--crawl',
        CRAWL,
        // The README's custom-rule queries: a value on some pages, every match, and a rule that fails on
        // pages whose <head> is longer than a value may be.
        '--extract',
        'price=css:[itemprop=price]@content',
        '--extract',
        'crumbs[]=css:.breadcrumb a',
        '--extract',
        'head=css:head@html',
        '--microdata',
        '--host-rate',
        '0',
        '--host-concurrency',
        '8',
        '--retries',
        '0',
        '--no-progress',
        '--log-level',
        'warn',
      ],
      { cwd: dir },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(`pages stored\\s+${names.length + 1} \\(${names.length} ok, 1 failed\\)`),
    );
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Rows by SQL text, from `metacrawl query` run in this process (the CLI's `main()`: same parsing, command and
   * output as the process; a process start per query made this file the slowest of the suite). The explorer
   * test reuses them; the test below checks that the real process prints the same rows.
   */
  const cliResults = new Map<string, Record<string, unknown>[]>();
  async function cliRows(sql: string): Promise<Record<string, unknown>[]> {
    const known = cliResults.get(sql);
    if (known) return known;
    const res = await runMain(['query', sql, '--db', db, '--format', 'json']);
    expect(res.code, `metacrawl query failed: ${res.stderr}\n${sql}`).toBe(0);
    expect(res.stderr).toBe('');
    const rows = JSON.parse(res.stdout) as Record<string, unknown>[];
    cliResults.set(sql, rows);
    return rows;
  }
  const onThisCrawl = (sql: string) =>
    placeholders(server.origin).reduce((s, [from, to]) => s.split(from).join(to), sql);

  it('prints the same rows through the real `metacrawl query` process as through its main()', async () => {
    // One process start: the README example with placeholders replaced that has the most rows on this crawl.
    const counted = await Promise.all(
      queries
        .map((q) => onThisCrawl(q.sql))
        .filter((sql, i) => sql !== queries[i].sql)
        .map(async (sql) => [sql, (await cliRows(sql)).length] as const),
    );
    expect(counted.length).toBeGreaterThan(0);
    const [sql] = counted.sort((a, b) => b[1] - a[1])[0];
    const res = await runCli(['query', sql, '--db', db, '--format', 'json']);
    expect(res.code, `metacrawl query failed: ${res.stderr}\n${sql}`).toBe(0);
    expect(res.stderr).toBe('');
    const rows = JSON.parse(res.stdout) as Record<string, unknown>[];
    expect(rows.length, sql).toBeGreaterThan(0);
    expect(rows, sql).toEqual(await cliRows(sql));
  });

  it('stores every corpus page, with every valid JSON-LD block readable by json_extract', () => {
    const sqlite = new Database(db, { readonly: true });
    try {
      const n = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
      expect(n('SELECT count(*) FROM pages WHERE error IS NULL')).toBe(names.length);
      // The corpus's CDATA-wrapped blocks went through worker, Redis and writer unwrapped.
      expect(n('SELECT count(*) FROM jsonld WHERE raw IS NOT NULL AND valid = 1')).toBeGreaterThanOrEqual(10);
      expect(n('SELECT count(*) FROM jsonld WHERE valid = 1 AND NOT json_valid(json)')).toBe(0);
    } finally {
      sqlite.close();
    }
  });

  it.each(queries.map((q) => [q.title, q] as const))(
    'runs "%s" through metacrawl query, as written and on this crawl, with rows',
    async (_title, q) => {
      await cliRows(q.sql);
      const sql = onThisCrawl(q.sql);
      const rows = await cliRows(sql);
      expect(rows.length, `no rows from\n${sql}`).toBeGreaterThan(0);
    },
  );

  it('runs every example in the explorer SQL box and its JSON download, with the same rows as the CLI', async () => {
    const explorer = await startExplorer({ dbPath: db, port: 0 });
    try {
      for (const q of queries) {
        const sql = onThisCrawl(q.sql);
        const box = await fetch(new URL(`sql?q=${encodeURIComponent(sql)}`, explorer.url));
        const $ = cheerio.load(await box.text());
        expect($('#sql-error').text(), q.title).toBe('');
        expect(box.status, q.title).toBe(200);
        const download = await fetch(new URL(`sql.json?q=${encodeURIComponent(sql)}`, explorer.url));
        expect(download.status, q.title).toBe(200);
        expect(await download.json(), q.title).toEqual(await cliRows(sql));
      }
    } finally {
      await explorer.close();
    }
  }, 120_000);
});
