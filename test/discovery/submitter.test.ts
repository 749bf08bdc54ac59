import { type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { keys, QUEUE_NAME } from '../../src/keys.js';
import { type SubmitItem, Submitter } from '../../src/producer/submit.js';
import { jobId, openQueue, readCrawlStats } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import type { CrawlJobData } from '../../src/types.js';
import { urlHash } from '../../src/url/normalize.js';
import { Feeder } from '../../src/worker/feeder.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
let queue: Queue<CrawlJobData>;
let prefix: string;
const CRAWL = 'sub';

beforeEach(() => {
  redis = connectRedis(testRedisUrl());
  prefix = testPrefix();
  queue = openQueue(redis, prefix);
});
afterEach(async () => {
  await queue.close();
  redis.disconnect();
});

function submitter(s: Partial<CrawlSettings> = {}): Submitter {
  return new Submitter(redis, prefix, CRAWL, { ...DEFAULTS.crawl, ...s });
}

/** Moves every waiting URL from the frontier into the queue, as the workers' feeders do. */
async function feed(): Promise<number> {
  const feeder = new Feeder({
    redis,
    prefix,
    queue,
    window: 10_000,
    settings: async () => ({ ...DEFAULTS.crawl, hostRate: Number.POSITIVE_INFINITY }),
  });
  let n = 0;
  for (let fed = -1; fed !== 0; n += fed) fed = await feeder.feedOnce();
  return n;
}

const link = (url: string, depth: number, from: string, seed = 'https://s.example/'): SubmitItem => ({
  url,
  depth,
  from,
  seed,
});

async function data(url: string): Promise<CrawlJobData | undefined> {
  return (await queue.getJob(jobId(CRAWL, urlHash(url).toString('hex'))))?.data;
}

describe('Submitter: the seen set', () => {
  it('lets exactly one of 50 concurrent parents reserve a shared link', async () => {
    const sub = submitter();
    const x = 'https://s.example/target';
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const parent = `https://s.example/p${i}`;
        return submitter().addDiscovered([link(x, 2, parent)]);
      }),
    );
    expect(results.reduce((n, r) => n + r.added, 0)).toBe(1);
    expect(await feed()).toBe(1);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(1);
    const stats = await readCrawlStats(redis, prefix, CRAWL);
    expect(stats.submitted).toBe(1);
    expect(stats.duplicates).toBe(49);
    expect((await sub.addSeeds([{ url: x, depth: 0, from: null, seed: x }])).added).toBe(0);
  });

  it('moves a URL waiting in the frontier to a shallower depth and parent when found again', async () => {
    const sub = submitter();
    const x = 'https://s.example/x';
    await sub.addDiscovered([link(x, 3, 'https://s.example/deep', 'https://s.example/')]);
    const r = await sub.addDiscovered([link(x, 1, 'https://t.example/top', 'https://t.example/')]);
    expect(r.added).toBe(0);
    // Deeper again: no change.
    await sub.addDiscovered([link(x, 2, 'https://s.example/deeper')]);
    // The superseded entries are dropped when a feeder reaches them: one job, at the shallowest depth.
    expect(await feed()).toBe(1);
    expect(await data(x)).toMatchObject({ depth: 1, from: 'https://t.example/top', seed: x });
    expect((await readCrawlStats(redis, prefix, CRAWL)).submitted).toBe(1);
    expect(await redis.hget(keys(prefix).crawlStats(CRAWL), 'frontier')).toBe('0');
  });

  it('moves a queued URL to a shallower depth, parent and seed before it is fetched', async () => {
    const sub = submitter();
    const x = 'https://s.example/x';
    await sub.addDiscovered([link(x, 3, 'https://s.example/deep', 'https://s.example/')]);
    await feed();
    expect((await data(x))?.depth).toBe(3);
    const r = await sub.addDiscovered([link(x, 1, 'https://t.example/top', 'https://t.example/')]);
    expect(r.added).toBe(0);
    expect(await data(x)).toMatchObject({ depth: 1, from: 'https://t.example/top', seed: x });
    // Deeper again: no change.
    await sub.addDiscovered([link(x, 2, 'https://s.example/deeper')]);
    expect(await data(x)).toMatchObject({ depth: 1, from: 'https://t.example/top' });
    // Given as a seed later: depth 0, no parent, its own seed.
    await sub.addSeeds([{ url: x, depth: 0, from: null, seed: x }]);
    expect(await data(x)).toMatchObject({ depth: 0, from: null, seed: x });
    const stats = await readCrawlStats(redis, prefix, CRAWL);
    expect(stats.submitted).toBe(1);
    expect(await feed()).toBe(0);
    expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(1);
  });

  it('keeps the depth of a URL whose fetch has started (its job is locked by a worker)', async () => {
    const sub = submitter();
    const x = 'https://s.example/busy';
    await sub.addDiscovered([link(x, 3, 'https://s.example/deep')]);
    await feed();
    const conn = connectRedis(testRedisUrl());
    const worker = new Worker<CrawlJobData>(QUEUE_NAME, null, {
      connection: conn,
      prefix: keys(prefix).bullPrefix,
      autorun: false,
    });
    try {
      const job = await worker.getNextJob('token-1');
      expect(job?.data.url).toBe(x);
      await sub.addDiscovered([link(x, 1, 'https://s.example/top')]);
      expect(await data(x)).toMatchObject({ depth: 3, from: 'https://s.example/deep' });
    } finally {
      await worker.close(true);
      conn.disconnect();
    }
  });

  it('reserves and queues in one step: a parent retried after its worker died adds nothing twice', async () => {
    const sub = submitter();
    const parent = 'https://s.example/parent';
    const kids = ['https://s.example/k1', 'https://s.example/k2'].map((u) => link(u, 1, parent));
    expect((await sub.addDiscovered(kids)).added).toBe(2);
    const again = await sub.addDiscovered(kids);
    expect(again).toEqual({ added: 0, duplicates: 2, overBudget: 0 });
    expect(await feed()).toBe(2);
    expect((await data(kids[0].url))?.from).toBe(parent);
    expect((await data(kids[1].url))?.from).toBe(parent);
    // Another page finding them is a duplicate and adds nothing.
    expect((await sub.addDiscovered([link(kids[0].url, 1, 'x')])).duplicates).toBe(1);
    expect((await readCrawlStats(redis, prefix, CRAWL)).submitted).toBe(2);
    expect(await feed()).toBe(0);
  });
});

