/**
 * Jobs BullMQ fails on its own still become rows: one whose workers kept dying (BullMQ's stalled check marks
 * it with a deferred failure once it stalled more than maxStalledCount times) ends as WORKER_LOST, decided by
 * that mark and not by the wording of BullMQ's message.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { keys } from '../../src/keys.js';
import { silentLogger } from '../../src/log.js';
import { jobId, openQueue } from '../../src/queue.js';
import { connectRedis } from '../../src/redis.js';
import { sleep } from '../../src/sleep.js';
import { parseRecord } from '../../src/stream.js';
import type { PageRecord } from '../../src/types.js';
import { type RunningWorker, startWorker } from '../../src/worker/index.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = connectRedis(testRedisUrl());
});
afterAll(() => {
  redis.disconnect();
});

async function records(prefix: string, n: number): Promise<PageRecord[]> {
  const deadline = Date.now() + 20_000;
  while ((await redis.xlen(keys(prefix).results)) < n && Date.now() < deadline) await sleep(50);
  const entries = await redis.xrange(keys(prefix).results, '-', '+');
  return entries.map(([, fields]) => parseRecord(fields));
}

describe('a job BullMQ fails by itself', () => {
  it('ends as WORKER_LOST when it stalled too often, whatever the failure message says', async () => {
    const prefix = testPrefix();
    const queue = openQueue(redis, prefix);
    const url = 'https://lost.example/page';
    const id = jobId('lost', 'ab12');
    await queue.add(
      'page',
      { crawl: 'lost', url, depth: 0, from: null, seed: url, queuedAt: Date.now() },
      { jobId: id, attempts: 4 },
    );
    // What BullMQ's stalled check writes once a job stalled more than maxStalledCount times; the wording is
    // not BullMQ's, so only the mark itself can tell.
    await redis.hset(queue.toKey(id), 'defa', 'gave up on this job');
    let worker: RunningWorker | null = null;
    try {
      worker = await startWorker({
        redisUrl: testRedisUrl(),
        prefix,
        concurrency: 1,
        fetch: DEFAULTS.fetch,
        defaults: DEFAULTS.crawl,
        logger: silentLogger,
      });
      const [row, ...more] = await records(prefix, 1);
      expect(more).toEqual([]);
      expect(row).toMatchObject({ crawl: 'lost', url, error: 'WORKER_LOST', status: null, attempts: 1 });
      expect(row.errorDetail).toBe(`GET ${url} → gave up on this job`);
    } finally {
      await worker?.close(1000);
      await queue.close();
    }
  });
});
