/**
 * Ctrl-C during `reextract --workers 2` (the real process, its extraction thread at work): it stops with 130 and
 * says how to resume, the pages it wrote are whole, and the same command run again completes the crawl with the
 * rows an uninterrupted run stores.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlArgs, runCli, startCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';

/**
 * Well past what `reextract` keeps in flight (5 batches of 200 with one extraction thread), and light pages, so the
 * thread extracts faster than the writer writes: the case where the write loop never waited for a message and a
 * Ctrl-C went unheard until every page was written (this test failed so before the fix in store/reextract.ts).
 */
const PAGES = 2400;

/** A page heavy enough that extracting them all takes the thread a while: links, meta tags, text, JSON-LD. */
function page(n: number): string {
  const links = Array.from(
    { length: 60 },
    (_, k) => `<a href="/p/${(n * 7 + k) % PAGES}">page ${k} of ${n}</a>`,
  );
  const metas = Array.from({ length: 20 }, (_, k) => `<meta name="m${k}" content="value ${k} of ${n}">`);
  return `<!doctype html><html><head><title>Seite ${n} – Käse</title>${metas.join('')}
<script type="application/ld+json">{"@type": "Article", "headline": "page ${n}"}</script></head>
<body><h1>Seite ${n}</h1>${'<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>'.repeat(60)}
<nav>${links.join(' ')}</nav></body></html>`;
}

let site: TestServer;
let dir: string;
const db = () => join(dir, 's.db');
const arch = () => join(dir, 'warc');

beforeAll(async () => {
  site = await startServer((req, res) => {
    const m = /^\/p\/(\d+)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(Number(m[1])));
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-reextract-stop-'));
  const seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, Array.from({ length: PAGES }, (_, n) => `${site.origin}/p/${n}`).join('\n'));
  const r = await runMain([
    'crawl',
    seeds,
    ...crawlArgs(
      { crawl: 'src', db: db() },
      '--log-level',
      'warn',
      '--host-rate',
      '0',
      '--depth',
      '0',
      '--workers',
      '1',
      '--archive',
      arch(),
    ),
  ]);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await site?.close();
});

function pagesOf(crawl: string): number {
  const d = new Database(db(), { readonly: true });
  try {
    return d
      .prepare('SELECT count(*) FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?')
      .pluck()
      .get(crawl) as number;
  } finally {
    d.close();
  }
}

/** Every row of a crawl in every table, without ids and store times. */
function snapshot(crawl: string) {
  const d = new Database(db(), { readonly: true });
  try {
    const where = 'FROM pages p JOIN crawls c ON c.id = p.crawl_id WHERE c.name = ?';
    const child = (table: string, cols: string) =>
      d
        .prepare(
          `SELECT p.url, ${cols} ${where.replace('FROM pages p', `FROM ${table} x JOIN pages p ON p.id = x.page_id`)} ORDER BY p.url, x.position`,
        )
        .all(crawl);
    return {
      pages: (d.prepare(`SELECT p.* ${where} ORDER BY p.url`).all(crawl) as Record<string, unknown>[]).map(
        ({ id, crawl_id, stored_at, ...rest }) => rest,
      ),
      meta: child('meta', 'x.position, x.attr, x.key, x.content'),
      links: child('links', 'x.position, x.url, x.text, x.rel'),
      jsonld: child('jsonld', 'x.position, x.type, x.json, x.valid'),
    };
  } finally {
    d.close();
  }
}

const reextract = (as: string) => [
  'reextract',
  '--db',
  db(),
  '--crawl',
  'src',
  '--from-archive',
  arch(),
  '--as',
  as,
  '--workers',
  '2',
];

it('Ctrl-C during reextract --workers 2 leaves whole pages; the same command again completes it as one run would', async () => {
  expect(pagesOf('src')).toBe(PAGES);
  const child = startCli(reextract('cut'));
  // Stopped once the first batch is written: the thread is still extracting the next ones.
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
      if (/reextract: \d+\/\d+ pages/.test(err)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before its first batch was written: ${err}`)));
  });
  child.kill('SIGINT');
  const stopped = await child.result;
  expect(stopped.code, stopped.stderr).toBe(130);
  expect(stopped.stderr).toMatch(/extracting on 1 thread/);
  expect(stopped.stderr).toMatch(/reextract: interrupted: run the same command again to resume/);
  const written = pagesOf('cut');
  expect(written).toBeGreaterThan(0);
  expect(written).toBeLessThan(PAGES);
  expect(written % 200).toBe(0); // whole batches

  const rerun = await runCli(reextract('cut'));
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stdout).toContain(
    `${PAGES - written} pages extracted again, 0 failed pages copied, ${written} already done`,
  );
  const whole = await runCli(reextract('whole'));
  expect(whole.code, whole.stderr).toBe(0);
  expect(whole.stdout).toContain(`${PAGES} pages extracted again`);
  const cut = snapshot('cut');
  expect(cut.pages).toHaveLength(PAGES);
  expect(cut.links.length).toBeGreaterThan(PAGES * 50);
  expect(cut).toEqual(snapshot('whole'));
}, 180_000);
