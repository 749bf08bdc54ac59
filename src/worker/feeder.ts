/**
 * The feeder: keeps a bounded window of BullMQ jobs ready and refills it from the crawls' frontiers as the queue
 * drains, so Redis holds a full job (~1.1 KB) only for the URLs about to be fetched and a compact entry
 * (~URL length) for the millions waiting. Every worker runs one; take.lua checks the window atomically, so any
 * number of feeders together keep the queue at about the window.
 *
 * Order: crawls of the best --priority class with waiting URLs first, the crawls of one class sharing each
 * refill; hosts in turns within a crawl (take.lua). Crash safety: URLs go from the frontier into a lease
 * (take.lua), then their jobs are added and the lease deleted in one atomic step (add-jobs.lua). A feeder that dies
 * in between leaves the lease to expire and be claimed by another (claim.lua); job ids are deterministic (crawl + URL hash), so
 * BullMQ ignores a job it already holds. Only a feeder stalled past the lease while its jobs were fetched and
 * removed would queue them again: fetched twice, one row (the store upserts).
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CrawlSettings } from '../config.js';
import { FairShare, priorityClass } from '../control/index.js';
import { jobId } from '../crawls.js';
import { bullmq } from '../deps/bullmq.js';
import { entryJobData } from '../frontier/entry.js';
import { FrontierStore, type TakeOptions } from '../frontier/store.js';
import type { Logger } from '../log.js';
import { defineScript, type ScriptFn } from '../lua.js';
import { parseRate } from '../rate.js';
import type { CrawlJobData } from '../types.js';
import { urlHashHex } from '../url/normalize.js';

export interface FeederOptions {
  redis: Redis;
  prefix: string;
  queue: Queue<CrawlJobData>;
  /** Ready jobs (waiting, not yet taken by a worker) the fleet keeps in the queue. */
  window: number;
  /** The crawl's settings (retries, priority, politeness). */
  settings: (crawl: string) => Promise<CrawlSettings>;
  logger?: Logger;
  /** How often the window is checked (besides when the queue runs dry). Default 100 ms. */
  intervalMs?: number;
  /** A batch not added to the queue within this is taken over by another feeder. Default 60 s. */
  leaseMs?: number;
  /** A host with politeness turns booked further ahead than this gets no more jobs for now. Default 5 s. */
  horizonMs?: number;
}

/** The default window: enough ready jobs for a few rounds of this worker's fetches. */
export function defaultWindow(concurrency: number): number {
  return Math.max(1000, 4 * concurrency);
}

/** First retry delay; BullMQ doubles it per retry with ±50% jitter. METACRAWL_BACKOFF_MS shortens it (tests). */
function backoffBaseMs(): number {
  const v = Number(process.env.METACRAWL_BACKOFF_MS);
  return Number.isInteger(v) && v > 0 ? v : 1000;
}

const CLAIM_EVERY_MS = 5000;

export class Feeder {
  private readonly store: FrontierStore;
  private readonly fair = new Map<string, FairShare>();
  private readonly leaseMs: number;
  private readonly horizonMs: number;
  private turn = 0;
  private lastClaim = 0;
  private lastWarn = 0;
  private running = false;
  private closed = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  private readonly add: ScriptFn;

  constructor(private readonly o: FeederOptions) {
    this.store = new FrontierStore(o.redis, o.prefix);
    this.add = defineScript(o.redis, 'mcAddJobs', 'worker/lua/add-jobs.lua', 9);
    this.leaseMs = o.leaseMs ?? 60_000;
    this.horizonMs = o.horizonMs ?? 5000;
  }

