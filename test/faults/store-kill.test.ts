/**
 * The store writer killed with SIGKILL in the middle of a batch (entries read from the stream, not yet
 * acknowledged) and started again: it re-reads its pending entries; no row is lost and none is duplicated.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, RESULTS_GROUP } from '../../src/keys.js';
import { publishRecords } from '../../src/stream.js';
import { testPrefix, testRedisUrl } from '../helpers/redis.js';
import { okRecord } from '../store/records.js';
import { cleanup, pageRows, spawnCli, tempDir, waitFor } from './helpers.js';

// Many links per record make each batch a long transaction, so the kill lands inside one.
const PAGES = 300;
const LINKS = 200;
let dir: string;
let redis: Redis;

beforeAll(async () => {
  dir = tempDir('store-kill');
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  redis?.disconnect();
  cleanup();
});

async function pendingOfWriter(prefix: string): Promise<number> {
  try {
    const info = (await redis.xpending(keys(prefix).results, RESULTS_GROUP)) as [number, ...unknown[]];
    return Number(info[0]);
  } catch {
    return 0;
  }
}

describe('store writer killed with SIGKILL mid-batch', () => {
  it('re-reads its pending entries after a restart: no row lost, none duplicated', async () => {
    const db = `${dir}/store.db`;
    const prefix = testPrefix();
    const urls = Array.from({ length: PAGES }, (_, i) => `http://127.0.0.42/p/${i}`);
    const common = ['--redis', testRedisUrl(), '--prefix', prefix, '--log-level', 'warn'];

    // Results pile up in the stream first (no writer yet), so the writer's first batch is a big one.
    const stream = keys(prefix).results;
    const records = urls.map((u) => okRecord('sk', u, { links: LINKS }));
    await publishRecords(redis.pipeline(), prefix, records).exec();
    expect(await redis.xlen(stream)).toBe(PAGES);

    const storeArgs = ['store', '--db', db, '--batch-size', String(PAGES), ...common];
    const first = spawnCli(storeArgs);
    // The moment entries are delivered to the writer (pending, not acknowledged), kill it.
    await waitFor('a batch in the writer', async () => (await pendingOfWriter(prefix)) > 0, 20_000, 2);
    first.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const pendingAtKill = await pendingOfWriter(prefix);
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(pageRows(db, 'sk').length).toBeLessThan(PAGES);

    const second = spawnCli(storeArgs);
    await waitFor('every row', () => pageRows(db, 'sk').length >= PAGES, 30_000, 100);
    await waitFor('the stream drained', async () => (await redis.xlen(stream)) === 0, 10_000);
    second.kill('SIGTERM');
    const s = await second.result;
    expect(s.code, s.stderr).toBe(0);

    const rows = pageRows(db, 'sk');
    expect(rows).toHaveLength(PAGES);
    expect(new Set(rows.map((r) => r.url))).toEqual(new Set(urls));
    for (const r of rows) {
      expect(r.error).toBeNull();
      // Children replaced, not appended, when a batch is replayed.
      expect(r.links_rows).toBe(LINKS);
    }
    expect(await pendingOfWriter(prefix)).toBe(0);
    // The writer's counters are absolute, so the replay did not inflate them.
    const stats = await redis.hgetall(keys(prefix).crawlStats('sk'));
    expect(Number(stats.stored)).toBe(PAGES);
  }, 60_000);
});