describe('Submitter: budgets', () => {
  it('stops --max-pages at the exact count, seeds included but never dropped', async () => {
    const sub = submitter({ maxPages: 10 });
    const seeds = Array.from({ length: 12 }, (_, i) => `https://s.example/seed${i}`);
    expect((await sub.addSeeds(seeds.map((url) => ({ url, depth: 0, from: null, seed: url })))).added).toBe(
      12,
    );
    const none = await sub.addDiscovered([link('https://s.example/l0', 1, seeds[0])]);
    expect(none).toEqual({ added: 0, duplicates: 0, overBudget: 1 });

    const sub2 = new Submitter(redis, prefix, 'b2', { ...DEFAULTS.crawl, maxPages: 10 });
    await sub2.addSeeds([{ url: 'https://s.example/', depth: 0, from: null, seed: 'https://s.example/' }]);
    const batches = await Promise.all(
      Array.from({ length: 5 }, (_, b) =>
        sub2.addDiscovered(
          Array.from({ length: 6 }, (_, i) =>
            link(`https://s.example/b${b}/${i}`, 1, `https://s.example/p${b}`),
          ),
        ),
      ),
    );
    expect(batches.reduce((n, r) => n + r.added, 0)).toBe(9);
    expect(batches.reduce((n, r) => n + r.overBudget, 0)).toBe(21);
    const stats = await readCrawlStats(redis, prefix, 'b2');
    expect(stats).toMatchObject({ submitted: 10, budgetHit: 'max-pages', overBudget: 21 });
  });

  it('stops --max-pages-per-host per host key at the exact count', async () => {
    const sub = submitter({ maxPagesPerHost: 3 });
    await sub.addSeeds([{ url: 'https://a.example/', depth: 0, from: null, seed: 'https://a.example/' }]);
    const items = ['a', 'b'].flatMap((h) =>
      Array.from({ length: 5 }, (_, i) => link(`https://${h}.example/${i}`, 1, 'https://a.example/')),
    );
    const r = await sub.addDiscovered(items);
    expect(r.added).toBe(2 + 3);
    expect(r.overBudget).toBe(5);
    const hosts = await redis.hgetall(keys(prefix).crawlHosts(CRAWL));
    expect(hosts).toEqual({ 'a.example': '3', 'b.example': '3' });
    expect((await readCrawlStats(redis, prefix, CRAWL)).budgetHitHost).toMatch(/^[ab]\.example$/);
  });
});
