/**
 * The frontier at the Redis level, with the real submit path, feeders and BullMQ (no fetching): the window,
 * hosts in turns, politeness, pause and cancel, a feeder that dies with a batch, a submit cut off half-way.
 */
import { PassThrough } from 'node:stream';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { cancelCrawl } from '../../src/control/commands.js';
import { FrontierStore } from '../../src/frontier/store.js';
import { keys } from '../../src/keys.js';
import { submitSeeds } from '../../src/producer/index.js';
import { openQueue, readCrawlStats } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { parseRecord } from '../../src/stream.js';
import type { CrawlJobData } from '../../src/types.js';
import { Feeder } from '../../src/worker/feeder.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
let queue: Queue<CrawlJobData>;
let prefix: string;

beforeEach(() => {
  redis = connectRedis(testRedisUrl());
  prefix = testPrefix();
  queue = openQueue(redis, prefix);
});
afterEach(async () => {
  await queue.close();
  redis.disconnect();
});

const unlimited: CrawlSettings = {
  ...DEFAULTS.crawl,
  hostRate: Number.POSITIVE_INFINITY,
  hostConcurrency: 0,
};

function feeder(window: number, s: CrawlSettings = unlimited, o: { leaseMs?: number } = {}): Feeder {
  return new Feeder({ redis, prefix, queue, window, settings: async () => s, leaseMs: o.leaseMs });
}

async function submit(crawl: string, urls: string[], s: CrawlSettings = unlimited): Promise<number> {
  const stdin = new PassThrough();
  stdin.end(`${urls.join('\n')}\n`);
  const r = await submitSeeds({ redis, prefix, crawl, settings: s, sources: ['-'], stdin, report: () => {} });
  return r.submitted;
}

const urlsOf = (host: string, n: number) => Array.from({ length: n }, (_, i) => `https://${host}/p${i}`);

/** Takes every ready job out of the queue, as workers finishing them would; returns their URLs. */
async function finishReady(): Promise<string[]> {
  const jobs = await queue.getJobs(['prioritized', 'wait']);
  for (const j of jobs) await j.remove();
  return jobs.map((j) => j.data.url);
}

