/**
 * `metacrawl crawl`: producer + workers + store writer in one process, until every submitted URL has its row.
 * The same three parts a fleet runs, wired together — not a second implementation.
 */
import type { Redis } from 'ioredis';
import type { CrawlSettings, FetchConfig } from '../config.js';
import { ConfigError, generateCrawlName } from '../config.js';
import { readControlState } from '../control/index.js';
import { keys } from '../keys.js';
import { createLogger, type LogLevel, logLineWriter } from '../log.js';
import type { MetricsConfig } from '../metrics/index.js';
import { checkSeedArgs, describeBudget, noSeedsWarning, submitSeeds } from '../producer/index.js';
import { openQueue, readCrawlStats } from '../queue.js';
import { connectRedis, disconnectRedis, redactRedisUrl } from '../redis.js';
import { watchRedis } from '../redis-outage.js';
import { sleep } from '../sleep.js';
import {
  type BatchInfo,
  crawlSummary,
  type Db,
  finishWrites,
  finishWritesInThread,
  missingIndexes,
  openDb,
  RecordInbox,
  refreshStatistics,
  runStoreWriter,
  SinceReader,
} from '../store/index.js';
import { pagesPerSecond } from '../throughput.js';
import {
  AUTO_MIN_URLS,
  startWorker,
  startWorkerThreads,
  usableCores,
  type WorkerThreads,
} from '../worker/index.js';
import { lockDatabase } from './db-lock.js';
import { announceStop, type CliIO, interruptedExitCode, line } from './io.js';
import { startMetrics } from './metrics.js';
import { createProgress } from './progress.js';
import { resolveRedis } from './redis-target.js';

export interface CrawlCommandOptions {
  seeds: string[];
  db: string;
  redisUrl: string | null;
  prefix: string;
  crawl: string | null;
  fetch: FetchConfig & { concurrency: number };
  settings: CrawlSettings;
  progress: boolean;
  /** Test hook: the interval of progress lines off a terminal (default 10 s). */
  progressIntervalMs?: number;
  logLevel: LogLevel;
  /** Test hooks: BullMQ lock/stall timing. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** --sitemap locations and --sitemaps-from-robots (see producer/seed-urls.ts). */
  sitemaps?: string[];
  sitemapsFromRobots?: boolean;
  robotsErrorTtlMs?: number;
  /** On SIGINT/SIGTERM, how long in-flight fetches may finish before they are handed back (--grace). */
  graceMs?: number;
  /** --metrics-port / --metrics-host: Prometheus /metrics for this process. */
  metrics?: MetricsConfig;
  /** --workers: workers in all, this thread's included; 'auto': one per usable core from AUTO_MIN_URLS URLs. */
  workers?: number | 'auto';
  /** --redis-timeout: how long a Redis outage is survived before the crawl stops with an error. */
  redisTimeoutMs?: number;
  /** --queue-window: ready jobs each worker's feeder keeps in the queue (default from --concurrency). */
  queueWindow?: number;
  /** --archive and --archive-max-size: WARC files of every fetched response. */
  archive?: { dir: string; maxFileBytes: number };
}

export interface CrawlOutcome {
  crawl: string;
  stored: number;
  ok: number;
  failed: number;
  byError: Record<string, number>;
  invalid: number;
  elapsedMs: number;
  /** As src/throughput.ts defines it (null with fewer than two fetch times). */
  pagesPerSec: number | null;
  interrupted: boolean;
  /** Why discovery stopped early (--max-pages / --max-pages-per-host), or null. */
  budget?: string | null;
  /** Sitemap documents read, and those that could not be read (reported above). */
  sitemaps?: { read: number; failed: number };
}

/** One crawl per database at a time: a second one refuses at once (see db-lock.ts), before creating anything. */
export async function crawlCommand(opts: CrawlCommandOptions, io: CliIO): Promise<number> {
  // A seed typo is bad usage, found before a database, a Redis or a crawl name exists.
  checkSeedArgs(opts.seeds);
  const lock = lockDatabase(opts.db);
  try {
    return await runCrawl(opts, io);
  } finally {
    lock.release();
  }
}

