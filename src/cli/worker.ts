/** `metacrawl worker`: fetch and extract until SIGINT/SIGTERM. */
import type { CrawlSettings, FetchConfig } from '../config.js';
import { createLogger, type LogLevel } from '../log.js';
import type { MetricsConfig } from '../metrics/index.js';
import { sleep } from '../sleep.js';
import { startWorker } from '../worker/index.js';
import { announceStop, type CliIO } from './io.js';
import { startMetrics } from './metrics.js';
import { resolveRedis } from './redis-target.js';

export interface WorkerCommandOptions {
  redisUrl: string | null;
  prefix: string;
  fetch: FetchConfig & { concurrency: number };
  defaults: CrawlSettings;
  logLevel: LogLevel;
  graceMs: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  robotsErrorTtlMs?: number;
  metrics?: MetricsConfig;
  /** --redis-timeout: a longer Redis outage stops the worker with an error. */
  redisTimeoutMs?: number;
  /** --queue-window (default: the worker's, from --concurrency). */
  queueWindow?: number;
  /** --archive and --archive-max-size. */
  archive?: { dir: string; maxFileBytes: number };
}

export async function workerCommand(opts: WorkerCommandOptions, io: CliIO): Promise<number> {
  const logger = createLogger(opts.logLevel);
  const target = await resolveRedis(opts.redisUrl, null);
  const metrics = opts.metrics ? await startMetrics(opts.metrics, target.url, opts.prefix, logger) : null;
  const worker = await startWorker({
    redisUrl: target.url,
    prefix: opts.prefix,
    concurrency: opts.fetch.concurrency,
    fetch: opts.fetch,
    defaults: opts.defaults,
    logger,
    lockDurationMs: opts.lockDurationMs,
    stalledIntervalMs: opts.stalledIntervalMs,
    robotsErrorTtlMs: opts.robotsErrorTtlMs,
    metrics: metrics?.worker,
    redisTimeoutMs: opts.redisTimeoutMs,
    queueWindow: opts.queueWindow,
    archive: opts.archive,
  });
  logger.info({ worker: worker.id, concurrency: opts.fetch.concurrency }, 'worker started');
  announceStop(io);
  const stop = AbortSignal.any([io.stopSignal, worker.redisLost, worker.failed]);
  while (!stop.aborted) await sleep(60_000, stop);
  // Redis gone for good: nothing in flight can be handed back, so no grace.
  await worker.close(worker.redisLost.aborted ? 0 : opts.graceMs);
  await metrics?.close();
  logger.info({ worker: worker.id, ...worker.stats }, 'worker stopped');
  await logger.flush?.();
  if (worker.redisLost.aborted) throw worker.redisLost.reason;
  if (worker.failed.aborted) throw worker.failed.reason;
  return 0;
}
