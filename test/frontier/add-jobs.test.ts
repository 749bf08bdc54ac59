/**
 * add-jobs.lua against BullMQ's own add: the feeder's batch of jobs must leave the queue exactly as BullMQ's
 * Job.addJob of each job in a MULTI (what the feeder sent before) leaves it: job hashes, the prioritized set and
 * its scores, the counters, the marker, the events stream; and the frontier lease deleted with them.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrawlSettings, DEFAULTS } from '../../src/config.js';
import { FairShare } from '../../src/control/index.js';
import { jobId } from '../../src/crawls.js';
import { bullmq } from '../../src/deps/bullmq.js';
import { encodeEntry, entryJobData } from '../../src/frontier/entry.js';
import { FrontierStore } from '../../src/frontier/store.js';
import { keys } from '../../src/keys.js';
import { openQueue } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import type { CrawlJobData } from '../../src/types.js';
import { urlHashHex } from '../../src/url/normalize.js';
import { Feeder } from '../../src/worker/feeder.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
const queues: Queue<CrawlJobData>[] = [];
beforeEach(() => {
  redis = connectRedis(testRedisUrl());
});
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  redis.disconnect();
});

const settings: CrawlSettings = { ...DEFAULTS.crawl, retries: 2 };
const entries = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    encodeEntry({
      url: `https://h${(from + i) % 3}.example/p${from + i}`,
      depth: (from + i) % 2,
      from: i % 2 ? `https://h0.example/` : null,
      lastmod: i === 1 ? '2026-01-01' : null,
    }),
  );

/** A lease as take.lua leaves it: the crawl, then its entries. */
async function lease(prefix: string, token: string, crawl: string, es: string[]): Promise<void> {
  const [leases, list] = new FrontierStore(redis, prefix).leaseKeys(token);
  await redis.rpush(list, crawl, ...es);
  await redis.zadd(leases, Date.now() + 60_000, token);
}

/** What the feeder did before add-jobs.lua: BullMQ's Job.addJob of each job and the lease's deletion in a MULTI. */
async function addWithBullmq(
  prefix: string,
  queue: Queue<CrawlJobData>,
  crawl: string,
  token: string,
  es: string[],
) {
  const fair = new FairShare(redis, prefix, crawl, settings.priority, queue.keys.prioritized);
  const priorities = await fair.next(es.length);
  const client = await queue.client;
  const multi = client.multi();
  const now = Date.now();
  const adds = es.map((e, i) => {
    const data = entryJobData(crawl, e, now);
    const id = jobId(crawl, urlHashHex(data.url));
    const opts: JobsOptions = {
      jobId: id,
      attempts: settings.retries + 1,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
      priority: priorities[i],
    };
    return new bullmq.Job<CrawlJobData>(queue, 'page', data, opts, id).addJob(multi);
  });
  await Promise.all(adds);
  new FrontierStore(redis, prefix).release(
    multi as unknown as Parameters<FrontierStore['release']>[0],
    token,
  );
  const res = (await multi.exec()) as Array<[Error | null, unknown]>;
  for (const [err] of res) expect(err).toBeNull();
}

/** Every key of the prefix and its value; times (job timestamps, queuedAt, stream ids) left out. */
async function state(prefix: string) {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${prefix}:*`)).sort()) {
    const name = key.slice(prefix.length);
    const type = await redis.type(key);
    if (type === 'hash') {
      const h: Record<string, unknown> = await redis.hgetall(key);
      if ('timestamp' in h) h.timestamp = '<time>';
      if (typeof h.opts === 'string') h.opts = JSON.parse(h.opts);
      if (typeof h.data === 'string') h.data = { ...JSON.parse(h.data), queuedAt: '<time>' };
      out[name] = h;
    } else if (type === 'zset') out[name] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'stream') out[name] = (await redis.xrange(key, '-', '+')).map(([, fields]) => fields);
    else if (type === 'list') out[name] = await redis.lrange(key, 0, -1);
    else if (type === 'string') out[name] = await redis.get(key);
    else out[name] = type;
  }
  return out;
}

describe('add-jobs.lua', () => {
  it("leaves the queue as BullMQ's own adds do: new jobs, a job already queued, a paused queue", async () => {
    const crawl = 'addjobs';
    const built: Array<Record<string, unknown>> = [];
    for (const how of ['bullmq', 'script'] as const) {
      const prefix = testPrefix();
      const queue = openQueue(redis, prefix);
      queues.push(queue);
      await queue.waitUntilReady();
      const feeder = new Feeder({ redis, prefix, queue, window: 1000, settings: async () => settings });
      const add = (token: string, es: string[]) =>
        how === 'bullmq'
          ? addWithBullmq(prefix, queue, crawl, token, es)
          : feeder['addJobs'](crawl, token, es);
      // A job the queue already holds (a claimed lease's batch queued again): left as it is.
      await lease(prefix, 't0', crawl, entries(0, 1));
      await addWithBullmq(prefix, queue, crawl, 't0', entries(0, 1));
      await lease(prefix, 't1', crawl, entries(0, 6));
      await add('t1', entries(0, 6));
      // Paused: no marker for the workers.
      await queue.pause();
      await redis.del(queue.keys.marker);
      await lease(prefix, 't2', crawl, entries(6, 3));
      await add('t2', entries(6, 3));
      built.push(await state(prefix));
    }
    const [theirs, ours] = built;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours).toEqual(theirs);
    // The scenario covers what it says: 9 jobs, one duplicated event, no lease left.
    const events = Object.entries(ours).find(([k]) => k.endsWith(':events'))?.[1] as string[][];
    expect(events.filter((f) => f[1] === 'duplicated')).toHaveLength(1);
    expect(Object.keys(ours).filter((k) => /~[0-9a-f]+$/.test(k))).toHaveLength(9);
    expect(Object.keys(ours).some((k) => k.includes('frontier:lease'))).toBe(false);
  });

  it('returns the number of jobs added, a job the queue holds left out', async () => {
    const prefix = testPrefix();
    const queue = openQueue(redis, prefix);
    queues.push(queue);
    // The feeder defines the script's command (mcAddJobs) on the connection.
    new Feeder({ redis, prefix, queue, window: 1000, settings: async () => settings });
    const k = queue.keys;
    const run = (token: string, ids: string[]) =>
      (redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>).mcAddJobs(
        k.marker,
        k.meta,
        k.id,
        k.prioritized,
        k.active,
        k.events,
        k.pc,
        ...new FrontierStore(redis, prefix).leaseKeys(token),
        k[''],
        'page',
        Date.now(),
        token,
        ...ids.flatMap((id) => [id, '{}', '{}', 1]),
      );
    await lease(prefix, 'a', 'c', ['0 https://a.example/']);
    expect(await run('a', ['c~01', 'c~02'])).toBe(2);
    expect(await run('b', ['c~02', 'c~03'])).toBe(1);
    expect(await queue.getPrioritizedCount()).toBe(3);
    expect(await redis.zcard(keys(prefix).frontierLeases)).toBe(0);
    expect(await redis.exists(new FrontierStore(redis, prefix).leaseKeys('a')[1])).toBe(0);
  });
});
