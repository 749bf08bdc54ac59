/**
 * A crawl's booked turns at hosts, as the politeness gate's scripts keep them (src/worker/lua/acquire.lua;
 * keys crawlDelayedHosts, crawlHostState, crawlHostSlots): read by `status`, dropped by `cancel`. Shared
 * below the stages so the control stage needs nothing of the worker's.
 */
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export interface DelayedHost {
  host: string;
  /** The crawl whose jobs wait: turns are booked per crawl. */
  crawl: string;
  /** Redis time when the crawl's booked turns at the host run out (an estimate), epoch ms. */
  untilMs: number;
  /** The crawl's limit that spaces its turns, e.g. `rate 1/s`, `concurrency 2`, `Crawl-delay 5s`. */
  reason: string;
}

/**
 * Hosts where a crawl's jobs are waiting for booked turns right now, longest backlog first (at most
 * `limit`), and how many there are in all. For `status`: "why is this crawl slow?".
 */
export async function delayedHosts(
  redis: Redis,
  prefix: string,
  crawl: string,
  limit = 20,
): Promise<{ total: number; hosts: DelayedHost[] }> {
  const k = keys(prefix);
  const key = k.crawlDelayedHosts(crawl);
  const [sec, usec] = await redis.time();
  const nowMs = Number(sec) * 1000 + Number(usec) / 1000;
  const [total, flat] = await Promise.all([
    redis.zcount(key, `(${nowMs}`, '+inf'),
    redis.zrevrangebyscore(key, '+inf', `(${nowMs}`, 'WITHSCORES', 'LIMIT', 0, limit),
  ]);
  const hosts: DelayedHost[] = [];
  for (let i = 0; i < flat.length; i += 2)
    hosts.push({ host: flat[i], crawl, untilMs: Number(flat[i + 1]), reason: '' });
  const reasons = await Promise.all(
    hosts.map((h) => redis.hget(k.crawlHostState(crawl, h.host), 'waitReason')),
  );
  for (const [i, h] of hosts.entries()) h.reason = reasons[i] ?? '';
  return { total, hosts };
}

/**
 * Drops a crawl's turns and leases at every host where it has booked turns (for `cancel`): its state is
 * its own, so this frees nothing another crawl waits for, but leaves no backlog in `status` or Redis.
 * Returns the number of hosts. Leases at other hosts belong to requests in flight and go when they end.
 */
export async function dropCrawlTurns(redis: Redis, prefix: string, crawl: string): Promise<number> {
  const k = keys(prefix);
  const key = k.crawlDelayedHosts(crawl);
  let cursor = '0';
  let n = 0;
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (let i = 0; i < flat.length; i += 2) {
      pipe.del(k.crawlHostState(crawl, flat[i]), k.crawlHostSlots(crawl, flat[i]));
      n++;
    }
    if (flat.length > 0) await pipe.exec();
  } while (cursor !== '0');
  await redis.del(key);
  return n;
}
