/**
 * `cancel` in-process on the test Redis, with jobs placed the way workers leave them: what it records, what
 * it frees at the hosts, and what it says when run twice. (The fleet suite cancels crawls of real workers.)
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { cancelCrawl } from '../../src/control/commands.js';
import { delayedHosts } from '../../src/crawl-turns.js';
import { keys } from '../../src/keys.js';
import { jobId, openQueue, saveCrawlSettings } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { parseRecord } from '../../src/stream.js';
import type { CrawlJobData } from '../../src/types.js';
import { PolitenessGate } from '../../src/worker/politeness/gate.js';
import { runMain } from '../fleet/helpers.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
const queues: Queue<CrawlJobData>[] = [];
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await redis.quit();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function crawlWithJobs(prefix: string, crawl: string, n: number): Promise<Queue<CrawlJobData>> {
  await saveCrawlSettings(redis, prefix, crawl, DEFAULTS.crawl);
  const queue = openQueue(redis, prefix);
  queues.push(queue);
  for (let i = 0; i < n; i++) await delayJob(queue, crawl, i);
  return queue;
}

/** A job the way a worker leaves one that waits for its turn at a host: in the delayed set, a minute out. */
async function delayJob(queue: Queue<CrawlJobData>, crawl: string, i: number): Promise<void> {
  const url = `http://a.example/${i}`;
  const data: CrawlJobData = { crawl, url, depth: 0, from: null, seed: url, queuedAt: Date.now() };
  await queue.add('page', data, { jobId: jobId(crawl, `h${i}`), delay: 60_000 });
}

async function cancelledUrls(prefix: string): Promise<string[]> {
  const entries = await redis.xrange(keys(prefix).results, '-', '+');
  return entries
    .map(([, fields]) => parseRecord(fields))
    .filter((r) => r.error === 'CANCELLED')
    .map((r) => r.url)
    .sort();
}

describe('cancelCrawl', () => {
  it('records the jobs that workers not yet aware of the cancel delay while it settles', async () => {
    const prefix = testPrefix();
    const queue = await crawlWithJobs(prefix, 'x', 3);
    // A worker whose cached state still says "running" delays one more job after the first sweep.
    const late = sleep(100).then(() => delayJob(queue, 'x', 3));
    const r = await cancelCrawl(redis, prefix, 'x', { settleMs: 300 });
    await late;
    expect(r).toMatchObject({ state: 'cancelled', cancelled: 4 });
    expect(await queue.getDelayedCount()).toBe(0);
    expect(await cancelledUrls(prefix)).toEqual([0, 1, 2, 3].map((i) => `http://a.example/${i}`));
  });

  it("drops the crawl's booked turns at every host, and no other crawl's", async () => {
    const prefix = testPrefix();
    await crawlWithJobs(prefix, 'gone', 0);
    const gate = new PolitenessGate(redis, prefix);
    const limits = { ratePerSec: 1, concurrency: 2 };
    for (const crawl of ['gone', 'kept'])
      for (const host of ['a.example', 'b.example'])
        for (let i = 0; i < 5; i++) await gate.acquire(crawl, host, limits, `${crawl}${host}${i}`, 'book');
    expect((await delayedHosts(redis, prefix, 'gone')).total).toBe(2);
    const r = await cancelCrawl(redis, prefix, 'gone', { settleMs: 0 });
    expect(r.releasedHosts).toBe(2);
    expect(await delayedHosts(redis, prefix, 'gone')).toEqual({ total: 0, hosts: [] });
    expect(await redis.keys(`${prefix}:crawl:gone:host:*`)).toEqual([]);
    expect((await delayedHosts(redis, prefix, 'kept')).total).toBe(2);
  });

  it('says a crawl was already cancelled, as pause says already paused', async () => {
    const prefix = testPrefix();
    await crawlWithJobs(prefix, 'twice', 2);
    const common = ['--crawl', 'twice', '--redis', testRedisUrl(), '--prefix', prefix];
    const first = await runMain(['cancel', ...common]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^crawl twice cancelled: 2 queued URLs recorded as CANCELLED, 0 in flight/);
    const again = await runMain(['cancel', ...common]);
    expect(again.code, again.err).toBe(0);
    expect(again.out.trim()).toBe('crawl twice was already cancelled');
  });
});
