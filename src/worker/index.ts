/** The worker role: a BullMQ worker whose jobs are URLs, with fleet-wide politeness and one result per page. */
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type CrawlSettings, type FetchConfig, VERSION } from '../config.js';
import { CrawlControl } from '../control/hold.js';
import { defaultWindow, Feeder } from '../frontier/feeder.js';
import { keys, QUEUE_NAME } from '../keys.js';
import type { Logger } from '../log.js';
import type { WorkerMetrics } from '../metrics/worker.js';
import { openQueue } from '../queue.js';
import { jobRecord } from '../records.js';
import { connectRedis } from '../redis.js';
import { publishRecord } from '../store/stream.js';
import type { PageRecord } from '../types.js';
import { Discoverer } from './discover.js';
import { Fetcher, parseRetryAfter, redactUrl } from './fetch/index.js';
import { PolitenessGate, resolveLimits } from './politeness/gate.js';
import { RobotsCache, RobotsFetchDeferred } from './politeness/robots.js';
import { type JobData, type ProcessDeps, processJob, type WorkerStats } from './process.js';
import { SettingsCache } from './settings.js';

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
  /** --queue-window: ready jobs the feeder keeps in the queue (default: defaultWindow(concurrency)). */
  queueWindow?: number;
}

export interface RunningWorker {
  id: string;
  stats: WorkerStats;
  /** Stops taking jobs; waits up to graceMs for in-flight ones, then hands them back (they are re-run). */
  close(graceMs?: number): Promise<void>;
}

const ROBOTS_MAX_BYTES = 500 * 1024;

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { logger, prefix } = opts;
  const id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const redis: Redis = connectRedis(opts.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (reconnecting)'));
  const fetcher = new Fetcher({ ...opts.fetch, connections: Math.max(4, opts.concurrency) });
  const gate = new PolitenessGate(redis, prefix);
  opts.metrics?.instrumentGate(gate);
  const defaultsLimits = { ratePerSec: opts.defaults.hostRate, concurrency: opts.defaults.hostConcurrency };

  // The robots.txt fetch takes a slot of the host's budget like any other request: the budget of the
  // crawl's host key and limits (passed by processJob), else the hostname under this worker's defaults.
  const robots = new RobotsCache(redis, prefix, {
    userAgent: opts.fetch.userAgent,
    errorTtlMs: opts.robotsErrorTtlMs,
    fetch: async (url, ctx) => {
      const host = ctx?.hostKey ?? new URL(url).hostname;
      const limits = ctx?.limits ?? resolveLimits(host, defaultsLimits, opts.defaults.overrides, null);
      const lease = `${id}:robots:${url}`;
      // No slot now: the job is delayed like any throttled job (never slept on, never cached as a failure).
      const g = await gate.acquire(host, limits, lease);
      if (!g.granted) throw new RobotsFetchDeferred(g.waitMs);
      try {
        const res = await fetcher.fetch(url, {
          accept: 'text/plain',
          maxBytes: ROBOTS_MAX_BYTES,
          maxRedirects: 5,
        });
        // A throttling answer to robots.txt pauses the host like one to a page (before the slot is given back).
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (res.status === 429 || (res.status === 503 && retryAfter !== null)) {
          await gate.recordOutcome(host, 'throttled', retryAfter);
        }
        return { status: res.status, body: res.body.toString('utf8') };
      } finally {
        await gate.release(host, lease);
      }
    },
  });

  const stats: WorkerStats = { done: 0, ok: 0, failed: 0, delayed: 0, retried: 0 };
  const publish = async (record: PageRecord) => {
    await publishRecord(redis, prefix, record);
    opts.metrics?.observeRecord(record);
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
    publish: (record) => (handingBack ? Promise.reject(new Error(HANDED_BACK)) : publish(record)),
    abandoned: () => handingBack,
    onPage: (job, s, meta) => discoverer.onPage(job, s, meta),
    logger,
    stats,
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
    } finally {
      inFlight.delete(key);
    }
  };

  const worker = new Worker<JobData>(QUEUE_NAME, run, {
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
    const final = attempts >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message);
    if (!final) return;
    const d = job.data;
    logger.error({ url: redactUrl(d.url), err: err.message }, 'job failed permanently');
    const record = jobRecord(d, Math.max(attempts, 1), {
      error: /stalled/i.test(err.message) ? 'WORKER_LOST' : 'INTERNAL_ERROR',
      errorDetail: `GET ${redactUrl(d.url)} → ${err.message}`,
    });
    publish(record).catch((e) =>
      logger.error({ err: (e as Error).message }, 'could not publish failure row'),
    );
  });
  worker.on('error', (err) => logger.warn({ err: err.message }, 'worker error'));
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
    close: async (graceMs = 10_000) => {
      clearInterval(heartbeat);
      await within(feeder.close(), 2000);
      // Stops taking jobs and waits for the in-flight ones (BullMQ: a later close(true) would wait too).
      const closing = worker.close(false);
      if ((await within(closing, graceMs)) === TIMED_OUT) {
        const jobs = [...inFlight.values()];
        logger.warn({ jobs: jobs.length }, 'grace period over: handing in-flight jobs back to the queue');
        handingBack = true;
        // Back to the wait list at once (lock released), so another worker need not wait for a stall check.
        // Redis may be down: every step is bounded, and what is not handed back is recovered as stalled.
        await within(Promise.all(jobs.map(({ job, token }) => job.moveToWait(token).catch(() => 0))), 2000);
        await fetcher.destroy();
        await within(closing, 2000);
      }
      await within(
        redis.hdel(keys(prefix).workers, id).catch(() => 0),
        1000,
      );
      await fetcher.close();
      await within(
        queue.close().catch(() => {}),
        1000,
      );
      redis.disconnect();
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
