/**
 * The frontier bound in force (`--queue-window 5`) on a crawl of 1,050 URLs, through a `submit` killed with
 * SIGKILL half-way and run again, and a worker killed with SIGKILL mid-crawl: every URL ends with exactly one
 * row, and only the fetches cut off by the kill are made twice.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/keys.js';
import { readCrawlStats } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { type Site, startSite } from '../../tools/site.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import {
  cleanup,
  FAST_ENV,
  pageRows,
  rowCounts,
  runCli,
  seedFile,
  spawnCli,
  tempDir,
  waitFor,
} from './helpers.js';

const WINDOW = 5;
const CONCURRENCY = 8;
let site: Site;
let dir: string;
let redis: Redis;

beforeAll(async () => {
  dir = tempDir('frontier');
  site = await startSite({ hosts: 3, pagesPerHost: 350, firstOctet: 155, linksPerPage: 1, latencyMs: 30 });
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  redis?.disconnect();
  await site?.close();
  cleanup();
});

describe('a crawl larger than the queue window', () => {
  it('ends with exactly one row per URL across a killed submit, its rerun and a killed worker', async () => {
    const db = `${dir}/frontier.db`;
    const prefix = testPrefix();
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--log-level', 'warn'];
    const workerArgs = ['worker', '--allow-private', '--concurrency', String(CONCURRENCY)].concat([
      '--queue-window',
      String(WINDOW),
      ...common,
    ]);
    const submitArgs = ['--crawl', 'fr', '--host-rate', '0', '--host-concurrency', '100', ...common];
    const urls = site.urls;
    expect(urls).toHaveLength(1050);
    const store = spawnCli(['store', '--db', db, '--batch-size', '20', ...common]);
    const doomed = spawnCli(workerArgs, FAST_ENV);

    // submit reads its first batch (1,000 URLs) from stdin and is killed before the rest arrives.
    const first = spawnCli(['submit', '-', ...submitArgs], FAST_ENV);
    first.stdin?.write(`${urls.slice(0, 1000).join('\n')}\n`);
    await waitFor(
      '1,000 submitted',
      async () => (await readCrawlStats(redis, prefix, 'fr')).submitted >= 1000,
    );
    first.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');

    // The worker dies with fetches in flight; meanwhile the queue holds about the window, the rest waits.
    const inFlight = () => site.log.filter((e) => e.end === undefined).length;
    await waitFor('30 rows and 4 fetches in flight', () => rowCounts(db, 'fr').rows >= 30 && inFlight() >= 4);
    const ready = await redis.zcard(`${keys(prefix).bullPrefix}:crawl:prioritized`);
    expect(ready).toBeLessThanOrEqual(WINDOW + CONCURRENCY);
    expect((await readCrawlStats(redis, prefix, 'fr')).frontier).toBeGreaterThan(500);
    doomed.kill('SIGKILL');
    expect((await doomed.result).signal).toBe('SIGKILL');

    // Run again with the whole list: only the 50 URLs it never read are new.
    const again = await runCli(['submit', seedFile(dir, 'all.txt', urls), ...submitArgs], { env: FAST_ENV });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('50 URLs submitted, 1000 duplicates skipped');

    const rescuer = spawnCli(workerArgs, FAST_ENV);
    await waitFor('every row', () => rowCounts(db, 'fr').rows >= urls.length, 90_000, 100);
    rescuer.kill('SIGTERM');
    store.kill('SIGTERM');
    const [r, s] = await Promise.all([rescuer.result, store.result]);
    expect(r.code, r.stderr).toBe(0);
    expect(s.code, s.stderr).toBe(0);

    const rows = pageRows(db, 'fr');
    expect(rows).toHaveLength(urls.length);
    expect(new Set(rows.map((x) => x.url))).toEqual(new Set(urls));
    expect(rows.filter((x) => x.error !== null || x.status !== 200)).toEqual([]);
    // Every URL was requested; twice only for fetches the dead worker had in flight.
    const perUrl = new Map<string, number>();
    for (const e of site.log.filter((x) => x.path.startsWith('/page/')))
      perUrl.set(`${e.host}${e.path}`, (perUrl.get(`${e.host}${e.path}`) ?? 0) + 1);
    expect(perUrl.size).toBe(urls.length);
    expect([...perUrl.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(CONCURRENCY);
    const stats = await readCrawlStats(redis, prefix, 'fr');
    expect(stats).toMatchObject({ submitted: urls.length, stored: urls.length, frontier: 0 });
  }, 150_000);
});
