/** The worker role: a BullMQ worker whose jobs are URLs, with fleet-wide politeness and one result per page. */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArchiveError, WarcArchive } from '../archive/index.js';
import { type CrawlSettings, type FetchConfig, VERSION } from '../config.js';
import { CrawlControl } from '../control/index.js';
import { bullmq } from '../deps/bullmq.js';
import { Fetcher, parseRetryAfter, redactUrl } from '../fetch/index.js';
import { keys, QUEUE_NAME } from '../keys.js';
import type { Logger } from '../log.js';
import type { WorkerMetrics } from '../metrics/index.js';
import { openQueue } from '../queue.js';
import { jobRecord } from '../records.js';
import { connectRedis, disconnectRedis, redactRedisUrl } from '../redis.js';
import { watchRedis } from '../redis-outage.js';
import { ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS } from '../robots/rules.js';
import { publishRecord } from '../stream.js';
import type { PageRecord } from '../types.js';
import { Discoverer } from './discover.js';
import { defaultWindow, Feeder } from './feeder.js';
import { PolitenessGate, resolveLimits } from './politeness/gate.js';
import { RobotsCache, RobotsFetchDeferred } from './politeness/robots.js';
import { type JobData, type ProcessDeps, processJob, type WorkerStats } from './process.js';
import { SettingsCache } from './settings.js';

// The rest of the worker stage's public API (startWorker is below).
export { loadPolitenessFile, validateOverrides } from './politeness/gate.js';
export { AUTO_MIN_URLS, startWorkerThreads, usableCores, type WorkerThreads } from './thread-pool.js';

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  fetch: FetchConfig;
  /** Used for crawls whose settings are missing from Redis. */
  defaults: CrawlSettings;
  logger: Logger;
  /** BullMQ lock duration; a worker that dies loses its jobs to another after this (stalled check). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a 5xx/unreachable robots.txt blocks its origin before it is fetched again. Default 60 s. */
  robotsErrorTtlMs?: number;
  /** Prometheus metrics of this worker (--metrics-port). */
  metrics?: WorkerMetrics;
  /** --redis-timeout: the Redis outage after which `redisLost` aborts (see redis-outage.ts). */
  redisTimeoutMs?: number;
  /** --queue-window: ready jobs the feeder keeps in the queue (default: defaultWindow(concurrency)). */
  queueWindow?: number;
  /**
   * Where this worker's records go instead of the results stream: the store writer's inbox when it runs in
   * the same process (`crawl`). Resolves once the record is stored, so a job completes only after its row.
   */
  sink?: (record: PageRecord) => Promise<void>;
  /** --archive: WARC files of every fetched response in `dir`, a new file past `maxFileBytes`. */
  archive?: { dir: string; maxFileBytes: number };
}

export interface RunningWorker {
  id: string;
  stats: WorkerStats;
  /** Aborts, with a RedisLostError as reason, once a Redis outage has lasted --redis-timeout. */
  redisLost: AbortSignal;
  /** Aborts, with an ArchiveError as reason, when the archive could not be written (e.g. disk full). */
  failed: AbortSignal;
  /** New URLs are waiting (e.g. seeds just submitted): refill the queue now rather than at the next look. */
  feed(): void;
  /** Stops taking jobs; waits up to graceMs for in-flight ones, then hands them back (they are re-run). */
  close(graceMs?: number): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { logger, prefix } = opts;
  const id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // Never abandoned: BullMQ shares it, and spins on a connection that has ended (see redis-outage.ts).
  const redis: Redis = connectRedis(opts.redisUrl);
  const watch = watchRedis(redis, redactRedisUrl(opts.redisUrl), { outageMs: opts.redisTimeoutMs, logger });
  const fetcher = new Fetcher({ ...opts.fetch, connections: Math.max(4, opts.concurrency) });
  const archive = opts.archive
    ? new WarcArchive({
        dir: opts.archive.dir,
        maxFileBytes: opts.archive.maxFileBytes,
        workerId: id,
        software: `metacrawl/${VERSION}`,
      })
    : undefined;
  const failed = new AbortController();
  const gate = new PolitenessGate(redis, prefix, { observer: opts.metrics?.gateObserver });
  const defaultsLimits = { ratePerSec: opts.defaults.hostRate, concurrency: opts.defaults.hostConcurrency };