async function runCrawl(opts: CrawlCommandOptions, io: CliIO): Promise<number> {
  const mode = !opts.progress ? 'none' : io.stderr.isTTY ? 'bar' : 'lines';
  const progress = createProgress(mode, io.stderr, opts.progressIntervalMs);
  // Under a bar, every line for the terminal (this process's logs, the threads', messages) goes above it.
  const term = progress.out;
  const logSink = mode === 'bar' ? logLineWriter(term, !process.env.CI) : null;
  const logger = createLogger(opts.logLevel, logSink ? { destination: term, pretty: !process.env.CI } : {});
  announceStop(io, term);
  const crawl = opts.crawl ?? generateCrawlName();
  const db = openDb(opts.db, { onMigration: (m) => line(io.stderr, m) });
  let sinceReader: SinceReader | null = null;
  if (opts.settings.since) {
    try {
      if (opts.settings.since === crawl) throw new Error('--since must name another crawl than --crawl');
      sinceReader = new SinceReader(db, opts.settings.since, opts.settings);
    } catch (err) {
      db.close();
      throw err instanceof Error && err.message.startsWith('--since must')
        ? new ConfigError(err.message)
        : new Error(`${(err as Error).message} (${opts.db})`);
    }
  }
  let target: Awaited<ReturnType<typeof resolveRedis>>;
  try {
    target = await resolveRedis(opts.redisUrl, opts.db);
  } catch (err) {
    db.close();
    throw err;
  }
  const metrics = opts.metrics
    ? // prom-client (and what it pulls in) is loaded only with --metrics-port.
      await startMetrics(opts.metrics, target.url, opts.prefix, logger).catch(async (err) => {
        db.close();
        await target.stop();
        throw err;
      })
    : null;
  if (!opts.crawl) line(term, `crawl name: ${crawl}`);
  // Redis is lost after an outage of --redis-timeout, or at once when the private redis-server exited (nothing
  // restarts it). Then this process's own connections end, so that no command waits for a reconnect for ever.
  const giveUp = new AbortController();
  const redis = connectRedis(target.url, {}, giveUp.signal);
  const watch = watchRedis(redis, redactRedisUrl(target.url), { outageMs: opts.redisTimeoutMs, logger });
  const lost = AbortSignal.any([watch.signal, target.gone]);
  const stopOrLost = AbortSignal.any([io.stopSignal, lost]);
  const started = Date.now();
  const writerAbort = new AbortController();
  lost.addEventListener(
    'abort',
    () => {
      giveUp.abort();
      writerAbort.abort(); // nothing more will come to store
    },
    { once: true },
  );
  const writerRedis = connectRedis(target.url, {}, giveUp.signal);
  writerRedis.on('error', () => {});
  // This thread's worker hands its records to the writer in memory (store/inbox.ts); threads use the stream.
  const inbox = new RecordInbox();
  // The loop below looks every 200 ms whether the crawl is done; the writer wakes it as soon as it has stored
  // as many new rows as the crawl lacked at the last look, so the end is seen when the last row is stored.
  const look = { lacking: Number.POSITIVE_INFINITY, storedSince: 0, nap: new AbortController() };
  // Likewise the writer stores the last rows without waiting for more: the inbox holds every row still lacking.
  inbox.complete = (waiting) => {
    const left = look.lacking - look.storedSince;
    return left > 0 && waiting >= left;
  };
  const stored = (b: BatchInfo) => {
    look.storedSince += b.inserted;
    if (look.storedSince >= look.lacking) look.nap.abort();
  };
  const writer = runStoreWriter({
    inbox,
    commandRedis: redis,
    redis: writerRedis,
    prefix: opts.prefix,
    db,
    signal: writerAbort.signal,
    logger,
    // Short blocking reads: stopping waits for the read in flight, and this process stops once the crawl is done.
    blockMs: 250,
    onBatch: (b) => {
      metrics?.writer.observeBatch(b);
      stored(b);
    },
  });
  const worker = await startWorker({
    redisUrl: target.url,
    prefix: opts.prefix,
    concurrency: opts.fetch.concurrency,
    fetch: opts.fetch,
    defaults: opts.settings,
    logger,
    lockDurationMs: opts.lockDurationMs,
    stalledIntervalMs: opts.stalledIntervalMs,
    robotsErrorTtlMs: opts.robotsErrorTtlMs,
    metrics: metrics?.worker,
    redisTimeoutMs: opts.redisTimeoutMs,
    queueWindow: opts.queueWindow,
    sink: inbox.put,
    archive: opts.archive,
  });
  // The archive could not be written (disk full) by this worker or a thread's: the crawl stops, resumable.
  const fatal = new AbortController();
  const onFatal = (err: Error) => {
    if (!fatal.signal.aborted) fatal.abort(err);
  };
  worker.failed.addEventListener('abort', () => onFatal(worker.failed.reason as Error), { once: true });
  // More workers on threads, one per usable core (see worker/thread-pool.ts); a small crawl stays on this one.
  const pool: { threads: WorkerThreads | null } = { threads: null };
  const addThreads = async (submitted: number) => {
    const w = opts.workers ?? 'auto';
    const n = w === 'auto' ? (submitted >= AUTO_MIN_URLS ? usableCores() - 1 : 0) : w - 1;
    if (pool.threads || n <= 0 || io.stopSignal.aborted) return;
    pool.threads = await startWorkerThreads(
      n,
      {
        redisUrl: target.url,
        prefix: opts.prefix,
        concurrency: opts.fetch.concurrency,
        fetch: opts.fetch,
        defaults: opts.settings,
        lockDurationMs: opts.lockDurationMs,
        stalledIntervalMs: opts.stalledIntervalMs,
        robotsErrorTtlMs: opts.robotsErrorTtlMs,
        redisTimeoutMs: opts.redisTimeoutMs,
        queueWindow: opts.queueWindow,
        archive: opts.archive,
        logLevel: opts.logLevel,
        logToParent: logSink !== null,
      },
      logger,
      logSink ? (l) => logSink.write(l) : undefined,
      onFatal,
    );
    logger.info({ threads: n }, 'more workers started on threads');
  };
  await addThreads(0);
  const queue = openQueue(redis, opts.prefix);
  let interrupted = false;
  let outcome: CrawlOutcome | null = null;
  let sitemaps = { read: 0, failed: 0 };
  try {
    const submitted = await submitSeeds({
      redis,
      prefix: opts.prefix,
      crawl,
      settings: opts.settings,
      sources: opts.seeds,
      stdin: io.stdin,
      report: (l) => line(term, l),
      sitemaps: opts.sitemaps,
      sitemapsFromRobots: opts.sitemapsFromRobots,
      fetch: opts.fetch,
      earlier: sinceReader ? (url) => sinceReader.get(url) : undefined,
    });
    // The feeder looks for waiting URLs every 100 ms: the first fetches need not wait for its next look.
    worker.feed();
    logger.info({ crawl, ...submitted }, 'seeds submitted');
    if (submitted.read === 0) line(term, noSeedsWarning(opts.seeds, opts.sitemaps));
    // A crawl paused from elsewhere (metacrawl pause) waits here; say so rather than look stuck.
    if ((await readControlState(redis, opts.prefix, crawl)) === 'paused')
      line(term, `crawl ${crawl} is paused: run metacrawl resume --crawl ${crawl} to continue`);
    sitemaps = { read: submitted.sitemaps, failed: submitted.sitemapErrors };
    // Done when every URL submitted to this crawl (seeds and discovered) has its row in the database.
    // The writer's counts in Redis follow the database exactly and cost nothing to read, while counting the
    // rows costs ~75 ms at 1M pages: the database is asked only when Redis says done, and every 5 s.
    for (let counted = 0; ; ) {
      look.storedSince = 0;
      look.nap = new AbortController();
      const stats = await readCrawlStats(redis, opts.prefix, crawl);
      look.lacking = stats.submitted - stats.stored;
      inbox.recheck();
      await addThreads(stats.submitted);
      const count = stats.stored >= stats.submitted || Date.now() - counted >= 5000;
      if (count) counted = Date.now();
      const done = count ? crawlSummary(db, crawl) : null;
      progress.update({
        done: done?.pages ?? stats.stored,
        total: stats.submitted,
        ok: done?.ok ?? stats.stored - stats.failed,
        failed: done?.failed ?? stats.failed,
        delayed: await queue.getDelayedCount(),
      });
      if (done && done.pages >= stats.submitted) break;
      if (lost.aborted) break;
      if (io.stopSignal.aborted || fatal.signal.aborted) {
        interrupted = true;
        break;
      }
      await sleep(200, AbortSignal.any([stopOrLost, fatal.signal, look.nap.signal]));
    }
  } catch (err) {
    // A command that failed because Redis is gone says "Connection is closed."; the watch says why.
    if (!lost.aborted) throw err;
  } finally {
    progress.stop();
    // Redis lost: nothing in flight can be stored, and its jobs stay in Redis for the next run.
    const grace = lost.aborted ? 0 : interrupted && !fatal.signal.aborted ? (opts.graceMs ?? 10_000) : 1_000;
    await Promise.all([worker.close(grace), pool.threads?.close(grace)]);
    // What the worker published while stopping is stored now rather than by the next run.
    if (interrupted) await drained(redis, opts.prefix, 3000);
    writerAbort.abort();
    await writer.catch((err) =>
      logger.error({ err: (err as Error).message }, 'store writer stopped with an error'),
    );
    await finishStore(db, opts.db, interrupted, io);
    const summary = crawlSummary(db, crawl);
    const stats = await readCrawlStats(redis, opts.prefix, crawl).catch(() => null);
    outcome = {
      crawl,
      stored: summary.pages,
      ok: summary.ok,
      failed: summary.failed,
      byError: summary.byError,
      invalid: stats?.invalid ?? 0,
      budget: stats ? describeBudget(stats, opts.settings) : null,
      sitemaps,
      elapsedMs: Date.now() - started,
      pagesPerSec: pagesPerSecond(summary.pages, summary.firstFetchedAt, summary.lastFetchedAt),
      interrupted,
    };
    // Redis lost: closing the queue would wait for a reconnect that never comes.
    if (!lost.aborted) await queue.close();
    disconnectRedis(writerRedis);
    disconnectRedis(redis);
    db.close();
    await metrics?.close();
    await target.stop();
    logger.debug({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }, 'peak memory');
    await logger.flush?.();
  }
  if (lost.aborted) throw lost.reason;
  if (fatal.signal.aborted) {
    printSummary(io, outcome);
    throw fatal.signal.reason;
  }
  printSummary(io, outcome);
  return outcome.interrupted ? interruptedExitCode(io.stopSignal) : 0;
}

