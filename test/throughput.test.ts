/**
 * pages/s is defined once (src/throughput.ts): pages stored ÷ seconds from the crawl's first fetch to its
 * last. `status` (from Redis) and the explorer (from the database) give the same figure for one crawl.
 */
import { describe, expect, it } from 'vitest';
import { collectStatus } from '../src/cli/status.js';
import { keys } from '../src/keys.js';
import { connectRedis } from '../src/redis.js';
import { ExplorerReader, openReadOnly } from '../src/serve/reader.js';
import { runStoreWriter } from '../src/store/consumer.js';
import { openDb } from '../src/store/db.js';
import { publishRecords } from '../src/stream.js';
import { pagesPerSecond } from '../src/throughput.js';
import { testPrefix, testRedisUrl } from './helpers/redis.js';
import { okRecord, tempDir } from './store/records.js';

describe('pagesPerSecond', () => {
  it.each([
    [10, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:04.000Z', 2.5],
    [10, 1_000, 5_000, 2.5],
    [1, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', null],
    [0, null, null, null],
    [5, 1_000, null, null],
    [5, 'not a date', 2_000, null],
  ])('%d pages from %j to %j → %j', (pages, first, last, expected) => {
    expect(pagesPerSecond(pages, first, last)).toBe(expected);
  });
});

describe('status and the explorer', () => {
  it('report the same pages/s for a finished crawl, however long ago it started', async () => {
    const t = tempDir();
    const prefix = testPrefix();
    const redis = connectRedis(testRedisUrl());
    const reader = connectRedis(testRedisUrl());
    const db = openDb(t.dbPath);
    try {
      // 20 pages fetched over 4 s, by a crawl submitted 10 minutes ago and finished long before now.
      const t0 = Date.now() - 600_000;
      const records = Array.from({ length: 20 }, (_, i) => ({
        ...okRecord('same', `https://example.com/${i}`),
        fetchedAt: new Date(t0 + 60_000 + (i * 4000) / 19).toISOString(),
      }));
      await redis.hset(keys(prefix).crawlStats('same'), 'startedAt', t0, 'submitted', 20, 'submitDone', 1);
      await redis.sadd(keys(prefix).crawls, 'same');
      await publishRecords(redis.pipeline(), prefix, records).exec();
      const ac = new AbortController();
      const writing = runStoreWriter({ redis: reader, prefix, db, signal: ac.signal, blockMs: 100 });
      const deadline = Date.now() + 15_000;
      while ((db.prepare('SELECT count(*) FROM pages').pluck().get() as number) < 20 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      ac.abort();
      await writing;

      const status = await collectStatus(redis, prefix, 'same', testRedisUrl());
      const explorer = new ExplorerReader(openReadOnly(t.dbPath));
      const rate = explorer.crawlByName('same')?.rate ?? null;
      explorer.close();
      expect(rate).toBeCloseTo(5, 10);
      expect(status.crawls[0].pagesPerSec).toBe(5);
      expect(status.crawls[0].etaSec).toBe(0);
    } finally {
      db.close();
      const left = await redis.keys(`${prefix}:*`);
      if (left.length) await redis.del(...left);
      redis.disconnect();
      reader.disconnect();
      t.cleanup();
    }
  });
});
