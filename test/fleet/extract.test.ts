/**
 * Rules travel with the crawl: submitted once, applied by a `metacrawl worker` in another process, and by
 * `crawl --workers 2` in worker threads, with the same values in SQLite; a rule failing on one page (the regex
 * budget) fails only that rule on that page. submit and status run through the CLI's main() in this process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

const PAGES = [
  'extruct-microdata-with-description.html',
  'nytimes-1.html',
  'extruct-songkick-elysianfields.html',
];
const EVIL = `<html><head><title>evil</title></head><body><p class="x">${'a'.repeat(40)}!</p></body></html>`;
const RULES = [
  'title=css:title',
  'tags[]=css:meta[property="article:tag"]@content',
  'venue=jsonld:MusicEvent.location.name',
  'app=regex:"al:ios:app_store_id" content="(\\d+)"',
  'evil=regex:((a+)+)$',
];

let server: TestServer;
let dir: string;
let seeds: string;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    if (name === 'evil.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(EVIL);
    } else if (PAGES.includes(name)) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(readFileSync(new URL(`../fixtures/corpus/pages/${name}`, import.meta.url)));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  dir = mkdtempSync(join(tmpdir(), 'mc-extract-'));
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, [...PAGES, 'evil.html'].map((p) => `${server.origin}/${p}\n`).join(''));
});
afterAll(async () => {
  await server?.close();
});

type Values = Record<string, Record<string, unknown>>;

/** Per page name: each rule's value (a string, null or an array), the failed rules, the microdata types. */
function stored(dbPath: string): Values {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: Values = {};
    for (const p of db
      .prepare('SELECT id, url, error, extract_errors, microdata_types FROM pages')
      .all() as Array<Record<string, string | number | null>>) {
      const name = String(p.url).split('/').pop() as string;
      const rows = db
        .prepare('SELECT rule, position, value FROM extracts WHERE page_id = ? ORDER BY rule, position')
        .all(p.id) as Array<{ rule: string; position: number; value: string | null }>;
      const v: Record<string, unknown> = { error: p.error, microdata: p.microdata_types };
      for (const r of rows) {
        if (r.rule === 'tags') ((v.tags ??= []) as unknown[]).push(r.value);
        else v[r.rule] = r.value;
      }
      v.tags ??= [];
      v.failed = p.extract_errors ? Object.keys(JSON.parse(String(p.extract_errors))) : [];
      out[name] = v;
    }
    return out;
  } finally {
    db.close();
  }
}

function expectValues(v: Values): void {
  expect(Object.keys(v).sort()).toEqual([...PAGES, 'evil.html'].sort());
  expect(v['nytimes-1.html']).toMatchObject({
    error: null,
    title: 'United States to Lift Sudan Sanctions - The New York Times',
    tags: ['Embargoes and Sanctions', 'Sudan', 'South Sudan', 'United States'],
    venue: null,
    failed: [],
  });
  expect(v['nytimes-1.html'].microdata).toMatch(/http:\/\/schema.org\/NewsArticle/);
  expect(v['extruct-songkick-elysianfields.html']).toMatchObject({
    venue: 'The Owl Music Parlor',
    app: '438690886',
    microdata: null,
    failed: [],
  });
  expect(v['extruct-microdata-with-description.html'].microdata).toBe(
    'http://schema.org/Product http://schema.org/AggregateOffer http://schema.org/Offer',
  );
  // The catastrophic pattern fails on the one page that triggers it; the page and its other rules are fine.
  expect(v['evil.html']).toMatchObject({ error: null, title: 'evil', evil: null, failed: ['evil'] });
}

const extractFlags = [...RULES.flatMap((r) => ['--extract', r]), '--microdata'];

describe('rules across the fleet', () => {
  it('a worker in another process applies the rules the crawl was submitted with', {
    timeout: 120_000,
  }, async () => {
    const db = join(dir, 'fleet.db');
    const prefix = testPrefix();
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--log-level', 'warn'];
    const store = startCli(['store', '--db', db, ...common]);
    // The worker itself has no rules: they come with the crawl.
    const worker = startCli(['worker', '--allow-private', ...common]);
    const sub = await runMain([
      'submit',
      seeds,
      '--crawl',
      'rules',
      '--host-rate',
      'unlimited',
      ...extractFlags,
      ...common,
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    const deadline = Date.now() + 90_000;
    let n = 0;
    while (Date.now() < deadline && n < 4) {
      const st = await runMain(['status', '--crawl', 'rules', '--json', ...common]);
      n = JSON.parse(st.stdout).crawls[0].stored;
      if (n < 4) await new Promise((r) => setTimeout(r, 300));
    }
    expect(n).toBe(4);
    for (const p of [worker, store]) p.kill('SIGTERM');
    for (const r of await Promise.all([worker.result, store.result])) expect(r.code, r.stderr).toBe(0);
    expectValues(stored(db));
  });

  it('crawl --workers 2 (worker threads) stores the same values', { timeout: 120_000 }, async () => {
    const db = join(dir, 'threads.db');
    const res = await runCli([
      'crawl',
      seeds,
      '--db',
      db,
      '--workers',
      '2',
      '--allow-private',
      '--host-rate',
      'unlimited',
      '--no-progress',
      '--log-level',
      'warn',
      ...extractFlags,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expectValues(stored(db));
  });
});