describe('the frontier and its feeders', () => {
  it('keeps at most the window in the queue and queues every URL exactly once as it drains', async () => {
    const urls = [...urlsOf('a.example', 40), ...urlsOf('b.example', 25)];
    expect(await submit('w', urls)).toBe(65);
    expect(await queue.getJobCountByTypes('prioritized', 'wait')).toBe(0);
    expect((await readCrawlStats(redis, prefix, 'w')).frontier).toBe(65);
    const f = feeder(10);
    const fed: string[] = [];
    for (let round = 0; round < 20; round++) {
      await f.feedOnce();
      // Two feeders at once cannot overfill it: the window is checked in the same atomic step.
      await feeder(10).feedOnce();
      expect(await queue.getJobCountByTypes('prioritized', 'wait')).toBeLessThanOrEqual(10);
      fed.push(...(await finishReady()));
    }
    expect(fed.sort()).toEqual([...urls].sort());
    expect((await readCrawlStats(redis, prefix, 'w')).frontier).toBe(0);
    expect(await redis.exists(keys(prefix).crawlRing('w'))).toBe(0);
  });

  it("serves hosts in turns: one host's backlog does not hold up the others", async () => {
    // The big host comes first in the seed list; the small ones still get their share of every refill.
    await submit('t', [
      ...urlsOf('big.example', 200),
      ...urlsOf('s1.example', 3),
      ...urlsOf('s2.example', 3),
    ]);
    const f = feeder(6);
    await f.feedOnce();
    const first = await finishReady();
    expect(first.filter((u) => u.includes('//big.example')).length).toBe(2);
    expect(first.filter((u) => !u.includes('//big.example')).length).toBe(4);
    await f.feedOnce();
    const second = await finishReady();
    expect(second.filter((u) => !u.includes('//big.example')).length).toBe(2);
  });

  it('passes over a host whose politeness turns are booked far ahead, and feeds it once they run out', async () => {
    const rate: CrawlSettings = { ...DEFAULTS.crawl, hostRate: 2 };
    await submit('p', [...urlsOf('slow.example', 30), ...urlsOf('free.example', 30)], rate);
    // The crawl's booked turns at slow.example reach a minute ahead (what the gate writes, worker/lua/acquire.lua).
    const t = await redis.time();
    const nowUs = Number(t[0]) * 1e6 + Number(t[1]);
    await redis.hset(keys(prefix).crawlHostState('p', 'slow.example'), 'tail', String(nowUs + 60e6));
    const f = feeder(100, rate);
    await f.feedOnce();
    const fed = await finishReady();
    expect(fed.filter((u) => u.includes('//slow.example'))).toEqual([]);
    // At most twice rate × horizon (2 × 2/s × 5 s) per host per horizon: the rest waits in the frontier, even
    // while no job of the host has been tried yet (no turns booked, e.g. its robots.txt still on its way).
    expect(fed.filter((u) => u.includes('//free.example')).length).toBe(20);
    await f.feedOnce();
    expect(await finishReady()).toEqual([]);
    await redis.hdel(keys(prefix).crawlHostState('p', 'slow.example'), 'tail');
    await f.feedOnce();
    expect((await finishReady()).filter((u) => u.includes('//slow.example')).length).toBe(20);
  });

  it('feeds nothing of a paused crawl, and cancel records every waiting URL as CANCELLED', async () => {
    await submit('pc', urlsOf('a.example', 30));
    await redis.set(keys(prefix).crawlState('pc'), 'paused');
    expect(await feeder(100).feedOnce()).toBe(0);
    await redis.del(keys(prefix).crawlState('pc'));
    expect(await feeder(10).feedOnce()).toBe(10);
    const r = await cancelCrawl(redis, prefix, 'pc', { settleMs: 0 });
    expect(r.cancelled).toBe(30);
    const records = (await redis.xrange(keys(prefix).results, '-', '+')).map(([, f]) => parseRecord(f));
    expect(records.map((x) => x.url).sort()).toEqual(urlsOf('a.example', 30).sort());
    expect(new Set(records.map((x) => x.error))).toEqual(new Set(['CANCELLED']));
    expect((await readCrawlStats(redis, prefix, 'pc')).frontier).toBe(0);
    expect(await feeder(100).feedOnce()).toBe(0);
  });

  it('hands the batch of a feeder that died before adding it to another feeder, once', async () => {
    await submit('d', urlsOf('a.example', 12));
    // A feeder takes a batch and dies before its MULTI.
    const store = new FrontierStore(redis, prefix);
    const taken = await store.take('feed', 'd', {
      n: 5,
      window: 100,
      cap: 100,
      horizonMs: 5000,
      leaseMs: 1,
    });
    expect(taken.status === 'taken' && taken.entries.length).toBe(5);
    await new Promise((r) => setTimeout(r, 5));
    const f = feeder(100, unlimited, { leaseMs: 60_000 });
    expect(await f.feedOnce()).toBe(12);
    const fed = await finishReady();
    expect(fed.sort()).toEqual(urlsOf('a.example', 12).sort());
    expect(await redis.zcard(keys(prefix).frontierLeases)).toBe(0);
  });

  it('loses nothing and queues nothing twice when a submit is cut off half-way and run again', async () => {
    const urls = [...urlsOf('a.example', 1500), ...urlsOf('b.example', 700)];
    // The first run's input breaks after 1,200 lines: its first batch (1,000) was stored, the rest never read.
    const stdin = new PassThrough();
    stdin.write(`${urls.slice(0, 1200).join('\n')}\n`);
    setTimeout(() => stdin.destroy(new Error('killed')), 50);
    await expect(
      submitSeeds({
        redis,
        prefix,
        crawl: 'k',
        settings: unlimited,
        sources: ['-'],
        stdin,
        report: () => {},
      }),
    ).rejects.toThrow('killed');
    expect((await readCrawlStats(redis, prefix, 'k')).submitted).toBe(1000);
    expect(await submit('k', urls)).toBe(1200);
    const stats = await readCrawlStats(redis, prefix, 'k');
    expect(stats).toMatchObject({ submitted: 2200, frontier: 2200 });
    const f = feeder(5000);
    const fed: string[] = [];
    for (let n = -1; n !== 0; ) {
      n = await f.feedOnce();
      fed.push(...(await finishReady()));
    }
    expect(fed.length).toBe(2200);
    expect(new Set(fed).size).toBe(2200);
  });
});
