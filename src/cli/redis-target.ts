/**
 * Which Redis a command talks to: --redis / REDIS_URL; for `crawl`, a private redis-server it starts beside the
 * database; for status, pause, resume, cancel and serve, the private redis-server of a crawl running on --db.
 */
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import {
  assertRedisReachable,
  connectRedis,
  disconnectRedis,
  findPrivateRedis,
  type PrivateRedis,
  redactRedisUrl,
  startPrivateRedis,
} from '../redis.js';
import { RedisLostError, watchRedis } from '../redis-outage.js';

export interface RedisTarget {
  url: string;
  private: PrivateRedis | null;
  /** Aborts (a RedisLostError as reason) when the private redis-server exits before stop(): nothing restarts it. */
  gone: AbortSignal;
  stop(): Promise<void>;
}

/** The private redis-server's data folder of a database. */
export function privateRedisDir(dbPath: string): string {
  return `${resolve(dbPath)}.redis`;
}

export async function resolveRedis(url: string | null, dbPath: string | null): Promise<RedisTarget> {
  if (url) return external(url);
  if (!dbPath) {
    throw new Error('no Redis given: pass --redis redis://host:6379 or set REDIS_URL');
  }
  // Data beside the database, AOF on: a second run with the same --crawl resumes from it.
  const pr = await startPrivateRedis(privateRedisDir(dbPath));
  const gone = new AbortController();
  let stopping = false;
  pr.process.once('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    gone.abort(
      new RedisLostError(
        `the private redis-server of ${dbPath} (pid ${pr.process.pid}) exited (${how}): run the same command again to resume`,
      ),
    );
  });
  return {
    url: pr.url,
    private: pr,
    gone: gone.signal,
    stop: () => {
      stopping = true;
      return pr.stop();
    },
  };
}

/** --redis / REDIS_URL, else the private redis-server of the crawl running on `dbPath` (status, control, serve). */
export async function findRedis(url: string | null, dbPath: string): Promise<RedisTarget> {
  if (url) return external(url);
  const found = await findPrivateRedis(privateRedisDir(dbPath));
  if (!found)
    throw new Error(
      `no Redis given and no crawl is running on ${dbPath}: pass the --db of a running crawl, or --redis redis://host:6379 (or set REDIS_URL) for a fleet`,
    );
  return { url: found.url, private: null, gone: new AbortController().signal, stop: async () => {} };
}

async function external(url: string): Promise<RedisTarget> {
  await assertRedisReachable(url);
  return { url, private: null, gone: new AbortController().signal, stop: async () => {} };
}

/**
 * Runs `fn` on a connection to `url` (closed after). When the connection gives up (an outage longer than
 * `outageMs`), `fn` sees `lost` abort and the command fails with why, not with ioredis's "Connection is closed."
 */
export async function withRedis<T>(
  url: string,
  outageMs: number | undefined,
  fn: (redis: Redis, lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const giveUp = new AbortController();
  const redis = connectRedis(url, {}, giveUp.signal);
  const watch = watchRedis(redis, redactRedisUrl(url), { outageMs });
  watch.signal.addEventListener('abort', () => giveUp.abort(), { once: true });
  try {
    return await fn(redis, watch.signal);
  } catch (err) {
    throw watch.signal.aborted ? watch.signal.reason : err;
  } finally {
    disconnectRedis(redis);
  }
}