  // The robots.txt fetch takes a slot of the host's budget like any other request: the budget of the
  // crawl, host key and limits (passed by processJob), else the hostname under this worker's defaults, in
  // a budget of its own ('-' is no crawl's name).
  // Set once close() begins.
  let stopping = false;
  const robots = new RobotsCache(redis, prefix, {
    userAgent: opts.fetch.userAgent,
    errorTtlMs: opts.robotsErrorTtlMs,
    fetch: async (url, ctx) => {
      const crawl = ctx?.crawl ?? '-';
      const host = ctx?.hostKey ?? new URL(url).hostname;
      const limits = ctx?.limits ?? resolveLimits(host, defaultsLimits, opts.defaults.overrides, null);
      const lease = `${id}:robots:${url}`;
      // No slot now: the job is delayed like any throttled job (never slept on, never cached as a failure).
      const g = await gate.acquire(crawl, host, limits, lease);
      if (!g.granted) throw new RobotsFetchDeferred(g.waitMs);
      try {
        let res: Awaited<ReturnType<Fetcher['fetch']>>;
        try {
          res = await fetcher.fetch(url, {
            accept: 'text/plain',
            maxBytes: ROBOTS_MAX_BYTES,
            maxRedirects: ROBOTS_MAX_REDIRECTS,
          });
        } catch (err) {
          // Cut short by this worker's stop (or refused by its closed fetcher): says nothing about the site, so
          // it must not be cached fleet-wide as "robots.txt unavailable".
          if (stopping) throw new RobotsFetchDeferred(1000, 'worker stopping');
          throw err;
        }
        // A throttling answer to robots.txt pauses the host like one to a page (before the slot is given back).
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (res.status === 429 || (res.status === 503 && retryAfter !== null)) {
          await gate.recordHostEvent(host, 'throttled', retryAfter);
        }
        return { status: res.status, body: res.body.toString('utf8') };
      } finally {
        await gate.release(crawl, host, lease);
      }
    },
  });

  const stats: WorkerStats = { done: 0, ok: 0, failed: 0, delayed: 0, retried: 0 };
  let warnedPrivate = false;
  const publish = async (record: PageRecord, metaFields?: string) => {
    if (opts.sink) await opts.sink(record);
    else await publishRecord(redis, prefix, record, metaFields);
    opts.metrics?.observeRecord(record);
    // A crawl of a local site without --allow-private fails every page: say so once, with the fix.
    if (record.error === 'BLOCKED_PRIVATE_ADDRESS' && !warnedPrivate) {
      warnedPrivate = true;
      logger.warn(
        { url: redactUrl(record.url), detail: record.errorDetail },
        'non-public address refused: --allow-private allows private, loopback and link-local addresses (logged for the first such page only)',
      );
    }
  };
  const queue = openQueue(redis, prefix);
  const discoverer = new Discoverer(redis, prefix, opts.fetch.userAgent);
  const settings = new SettingsCache(redis, prefix, opts.defaults);
  // Waiting URLs wait in the crawls' frontiers; this worker's feeder keeps the queue filled from them.
  const feeder = new Feeder({
    redis,
    prefix,
    queue,
    window: opts.queueWindow ?? defaultWindow(opts.concurrency),
    settings: (crawl) => settings.get(crawl),
    logger,
  });
  feeder.start();
  const deps: ProcessDeps = {
    redis,
    prefix,
    workerId: id,
    fetcher,
    fetchConfig: opts.fetch,
    gate,
    robots,
    settings,
    // After a forced stop has handed a job back, its late result must not be published.
    publish: (record, metaFields) =>
      handingBack ? Promise.reject(new Error(HANDED_BACK)) : publish(record, metaFields),
    abandoned: () => handingBack,
    onPage: (job, s, meta) => discoverer.onPage(job, s, meta),
    logger,
    stats,
    archive,
    control: new CrawlControl(redis, prefix, id, { onPark: (crawl) => opts.metrics?.parked.inc({ crawl }) }),
  };

