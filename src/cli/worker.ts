/** `metacrawl worker`: fetch and extract until SIGINT/SIGTERM. */
import type { CrawlSettings, FetchConfig } from '../config.js';
import { createLogger, type LogLevel } from '../log.js';
import type { MetricsConfig } from '../metrics/index.js';
import { startRoleMetrics } from '../metrics/role.js';
import { startWorker } from '../worker/index.js';
import { type CliIO, sleep } from './io.js';
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
  /** --queue-window (default: the worker's, from --concurrency). */
  queueWindow?: number;
}

export async function workerCommand(opts: WorkerCommandOptions, io: CliIO): Promise<number> {
  const logger = createLogger(opts.logLevel);
  const target = await resolveRedis(opts.redisUrl, null);
  const metrics = opts.metrics ? await startRoleMetrics(opts.metrics, target.url, opts.prefix, logger) : null;
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
    queueWindow: opts.queueWindow,
  });
  logger.info({ worker: worker.id, concurrency: opts.fetch.concurrency }, 'worker started');
  while (!io.stopSignal.aborted) await sleep(60_000, io.stopSignal);
  await worker.close(opts.graceMs);
  await metrics?.close();
  logger.info({ worker: worker.id, ...worker.stats }, 'worker stopped');
  await logger.flush?.();
  return 0;
}
