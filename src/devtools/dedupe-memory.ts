/**
 * Measures what the fleet-wide dedupe costs in Redis: fills one crawl's seen set with `n` discovered URLs through
 * reserve.lua (the script every worker runs) and compares INFO memory before and after. Run it against a
 * private, otherwise idle redis-server: anything else writing there skews the figure. Used by the benchmark.
 */
import { randomBytes } from 'node:crypto';
import { keys } from '../keys.js';
import { defineScript } from '../lua.js';
import { urlHash } from '../producer/normalize.js';
import { connectRedis } from '../redis.js';

export interface DedupeMemory {
  /** Redis memory per seen URL, in bytes. */
  bytesPerUrl: number;
  urls: number;
  usedBefore: number;
  usedAfter: number;
}

const BATCH = 5000;

export async function measureDedupeMemory(redisUrl: string, n: number): Promise<DedupeMemory> {
  const redis = connectRedis(redisUrl);
  const prefix = `mc-dedupe-${randomBytes(4).toString('hex')}`;
  const crawl = 'memory';
  const k = keys(prefix);
  const reserve = defineScript(redis, 'mcSubmitReserve', 'producer/lua/reserve.lua', 2);
  const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  try {
    const usedBefore = await used();
    const parent = 'https://site-0.example/';
    const owner = urlHash(parent).subarray(0, 4);
    for (let i = 0; i < n; i += BATCH) {
      const args: Array<string | number | Buffer> = [
        'link',
        owner,
        1,
        parent,
        parent,
        -1,
        -1,
        k.crawlSeen(crawl),
        `${prefix}:crawl:${crawl}~`,
      ];
      for (let j = i; j < Math.min(n, i + BATCH); j++) {
        const url = `https://site-${j % 1000}.example/section/${j % 97}/page-${j}.html`;
        const hash = urlHash(url);
        args.push(hash.toString('hex'), hash.subarray(2), `site-${j % 1000}.example`);
      }
      await reserve(k.crawlStats(crawl), k.crawlHosts(crawl), ...args);
    }
    const usedAfter = await used();
    return { bytesPerUrl: (usedAfter - usedBefore) / n, urls: n, usedBefore, usedAfter };
  } finally {
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  }
}

async function deleteKeys(redis: ReturnType<typeof connectRedis>, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (batch.length > 0) await redis.unlink(...batch);
  } while (cursor !== '0');
}