  // The jobs being processed now, so a forced stop can hand them back to the queue.
  const inFlight = new Map<string, { job: Job<JobData>; token: string }>();
  let handingBack = false;
  const run = async (job: Job<JobData>, token?: string) => {
    const key = `${job.id}:${token}`;
    inFlight.set(key, { job, token: token ?? '' });
    try {
      return await processJob(deps, job, token ?? '');
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      // The archive cannot be written: this worker stops, and the page goes back to the queue unrecorded,
      // costing no attempt (the next run fetches it again).
      if (!failed.signal.aborted) {
        logger.error({ err: err.message }, 'archive write failed: stopping');
        failed.abort(err);
      }
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new bullmq.DelayedError();
    } finally {
      inFlight.delete(key);
    }
  };

  const worker = new bullmq.Worker<JobData>(QUEUE_NAME, run, {
    connection: redis,
    prefix: keys(prefix).bullPrefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    // A job whose worker keeps dying is retried a few times, then ends as a row (see 'failed' below).
    maxStalledCount: 3,
    autorun: true,
  });

  // Any job BullMQ gives up on (unexpected error after every attempt, or stalled too often) still becomes a row.
  worker.on('failed', (job: Job<JobData> | undefined, err: Error) => {
    if (!job) return;
    const attempts = job.attemptsMade;
    // BullMQ fails a job that stalled more than maxStalledCount times by itself, marking it deferredFailure.
    const lost = Boolean(job.deferredFailure);
    const final = lost || attempts >= (job.opts.attempts ?? 1);
    if (!final) return;
    const d = job.data;
    logger.error({ url: redactUrl(d.url), err: err.message }, 'job failed permanently');
    const record = jobRecord(d, Math.max(attempts, 1), {
      error: lost ? 'WORKER_LOST' : 'INTERNAL_ERROR',
      errorDetail: `GET ${redactUrl(d.url)} → ${err.message}`,
    });
    publish(record).catch((e) =>
      logger.error({ err: (e as Error).message }, 'could not publish failure row'),
    );
  });
  // During a Redis outage BullMQ reports each failed attempt of its own connections: the outage is logged once.
  worker.on('error', (err) => {
    if (!watch.down()) logger.warn({ err: err.message }, 'worker error');
  });
  worker.on('drained', () => feeder.kick());

  const beat = async () => {
    const info = {
      id,
      host: hostname(),
      pid: process.pid,
      concurrency: opts.concurrency,
      version: VERSION,
      ...stats,
      at: Date.now(),
    };
    await redis.hset(keys(prefix).workers, id, JSON.stringify(info)).catch(() => {});
  };
  await beat();
  const heartbeat = setInterval(beat, 5000);
  heartbeat.unref();

  return {
    id,
    stats,
    redisLost: watch.signal,
    failed: failed.signal,
    feed: () => feeder.kick(),
    close: async (graceMs = 10_000) => {
      stopping = true;
      clearInterval(heartbeat);
      await within(feeder.close(), 2000);
      // Stops taking jobs and waits for the in-flight ones (BullMQ: a later close(true) would wait too).
      const closing = worker.close(false);
      if ((await within(closing, graceMs)) === TIMED_OUT) {
        const jobs = [...inFlight.values()];
        if (jobs.length)
          logger.warn({ jobs: jobs.length }, 'grace period over: handing in-flight jobs back to the queue');
        handingBack = true;
        // Back to the wait list at once (lock released), so another worker need not wait for a stall check.
        // Redis may be down: every step is bounded (skipped while it is down), and what is not handed back is
        // recovered as stalled.
        const up = !watch.down();
        if (up)
          await within(Promise.all(jobs.map(({ job, token }) => job.moveToWait(token).catch(() => 0))), 2000);
        await fetcher.destroy();
        await within(closing, up ? 2000 : 0);
      }
      if (!watch.down()) {
        // Releases still waiting for a pipeline give their slots back now, not at their lease's expiry.
        await within(
          gate.flush().catch(() => {}),
          1000,
        );
        await within(
          redis.hdel(keys(prefix).workers, id).catch(() => 0),
          1000,
        );
      }
      // A fetch still running here (a job that outlived the grace period, a server that never answers) is cut
      // rather than waited for: close() alone waits for it, and that wait has no bound.
      if ((await within(fetcher.close(), 2000)) === TIMED_OUT) await within(fetcher.destroy(), 1000);
      await archive?.close();
      if (!watch.down())
        await within(
          queue.close().catch(() => {}),
          1000,
        );
      disconnectRedis(redis);
    },
  };
}

const HANDED_BACK = 'worker stopping: job handed back to the queue';
const TIMED_OUT = Symbol('timed out');

function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
