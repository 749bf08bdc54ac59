/**
 * One fleet (two worker processes and a store process) running several crawls: pause/resume/cancel from
 * the CLI, fair sharing between a big crawl and a small one submitted later, two crawls at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlStatus, collectStatus } from '../../src/cli/status.js';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { pauseCrawl } from '../../src/control/commands.js';
import { submitSeeds } from '../../src/producer/index.js';
import { connectRedis } from '../../src/redis.js';
import { type Site, startSite } from '../../tools/site.js';
import { runCli } from '../helpers/cli.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { countRows, type Fleet, rows, runMain, sleep, startFleet, tempDir, waitFor } from './helpers.js';

const FAIR_TURN = 25;
let dir: string;
let fleet: Fleet;
let redis: Redis;
let prefix: string;
const sites: Site[] = [];

beforeAll(async () => {
  dir = tempDir('control');
  prefix = testPrefix();
  redis = connectRedis(testRedisUrl());
  fleet = startFleet({
    dir,
    redis: testRedisUrl(),
    prefix,
    workers: 2,
    workerArgs: ['--concurrency', '16'],
    env: { METACRAWL_FAIR_TURN: String(FAIR_TURN) },
  });
});

afterAll(async () => {
  const results = await fleet?.stop();
  for (const r of results ?? []) expect(r.code, r.stderr).toBe(0);
  redis?.disconnect();
  await Promise.all(sites.map((s) => s.close()));
});

async function site(hosts: number, pagesPerHost: number, firstOctet: number): Promise<Site> {
  const s = await startSite({ hosts, pagesPerHost, firstOctet, linksPerPage: 1 });
  sites.push(s);
  return s;
}

function settings(over: Partial<CrawlSettings> = {}): CrawlSettings {
  return { ...DEFAULTS.crawl, ignoreRobots: true, hostConcurrency: 4, ...over };
}

/** Submits in-process with the same env the fleet has (the fair-share turn). */
async function submit(crawl: string, urls: string[], s: CrawlSettings): Promise<void> {
  const file = join(dir, `${crawl}.txt`);
  writeFileSync(file, `${urls.join('\n')}\n`);
  // Set and restored around every submission at once (counted): two submissions in parallel each restoring what
  // it saw would leave the other's value behind, and files of a fork share process.env (vitest isolate: false).
  if (submitting++ === 0) {
    savedTurn = process.env.METACRAWL_FAIR_TURN;
    process.env.METACRAWL_FAIR_TURN = String(FAIR_TURN);
  }
  try {
    const r = await submitSeeds({ redis, prefix, crawl, settings: s, sources: [file], report: () => {} });
    expect(r.submitted).toBe(urls.length);
  } finally {
    if (--submitting === 0) {
      if (savedTurn === undefined) delete process.env.METACRAWL_FAIR_TURN;
      else process.env.METACRAWL_FAIR_TURN = savedTurn;
    }
  }
}
let submitting = 0;
let savedTurn: string | undefined;

