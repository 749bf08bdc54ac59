/**
 * Fleet-wide crawl control: pause, resume, cancel. The state key is the switch (workers obey it within
 * CONTROL_TTL_MS); these functions also move the crawl's queued jobs so a paused or cancelled crawl costs
 * the fleet nothing:
 * - pause: workers park each job of the crawl they pick up (BullMQ delayed set, PARK_MS, no attempt spent).
 * - resume: the state is cleared, parkings in progress are waited for, and the crawl's delayed jobs are
 *   promoted back to the queue.
 * - cancel (final): every URL waiting in the crawl's frontier and every queued job of the crawl (waiting,
 *   prioritized, delayed, parked) becomes a `CANCELLED` row and is removed; jobs in flight are ended as
 *   `CANCELLED` by their workers at their next check, or stored normally if their fetch had already begun.
 *   The turns its jobs booked at hosts are dropped.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { dropCrawlTurns } from '../crawl-turns.js';
import { bullmq } from '../deps/bullmq.js';
import { drainFrontier } from '../frontier/drain.js';
import { keys } from '../keys.js';
import { openQueue } from '../queue.js';
import { sleep } from '../sleep.js';
import { publishRecords } from '../stream.js';
import type { CrawlJobData } from '../types.js';
import { cancelledRecord } from './hold.js';
import { forEachCrawlJob, type QueueSet } from './jobs.js';
import { CONTROL_TTL_MS, type ControlState, readControlState } from './state.js';

export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ControlOptions {
  /** After a state change, wait this long so every worker's cached state has expired. */
  settleMs?: number;
  /** How long resume waits for parkings in progress (a lease older than this belongs to a dead worker). */
  parkingWaitMs?: number;
}

export interface ControlResult {
  crawl: string;
  previous: ControlState;
  state: ControlState;
  /** resume: jobs promoted from the delayed set. */
  promoted?: number;
  /** cancel: queued URLs recorded as CANCELLED and removed from the queue. */
  cancelled?: number;
  /** cancel: jobs in flight at the time (their workers record them). */
  inFlight?: number;
  /** cancel: hosts where the crawl's booked turns were dropped. */
  releasedHosts?: number;
}

async function assertKnown(redis: Redis, prefix: string, crawl: string): Promise<void> {
  if (await redis.sismember(keys(prefix).crawls, crawl)) return;
  const known = (await redis.smembers(keys(prefix).crawls)).sort();
  const list =
    known.length > 0 ? `known crawls: ${known.slice(0, 20).join(', ')}` : 'no crawls in this Redis';
  throw new ControlError(`unknown crawl "${crawl}" under prefix ${prefix} (${list})`);
}

async function withQueue<T>(redis: Redis, prefix: string, fn: (q: Queue<CrawlJobData>) => Promise<T>) {
  const queue = openQueue(redis, prefix);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

/** Stops the crawl fleet-wide: when this returns, no worker starts a new fetch for it. */
export async function pauseCrawl(
  redis: Redis,
  prefix: string,
  crawl: string,
  opts: ControlOptions = {},
): Promise<ControlResult> {
  await assertKnown(redis, prefix, crawl);
  const k = keys(prefix);
  const previous = await readControlState(redis, prefix, crawl);
  if (previous === 'cancelled') throw new ControlError(`crawl "${crawl}" was cancelled; cancel is final`);
  await redis.set(k.crawlState(crawl), 'paused');
  await sleep(opts.settleMs ?? CONTROL_TTL_MS + 100);
  return { crawl, previous, state: 'paused' };
}

export async function resumeCrawl(
  redis: Redis,
  prefix: string,
  crawl: string,
  opts: ControlOptions = {},
): Promise<ControlResult> {
  await assertKnown(redis, prefix, crawl);
  const k = keys(prefix);
  const previous = await readControlState(redis, prefix, crawl);
  if (previous === 'cancelled')
    throw new ControlError(
      `crawl "${crawl}" was cancelled; cancel is final (submit under a new --crawl name)`,
    );
  await redis.del(k.crawlState(crawl));
  // park.lua records a lease atomically with reading 'paused': once the state is gone no lease starts, so
  // when the live ones are gone every parked job is in the delayed set, where the sweep below finds it.
  const waitMs = opts.parkingWaitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    // Lease times are on Redis' clock (park.lua), so their age is judged on it too.
    const [sec, usec] = await redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const live = await redis.zcount(k.crawlParking(crawl), now - waitMs, '+inf');
    if (live === 0 || Date.now() > deadline) break;
    await sleep(20);
  }
  await redis.del(k.crawlParking(crawl));
  const promoted = await withQueue(redis, prefix, async (queue) => {
    let n = 0;
    await forEachCrawlJob(redis, queue, crawl, 'delayed', async (ids) => {
      const done = await Promise.all(
        ids.map((id) =>
          new bullmq.Job<CrawlJobData>(queue, 'page', {} as CrawlJobData, {}, id).promote().then(
            () => 1,
            // No longer delayed (BullMQ promoted it, or a worker took it): nothing to do.
            () => 0,
          ),
        ),
      );
      n += done.reduce<number>((a, b) => a + b, 0);
    });
    return n;
  });
  return { crawl, previous, state: 'running', promoted };
}