/**
 * Builds the indexes the writer left off while storing a large crawl (a line before, one every 10 s, one
 * after), so a long build never looks like a hang. An interrupted crawl leaves that to its next run.
 */
async function finishStore(db: Db, path: string, interrupted: boolean, io: CliIO): Promise<void> {
  try {
    const missing = missingIndexes(db);
    if (interrupted) {
      if (missing.length > 0)
        line(
          io.stderr,
          `${missing.map((i) => i.what).join(', ')}: not indexed yet (interrupted); the next crawl or store on ${path} does it`,
        );
    } else if (missing.length === 0) refreshStatistics(db);
    else if (pagesIn(db) <= FINISH_HERE_MAX_PAGES) finishWrites(db, (m) => line(io.stderr, m));
    else await finishWritesInThread(path, { report: (m) => line(io.stderr, m) });
  } catch (err) {
    // The rows are all stored: only query speed is at stake.
    line(io.stderr, `finishing ${path} failed: ${(err as Error).message}; queries stay correct, only slower`);
  }
}

/**
 * Up to this many pages in the database, the deferred indexes are built on this thread: well under a second
 * (5,000 pages: ~0.4 s), where starting the thread and opening the database there costs ~50 ms of it.
 */
const FINISH_HERE_MAX_PAGES = 10_000;

