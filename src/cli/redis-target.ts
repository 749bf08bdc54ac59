/** Which Redis a command talks to: --redis / REDIS_URL, or (crawl only) a private redis-server beside the db. */
import { resolve } from 'node:path';
import { assertRedisReachable, type PrivateRedis, startPrivateRedis } from '../redis.js';

export interface RedisTarget {
  url: string;
  private: PrivateRedis | null;
  stop(): Promise<void>;
}

export async function resolveRedis(url: string | null, dbPath: string | null): Promise<RedisTarget> {
  if (url) {
    await assertRedisReachable(url);
    return { url, private: null, stop: async () => {} };
  }
  if (!dbPath) {
    throw new Error('no Redis given: pass --redis redis://host:6379 or set REDIS_URL');
  }
  // Data beside the database, AOF on: a second run with the same --crawl resumes from it.
  const dir = `${resolve(dbPath)}.redis`;
  const pr = await startPrivateRedis(dir);
  return { url: pr.url, private: pr, stop: () => pr.stop() };
}
