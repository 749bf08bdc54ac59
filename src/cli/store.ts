/** `metacrawl store`: the single store writer, until SIGINT/SIGTERM. */
import { createLogger, type LogLevel } from '../log.js';
import type { MetricsConfig } from '../metrics/index.js';
import { startRoleMetrics } from '../metrics/role.js';
import { connectRedis } from '../redis.js';
import { runStoreWriter } from '../store/consumer.js';
import { openDb } from '../store/db.js';
import { finishWritesInThread } from '../store/finish.js';
import type { CliIO } from './io.js';
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
}

export async function storeCommand(opts: StoreCommandOptions, io: CliIO): Promise<number> {
  const logger = createLogger(opts.logLevel);
  const db = openDb(opts.db, { onMigration: (m) => logger.info(m) });
  try {
    const target = await resolveRedis(opts.redisUrl, null);
    const metrics = opts.metrics
      ? await startRoleMetrics(opts.metrics, target.url, opts.prefix, logger)
      : null;
    const redis = connectRedis(target.url);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (reconnecting)'));
    logger.info({ db: opts.db }, 'store writer started');
    await runStoreWriter({
      redis,
      prefix: opts.prefix,
      db,
      signal: io.stopSignal,
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
    redis.disconnect();
    logger.info('store writer stopped');
    await logger.flush?.();
    return 0;
  } finally {
    db.close();
  }
}