async function cli(...args: string[]) {
  const r = await runCli([...args, ...fleet.common]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The numbers `metacrawl status` prints (the command itself is tested in observe.test.ts). */
async function crawlStatus(crawl: string): Promise<CrawlStatus> {
  return (await collectStatus(redis, prefix, crawl, testRedisUrl())).crawls[0];
}

const pagesOf = (s: Site) => s.log.filter((e) => e.path.startsWith('/page/'));
const portOf = (s: Site, address: string) => s.hosts.find((h) => h.address === address)?.port;

describe('metacrawl pause / resume', () => {
  it('stops fetching fleet-wide within a second of pause returning, and resume fetches the rest once each', async () => {
    const s = await site(5, 30, 60);
    // 50 pages/s at most, so the crawl is still going when the pause lands on a slow machine.
    await submit('pz', s.urls, settings({ hostRate: 10 }));
    await waitFor('20 stored', () => countRows(fleet.db, 'pz') >= 20);

    // What `metacrawl pause` runs (the CLI itself is exercised below); it returns once every cache expired.
    await pauseCrawl(redis, prefix, 'pz');
    const pausedAt = Date.now();
    await sleep(1500);
    const late = pagesOf(s).filter((e) => e.at > pausedAt + 1000);
    expect(late, 'requests more than 1 s after pause returned').toEqual([]);
    const st = await crawlStatus('pz');
    expect(st.state).toBe('paused');
    const storedWhilePaused = countRows(fleet.db, 'pz');
    expect(storedWhilePaused).toBeLessThan(150);
    // The unfetched jobs are parked in the delayed set, not spinning through the workers.
    expect(Number(st.delayed) + Number(st.queued)).toBe(150 - Number(st.stored) - Number(st.active));

    expect(await cli('resume', '--crawl', 'pz')).toMatch(/crawl pz resumed: \d+ parked jobs back/);
    expect(['running', 'done']).toContain((await crawlStatus('pz')).state);
    await waitFor('150 stored', () => countRows(fleet.db, 'pz') >= 150);
    const r = rows(fleet.db, 'pz');
    expect(r).toHaveLength(150);
    expect(r.filter((x) => x.error !== null)).toEqual([]);
    // Parking spends no attempt and fetches nothing twice.
    expect(r.filter((x) => x.attempts !== 1)).toEqual([]);
    const perUrl = new Map<string, number>();
    for (const e of pagesOf(s)) perUrl.set(`${e.host}${e.path}`, (perUrl.get(`${e.host}${e.path}`) ?? 0) + 1);
    expect(perUrl.size).toBe(150);
    expect([...perUrl.values()].filter((n) => n !== 1)).toEqual([]);
    await waitFor('state done', async () => (await crawlStatus('pz')).state === 'done', 10_000);
  });
});

describe('metacrawl cancel', () => {
  it('records every URL not fetched as CANCELLED and stops fetching', async () => {
    const s = await site(5, 40, 66);
    // 10 pages/s at most: the crawl cannot be over before the cancel lands, even when a CLI start takes 7 s.
    await submit('cx', s.urls, settings({ hostRate: 2 }));
    await waitFor('10 stored', () => countRows(fleet.db, 'cx') >= 10);
    const out = await cli('cancel', '--crawl', 'cx');
    const cancelledAt = Date.now();
    expect(out).toMatch(/crawl cx cancelled: \d+ queued URLs recorded as CANCELLED/);
    await waitFor('200 rows', () => countRows(fleet.db, 'cx') >= 200);
    await sleep(200);
    const r = rows(fleet.db, 'cx');
    expect(r).toHaveLength(200);
    const cancelled = r.filter((x) => x.error === 'CANCELLED');
    const fetched = r.filter((x) => x.error === null);
    expect(cancelled.length).toBeGreaterThan(50);
    expect(cancelled.length + fetched.length).toBe(200);
    // Nothing was requested after the cancel, and no CANCELLED URL was ever requested.
    expect(pagesOf(s).filter((e) => e.at > cancelledAt + 1000)).toEqual([]);
    const requested = new Set(pagesOf(s).map((e) => `http://${e.host}:${portOf(s, e.host)}${e.path}`));
    expect(cancelled.filter((x) => requested.has(x.url))).toEqual([]);
    expect(fetched.filter((x) => !requested.has(x.url))).toEqual([]);
    const st = await crawlStatus('cx');
    expect(st.state).toBe('cancelled');
    expect(st.stored).toBe(200);
    expect(st.failedByError.CANCELLED).toBe(cancelled.length);
    // Cancel is final.
    const again = await runMain(['resume', '--crawl', 'cx', ...fleet.common]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/cancel is final/);
  });

  it('cancels the parked jobs of a paused crawl', async () => {
    const s = await site(2, 50, 72);
    await submit('pc', s.urls, settings({ hostRate: 1 }));
    expect(await cli('pause', '--crawl', 'pc')).toMatch(/crawl pc paused/);
    await cli('cancel', '--crawl', 'pc');
    await waitFor('100 rows', () => countRows(fleet.db, 'pc') >= 100);
    const r = rows(fleet.db, 'pc');
    // A few may be fetched while `pause` starts up; the rest were parked and are cancelled from there.
    expect(r.filter((x) => x.error === 'CANCELLED').length).toBeGreaterThanOrEqual(70);
    expect(r.filter((x) => x.error !== 'CANCELLED' && x.error !== null)).toEqual([]);
    const unknown = await runMain(['pause', '--crawl', 'nope', ...fleet.common]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown crawl "nope"/);
  });
});

describe('several crawls on one fleet', () => {
  it('serves a small crawl submitted after a big one long before the big one is done', async () => {
    const big = await site(5, 100, 74);
    const small = await site(4, 5, 79);
    // No politeness limits: what is measured here is queue order alone.
    const unlimited = settings({ hostRate: Number.POSITIVE_INFINITY, hostConcurrency: 0 });
    await submit('big', big.urls, unlimited);
    await waitFor('50 big stored', () => countRows(fleet.db, 'big') >= 50);
    await submit('small', small.urls, unlimited);
    await waitFor('small done', () => countRows(fleet.db, 'small') >= 20);
    await waitFor('big done', () => countRows(fleet.db, 'big') >= 500, 60_000);
    const smallLast = Math.max(...pagesOf(small).map((e) => e.at));
    const bigAfter = pagesOf(big).filter((e) => e.at > smallLast).length;
    // FIFO would fetch all of big first; in turns of 25 URLs the small crawl is done within a few turns.
    expect(bigAfter).toBeGreaterThan(200);
  });

  it('lets two crawls submitted together progress side by side', async () => {
    const a = await site(3, 50, 83);
    const b = await site(3, 50, 86);
    const unlimited = settings({ hostRate: Number.POSITIVE_INFINITY, hostConcurrency: 0 });
    await Promise.all([submit('twin-a', a.urls, unlimited), submit('twin-b', b.urls, unlimited)]);
    await waitFor('both done', () => countRows(fleet.db, 'twin-a') + countRows(fleet.db, 'twin-b') >= 300);
    const firstDone = Math.min(
      Math.max(...pagesOf(a).map((e) => e.at)),
      Math.max(...pagesOf(b).map((e) => e.at)),
    );
    // When the first twin finished, the other had most of its pages too.
    expect(pagesOf(a).filter((e) => e.at <= firstDone).length).toBeGreaterThan(100);
    expect(pagesOf(b).filter((e) => e.at <= firstDone).length).toBeGreaterThan(100);
  });
});