/** Ends the crawl: every URL not yet fetched gets a CANCELLED row. Idempotent; run it again after a crash. */
export async function cancelCrawl(
  redis: Redis,
  prefix: string,
  crawl: string,
  opts: ControlOptions = {},
): Promise<ControlResult> {
  await assertKnown(redis, prefix, crawl);
  const k = keys(prefix);
  const previous = await readControlState(redis, prefix, crawl);
  await redis.set(k.crawlState(crawl), 'cancelled');
  await redis.del(k.crawlParking(crawl));
  // URLs not yet in the queue: rows published in the same MULTI that takes them out of the frontier.
  const fromFrontier = await drainFrontier(redis, prefix, crawl, (jobs, multi) => {
    publishRecords(
      multi,
      prefix,
      jobs.map((d) => cancelledRecord(d, 0)),
    );
  });
  return withQueue(redis, prefix, async (queue) => {
    let cancelled = fromFrontier;
    const sweep = async () => {
      const sets: QueueSet[] = ['prioritized', 'wait', 'paused', 'delayed'];
      for (const set of sets) {
        await forEachCrawlJob(
          redis,
          queue,
          crawl,
          set,
          async (ids) => {
            cancelled += await cancelJobs(redis, prefix, queue, crawl, ids);
          },
          true,
        );
      }
    };
    await sweep();
    // Give workers time to see the state. Jobs they delayed meanwhile (to wait for a turn at their host)
    // would be recorded only when they wake: sweep again, then count what is still in flight.
    await sleep(opts.settleMs ?? CONTROL_TTL_MS + 100);
    await sweep();
    const inFlight = await forEachCrawlJob(redis, queue, crawl, 'active', async () => {});
    // Once no worker books for the crawl any more, its turns go (they bind its own jobs only).
    const releasedHosts = await dropCrawlTurns(redis, prefix, crawl);
    return { crawl, previous, state: 'cancelled' as const, cancelled, inFlight, releasedHosts };
  });
}

/**
 * The row is published before the job is removed: a crash in between leaves a job that a worker (or the
 * next `cancel`) records again, which the store's upsert makes harmless. A job that cannot be removed is
 * in a worker's hands: that worker's own row (CANCELLED, or the fetched page) replaces this one.
 */
async function cancelJobs(
  redis: Redis,
  prefix: string,
  queue: Queue<CrawlJobData>,
  crawl: string,
  ids: string[],
): Promise<number> {
  const jobs = (await Promise.all(ids.map((id) => queue.getJob(id)))).filter(
    (j): j is Job<CrawlJobData> => j !== undefined && j !== null && j.data?.crawl === crawl,
  );
  if (jobs.length === 0) return 0;
  const res = await publishRecords(
    redis.pipeline(),
    prefix,
    jobs.map((j) => cancelledRecord(j.data, j.attemptsMade)),
  ).exec();
  const bad = res?.find(([err]) => err);
  if (bad?.[0]) throw bad[0];
  const removed = await Promise.all(jobs.map((j) => queue.remove(j.id as string)));
  return removed.filter((r) => r === 1).length;
}
