/** `metacrawl store`: the single store writer, until SIGINT/SIGTERM. */
import { createLogger, type LogLevel } from '../log.js';
import type { MetricsConfig } from '../metrics/index.js';
import { connectRedis, disconnectRedis, redactRedisUrl } from '../redis.js';
import { watchRedis } from '../redis-outage.js';
import { finishWritesInThread, openDb, runStoreWriter } from '../store/index.js';
import { lockDatabase } from './db-lock.js';
import { announceStop, type CliIO } from './io.js';
import { startMetrics } from './metrics.js';
import { resolveRedis } from './redis-target.js';

/** A writer idle this long builds the indexes it left off (and again after the next burst of writes). */
const FINISH_WHEN_IDLE_MS = 10_000;

export interface StoreCommandOptions {
  db: string;
  redisUrl: string | null;
  prefix: string;
  logLevel: LogLevel;
  batchSize: number;
  metrics?: MetricsConfig;
  /** --redis-timeout: a longer Redis outage stops the writer with an error. */
  redisTimeoutMs?: number;
}

export async function storeCommand(opts: StoreCommandOptions, io: CliIO): Promise<number> {
  const logger = createLogger(opts.logLevel);
  // One writer per database: a second `store` (or a `crawl`) on it refuses at once.
  const lock = lockDatabase(opts.db);
  let db: ReturnType<typeof openDb> | undefined;
  try {
    db = openDb(opts.db, { onMigration: (m) => logger.info(m) });
    const target = await resolveRedis(opts.redisUrl, null);
    const metrics = opts.metrics ? await startMetrics(opts.metrics, target.url, opts.prefix, logger) : null;
    const giveUp = new AbortController();
    const redis = connectRedis(target.url, {}, giveUp.signal);
    const watch = watchRedis(redis, redactRedisUrl(target.url), { outageMs: opts.redisTimeoutMs, logger });
    // Lost: the connection ends, so the writer's command in flight fails rather than wait for a reconnect.
    watch.signal.addEventListener('abort', () => giveUp.abort(), { once: true });
    logger.info({ db: opts.db }, 'store writer started');
    announceStop(io);
    await runStoreWriter({
      redis,
      prefix: opts.prefix,
      db,
      signal: AbortSignal.any([io.stopSignal, watch.signal]),
      logger,
      batchSize: opts.batchSize,
      onBatch: metrics ? (b) => metrics.writer.observeBatch(b) : undefined,
      finishWhenIdleMs: FINISH_WHEN_IDLE_MS,
    });
    // Indexes left off while writing are built now rather than by the next run (a line every 10 s).
    await finishWritesInThread(opts.db, { report: (m) => logger.info(m) }).catch((err) =>
      logger.warn({ err: (err as Error).message }, 'building the deferred indexes failed'),
    );
    await metrics?.close();
    disconnectRedis(redis);
    logger.info('store writer stopped');
    await logger.flush?.();
    if (watch.signal.aborted) throw watch.signal.reason;
    return 0;
  } finally {
    db?.close();
    lock.release();
  }
}
