/**
 * The worker's side of crawl control. Before a job fetches anything (and again right before the fetch,
 * once the politeness slot is granted) the worker asks `hold`:
 * - running: go on;
 * - paused: the job is parked in BullMQ's delayed set for PARK_MS (no attempt spent); `resume` promotes
 *   it back at once;
 * - cancelled: the job ends here as a `CANCELLED` row.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullmq } from '../deps/bullmq.js';
import { keys } from '../keys.js';
import { defineScript, type ScriptFn } from '../lua.js';
import { jobRecord } from '../records.js';
import type { CrawlJobData, PageRecord } from '../types.js';
import { ControlCache } from './state.js';

/**
 * A parked job sleeps this long (plus jitter) if nobody resumes the crawl, then is parked again: a paused
 * crawl costs each of its jobs one re-park per hour, and a job can never stay stuck longer than that.
 */
export const PARK_MS = 3_600_000;

/** The row of a URL that was never fetched because its crawl was cancelled. */
export function cancelledRecord(d: CrawlJobData, attempts: number): PageRecord {
  return jobRecord(d, attempts, {
    error: 'CANCELLED',
    errorDetail: `crawl ${d.crawl} was cancelled before this URL was fetched`,
  });
}

export interface CrawlControlOptions {
  /** How stale the cached crawl state may be. */
  ttlMs?: number;
  parkMs?: number;
  /** Called once per parked job (metrics). */
  onPark?: (crawl: string) => void;
}

export class CrawlControl {
  private readonly cache: ControlCache;
  private readonly park: ScriptFn;
  private readonly k: ReturnType<typeof keys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly workerId: string,
    private readonly opts: CrawlControlOptions = {},
  ) {
    this.cache = new ControlCache(redis, prefix, opts.ttlMs);
    this.k = keys(prefix);
    this.park = defineScript(redis, 'mcControlPark', 'control/lua/park.lua', 2);
  }

  /**
   * false: run the job. true: the job was settled here (its CANCELLED row went to `finish`).
   * Throws BullMQ's DelayedError once a paused crawl's job is parked (the processor must let it through).
   */
  async hold(
    job: Job<CrawlJobData>,
    token: string,
    finish: (record: PageRecord) => Promise<void>,
  ): Promise<boolean> {
    const crawl = job.data.crawl;
    if ((await this.cache.get(crawl)) === 'running') return false;
    // The cache says paused or cancelled: ask Redis, atomically with recording a parking lease.
    const lease = `${this.workerId}:${job.id}`;
    const state = String(await this.park(this.k.crawlState(crawl), this.k.crawlParking(crawl), lease));
    if (state === 'running') {
      this.cache.forget(crawl);
      return false;
    }
    if (state === 'cancelled') {
      await finish(cancelledRecord(job.data, job.attemptsMade));
      return true;
    }
    try {
      const parkMs = this.opts.parkMs ?? PARK_MS;
      // Jitter, so a long-paused crawl's jobs do not all come back in the same second.
      await job.moveToDelayed(Date.now() + parkMs + Math.floor((Math.random() * parkMs) / 6), token);
      this.opts.onPark?.(crawl);
    } finally {
      await this.redis.zrem(this.k.crawlParking(crawl), lease);
    }
    throw new bullmq.DelayedError();
  }
}
