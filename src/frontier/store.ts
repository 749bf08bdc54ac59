/**
 * The frontier's Redis side: taking batches of waiting URLs into leases (take.lua), taking over overdue leases
 * (claim.lua), and the O(1) counts `status` shows. The producer writes the frontier (producer/lua/reserve.lua).
 */
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { keys, QUEUE_NAME } from '../keys.js';
import { defineScript, type ScriptFn } from '../lua.js';

export type TakeMode = 'feed' | 'drain';

export interface TakeOptions {
  n: number;
  /** feed: ready jobs in the queue plus leased URLs are kept below this. */
  window: number;
  /** feed: URLs per host per horizon; 0 = no cap. */
  cap: number;
  /** feed: a host whose politeness turns are booked further ahead than this is passed over. */
  horizonMs: number;
  leaseMs: number;
}

export type TakeResult =
  | { status: 'paused' | 'full' }
  | { status: 'taken'; token: string; entries: string[] };

export interface Lease {
  token: string;
  crawl: string;
  entries: string[];
}

export class FrontierStore {
  private readonly k;
  private readonly takeScript: ScriptFn;
  private readonly claimScript: ScriptFn;
  private readonly queueKey: (name: string) => string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.k = keys(prefix);
    this.takeScript = defineScript(redis, 'mcFrontierTake', 'frontier/lua/take.lua', 8);
    this.claimScript = defineScript(redis, 'mcFrontierClaim', 'frontier/lua/claim.lua', 1);
    this.queueKey = (name) => `${this.k.bullPrefix}:${QUEUE_NAME}:${name}`;
  }

  /** Crawls with URLs in their frontier. */
  crawls(): Promise<string[]> {
    return this.redis.smembers(this.k.frontierCrawls);
  }

  async take(mode: TakeMode, crawl: string, o: TakeOptions): Promise<TakeResult> {
    const token = randomBytes(8).toString('hex');
    const res = (await this.takeScript(
      this.k.crawlRing(crawl),
      this.k.crawlStats(crawl),
      this.k.frontierCrawls,
      this.k.frontierLeases,
      this.queueKey('wait'),
      this.queueKey('prioritized'),
      this.k.crawlState(crawl),
      this.k.crawlFed(crawl),
      mode,
      crawl,
      o.n,
      o.window,
      o.cap,
      o.horizonMs,
      token,
      o.leaseMs,
      this.k.crawlPending(crawl),
      this.k.crawlSeen(crawl),
      this.k.hostStatePrefix,
      this.k.frontierLease,
      this.k.crawlHostStatePrefix(crawl),
    )) as [number, ...string[]];
    const [code, ...entries] = res;
    if (code === -1) return { status: 'paused' };
    if (code === -2) return { status: 'full' };
    return { status: 'taken', token, entries };
  }

  /** One lease whose feeder did not finish it in time, now ours for another leaseMs; null when none. */
  async claimOverdue(leaseMs: number): Promise<Lease | null> {
    const res = (await this.claimScript(this.k.frontierLeases, leaseMs, this.k.frontierLease)) as string[];
    if (res.length < 2) return null;
    const [token, crawl, ...entries] = res;
    return { token, crawl, entries };
  }

  /** The leases zset and a lease's list: add-jobs.lua deletes a finished lease with the jobs it became. */
  leaseKeys(token: string): [leases: string, lease: string] {
    return [this.k.frontierLeases, `${this.k.frontierLease}:${token}`];
  }

  /** Adds the deletion of a finished lease to a MULTI (with the jobs it became, so both happen or neither). */
  release(multi: ChainableCommander, token: string): void {
    multi.zrem(this.k.frontierLeases, token).del(`${this.k.frontierLease}:${token}`);
  }

  /** Whether the crawl's frontier still holds entries (live or superseded). */
  async hasWaiting(crawl: string): Promise<boolean> {
    return (await this.redis.exists(this.k.crawlRing(crawl))) === 1;
  }
}

/** URLs of a crawl waiting in its frontier (not yet in the queue), from its O(1) counter. */
export async function frontierCount(redis: Redis, prefix: string, crawl: string): Promise<number> {
  return Number((await redis.hget(keys(prefix).crawlStats(crawl), 'frontier')) ?? 0);
}