/** The largest page id: the pages in the database, without counting them. */
function pagesIn(db: Db): number {
  return (db.prepare('SELECT max(id) FROM pages').pluck().get() as number | null) ?? 0;
}

/** Waits (at most `ms`) until the results stream is empty: the writer deletes entries once stored. */
async function drained(redis: Redis, prefix: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    // Bounded even when Redis is down (commands then wait for a reconnect).
    const left = await Promise.race([
      redis.xlen(keys(prefix).results).catch(() => 0),
      sleep(deadline - Date.now()).then(() => 0),
    ]);
    if (left === 0) return;
    await sleep(50);
  }
}

export function printSummary(io: CliIO, o: CrawlOutcome): void {
  const secs = o.elapsedMs / 1000;
  line(
    io.stdout,
    `crawl ${o.crawl}${o.interrupted ? ' (interrupted: run the same command again to resume)' : ''}`,
  );
  line(io.stdout, `  pages stored   ${o.stored} (${o.ok} ok, ${o.failed} failed)`);
  for (const [code, n] of Object.entries(o.byError).sort((a, b) => b[1] - a[1]))
    line(io.stdout, `    ${code.padEnd(24)} ${n}`);
  if (o.byError.BLOCKED_PRIVATE_ADDRESS)
    line(io.stdout, '  hint           non-public addresses were refused: --allow-private allows them');
  if (o.invalid) line(io.stdout, `  invalid seeds  ${o.invalid} (reported above)`);
  if (o.budget) line(io.stdout, `  budget         ${o.budget}`);
  if (o.sitemaps && (o.sitemaps.read || o.sitemaps.failed))
    line(io.stdout, `  sitemaps       ${o.sitemaps.read} read, ${o.sitemaps.failed} failed`);
  line(io.stdout, `  elapsed        ${secs.toFixed(1)} s`);
  line(io.stdout, `  pages/s        ${o.pagesPerSec === null ? '-' : o.pagesPerSec.toFixed(1)}`);
}
