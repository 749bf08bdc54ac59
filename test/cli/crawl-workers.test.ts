import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Site, startSite } from '../../tools/site.js';
import { runCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let site: Site;
let dir: string;
let seeds: string;

beforeAll(async () => {
  site = await startSite({ hosts: 10, pagesPerHost: 30, firstOctet: 70 });
  dir = mkdtempSync(join(tmpdir(), 'mc-crawl-workers-'));
  seeds = join(dir, 'seeds.txt');
  writeFileSync(seeds, `${site.urls.join('\n')}\n`);
});
afterAll(async () => {
  await site?.close();
});

describe('metacrawl crawl --workers', () => {
  it('runs extra workers on threads and still fetches and stores every page exactly once', async () => {
    const db = join(dir, 'workers.db');
    const res = await runCli([
      'crawl',
      seeds,
      '--allow-private',
      '--host-rate',
      '0',
      '--host-concurrency',
      '4',
      '--concurrency',
      '8',
      '--workers',
      '3',
      '--no-progress',
      '--redis',
      testRedisUrl(),
      '--prefix',
      testPrefix(),
      '--db',
      db,
      '--crawl',
      'threads',
      '--log-level',
      'info',
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/"threads":2,"msg":"more workers started on threads"/);
    expect(res.stdout).toContain('pages stored   300 (300 ok, 0 failed)');

    const d = new Database(db, { readonly: true });
    const rows = d.prepare('SELECT url, error, title FROM pages').all() as {
      url: string;
      error: string | null;
      title: string | null;
    }[];
    d.close();
    expect(new Set(rows.map((r) => r.url))).toEqual(new Set(site.urls));
    expect(rows.every((r) => r.error === null && r.title)).toBe(true);
    const pageHits = new Map<string, number>();
    for (const e of site.log)
      if (e.path !== '/robots.txt')
        pageHits.set(`${e.host}${e.path}`, (pageHits.get(`${e.host}${e.path}`) ?? 0) + 1);
    expect(pageHits.size).toBe(300);
    expect([...pageHits.values()].every((n) => n === 1)).toBe(true);
  });

  it('refuses a --workers that is not a positive integer or auto', async () => {
    const res = await runCli(['crawl', seeds, '--workers', '0', '--redis', testRedisUrl()]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--workers must be a positive integer');
  });
});
