import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Site, startSite } from '../../tools/site.js';
import { runCli, startCli } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let site: Site;
let dir: string;
let seeds: string;

beforeAll(async () => {
  site = await startSite({ hosts: 20, pagesPerHost: 25, firstOctet: 20 });
  dir = mkdtempSync(join(tmpdir(), 'mc-crawl-'));
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, `${site.urls.join('\n')}\n`);
});
afterAll(async () => {
  await site?.close();
});

interface Row {
  url: string;
  title: string;
  status: number;
  error: string | null;
  meta_n: number;
  links_n: number;
  jsonld_n: number;
  jsonld_type: string;
  og_title: string;
}

function rows(dbPath: string): Row[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT p.url, p.title, p.status, p.error, p.og_title,
          (SELECT count(*) FROM meta m WHERE m.page_id = p.id) AS meta_n,
          (SELECT count(*) FROM links l WHERE l.page_id = p.id) AS links_n,
          (SELECT count(*) FROM jsonld j WHERE j.page_id = p.id) AS jsonld_n,
          (SELECT group_concat(j.type) FROM jsonld j WHERE j.page_id = p.id) AS jsonld_type
         FROM pages p ORDER BY p.url`,
      )
      .all() as Row[];
  } finally {
    db.close();
  }
}

function expectSiteRows(r: Row[]) {
  expect(r).toHaveLength(500);
  const byUrl = new Map(r.map((x) => [x.url, x]));
  for (const host of site.hosts) {
    for (const p of host.pages) {
      const row = byUrl.get(`${host.origin}${p.path}`);
      expect(row, `${host.origin}${p.path}`).toBeDefined();
      expect(row!.error).toBeNull();
      expect(row!.status).toBe(200);
      expect(row!.title).toBe(p.title);
      expect(row!.og_title).toBe(p.title);
      expect(row!.meta_n).toBe(10);
      expect(row!.links_n).toBe(p.links.length);
      expect(row!.jsonld_n).toBe(1);
      expect(row!.jsonld_type).toBe(p.jsonldType);
    }
  }
}

describe('metacrawl crawl (all in one)', () => {
  it('crawls 500 pages on 20 hosts with the private redis-server default and stores every page', async () => {
    const db = join(dir, 'all-in-one.db');
    const res = await runCli(
      [
        'crawl',
        seeds,
        '--allow-private',
        '--db',
        db,
        '--crawl',
        'demo',
        '--no-progress',
        '--log-level',
        'warn',
      ],
      {
        cwd: dir,
      },
    );
    expect(res.stderr).not.toMatch(/Error|error/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/pages stored\s+500 \(500 ok, 0 failed\)/);
    expectSiteRows(rows(db));
  }, 120_000);

  it('produces the same rows as a fleet: submit, two worker processes and one store process', async () => {
    const db = join(dir, 'fleet.db');
    const redis = testRedisUrl();
    const prefix = testPrefix();
    const common = ['--redis', redis, '--prefix', prefix, '--log-level', 'warn'];
    const store = startCli(['store', '--db', db, ...common]);
    const w1 = startCli(['worker', '--allow-private', ...common]);
    const w2 = startCli(['worker', '--allow-private', ...common]);
    // Politeness is not what this test is about: a faster host rate keeps it short.
    const sub = await runCli(['submit', seeds, '--crawl', 'fleet', '--host-rate', '20/s', ...common]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/500 URLs submitted/);
    const deadline = Date.now() + 90_000;
    let n = 0;
    // Polled through the CLI's main() in this process (a process start per poll cost more CPU than the crawl)...
    while (Date.now() < deadline) {
      const st = await runMain(['status', '--crawl', 'fleet', '--json', ...common]);
      const s = JSON.parse(st.stdout);
      n = s.crawls[0].stored;
      if (n >= 500) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(n).toBe(500);
    // ...and the real `metacrawl status` process says the same.
    const st = await runCli(['status', '--crawl', 'fleet', '--json', ...common]);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).crawls[0].stored).toBe(500);
    for (const p of [w1, w2, store]) p.kill('SIGTERM');
    const results = await Promise.all([w1.result, w2.result, store.result]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expectSiteRows(rows(db));
  }, 120_000);
});

describe('metacrawl CLI edges', () => {
  it('exits 2 with a message naming the flag for bad flags', async () => {
    const res = await runMain(['crawl', seeds, '--concurrency', 'zero', '--db', join(dir, 'x.db')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--concurrency must be a positive integer');
  });

  it('exits non-zero with one line when Redis is unreachable', async () => {
    const res = await runCli(['crawl', seeds, '--redis', 'redis://127.0.0.1:1', '--db', join(dir, 'y.db')]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it('prints help', async () => {
    const res = await runMain(['--help']);
    expect(res.code).toBe(0);
    for (const c of ['crawl', 'submit', 'worker', 'store', 'status', 'query'])
      expect(res.stdout).toContain(c);
  });
});