  /** Runs until close(): refills every intervalMs, and at once when kicked. */
  start(): void {
    if (this.loop) return;
    this.loop = (async () => {
      while (!this.closed) {
        try {
          await this.feedOnce();
        } catch (err) {
          // Redis down: say so every few seconds, not every tick.
          if (Date.now() - this.lastWarn > 5000) {
            this.lastWarn = Date.now();
            this.o.logger?.warn({ err: (err as Error).message }, 'feeder: could not refill the queue');
          }
        }
        if (this.closed) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.intervalMs ?? 100);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  /** The queue ran dry: refill now rather than at the next interval. */
  kick(): void {
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
  }

  /** One refill: an overdue lease if any, then the crawls' frontiers; returns the jobs added. */
  async feedOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      let added = 0;
      if (Date.now() - this.lastClaim >= CLAIM_EVERY_MS) {
        this.lastClaim = Date.now();
        const lease = await this.store.claimOverdue(this.leaseMs);
        if (lease) {
          this.o.logger?.warn({ crawl: lease.crawl, urls: lease.entries.length }, 'feeder: overdue batch');
          added += await this.addJobs(lease.crawl, lease.token, lease.entries);
        }
      }
      const crawls = await this.store.crawls();
      if (crawls.length === 0) return added;
      const withClass = await Promise.all(
        crawls.map(async (crawl) => {
          const s = await this.o.settings(crawl);
          return { crawl, s, cls: priorityClass(s.priority) };
        }),
      );
      // Best class first; within a class, start from a different crawl each time.
      this.turn++;
      withClass.sort((a, b) => a.cls - b.cls || a.crawl.localeCompare(b.crawl));
      const order = rotateWithinClass(withClass, this.turn);
      for (let i = 0; i < order.length; i++) {
        const { crawl, s, cls } = order[i];
        const sameClass = order.filter((x) => x.cls === cls).length;
        const n = Math.max(1, Math.ceil(this.o.window / sameClass));
        const r = await this.store.take('feed', crawl, this.takeOptions(n, s));
        if (r.status === 'full') break;
        if (r.status === 'taken' && r.entries.length > 0)
          added += await this.addJobs(crawl, r.token, r.entries);
      }
      return added;
    } finally {
      this.running = false;
    }
  }

  private takeOptions(n: number, s: CrawlSettings): TakeOptions {
    // Twice the fastest rate any host of the crawl may get, per horizon: a host is never fed slower than it may
    // be fetched, and its booked turns (take.lua) stop it well before its backlog grows. No rate: no cap.
    const rate = fastestRate(s);
    const cap = Number.isFinite(rate) ? Math.max(2, Math.ceil((2 * rate * this.horizonMs) / 1000)) : 0;
    return { n, window: this.o.window, cap, horizonMs: this.horizonMs, leaseMs: this.leaseMs };
  }

  /** The lease's URLs become jobs, and the lease goes, in one add-jobs.lua call (atomic). */
  private async addJobs(crawl: string, token: string, entries: string[]): Promise<number> {
    const s = await this.o.settings(crawl);
    const fairKey = `${crawl} ${s.priority}`;
    let fair = this.fair.get(fairKey);
    if (!fair) {
      fair = new FairShare(this.o.redis, this.o.prefix, crawl, s.priority, this.o.queue.keys.prioritized);
      this.fair.set(fairKey, fair);
    }
    const priorities = await fair.next(entries.length);
    const now = Date.now();
    // Every job's options are these but for its id and priority: BullMQ's own encoding of them (Job.asJSON), once.
    const opts: JobsOptions = {
      attempts: s.retries + 1,
      backoff: { type: 'exponential', delay: backoffBaseMs(), jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    };
    const encoded = new bullmq.Job(this.o.queue, 'page', {}, { ...opts, jobId: 'x', priority: 1 }).asJSON()
      .opts;
    const args: Array<string | number> = [];
    entries.forEach((e, i) => {
      const data = entryJobData(crawl, e, now);
      const id = jobId(crawl, urlHashHex(data.url));
      // add-jobs.lua adds prioritized jobs only (addPrioritizedJob); FairShare's priorities are 1 or more.
      if (!(priorities[i] >= 1))
        throw new Error(`feeder: priority ${priorities[i]} is not a BullMQ priority`);
      encoded.jobId = id;
      encoded.priority = priorities[i];
      args.push(id, JSON.stringify(data), JSON.stringify(encoded), priorities[i]);
    });
    const k = this.o.queue.keys;
    await this.add(
      k.marker,
      k.meta,
      k.id,
      k.prioritized,
      k.active,
      k.events,
      k.pc,
      ...this.store.leaseKeys(token),
      k[''],
      'page',
      now,
      token,
      ...args,
    );
    return entries.length;
  }
}

/** The highest request rate the crawl allows any host (its --host-rate or a per-host override); Infinity = none. */
function fastestRate(s: CrawlSettings): number {
  let rate = s.hostRate > 0 ? s.hostRate : Number.POSITIVE_INFINITY;
  for (const o of Object.values(s.overrides ?? {})) {
    if (o.rate === undefined) continue;
    try {
      rate = Math.max(rate, parseRate('host rate', o.rate));
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  }
  return rate;
}

/** Within each class (consecutive in `sorted`), rotates the crawls by `turn` so each class's crawls take turns first. */
function rotateWithinClass<T extends { cls: number }>(sorted: T[], turn: number): T[] {
  const out: T[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j].cls === sorted[i].cls) j++;
    const group = sorted.slice(i, j);
    const r = turn % group.length;
    out.push(...group.slice(r), ...group.slice(0, r));
    i = j;
  }
  return out;
}
