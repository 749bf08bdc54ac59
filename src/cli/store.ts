/** `metacrawl store`: the single store writer, until SIGINT/SIGTERM. */
import { createLogger, type LogLevel } from '../log.js';
import { type MetricsConfig, startRoleMetrics } from '../metrics/index.js';
import { connectRedis } from '../redis.js';
import { openDb, runStoreWriter } from '../store/index.js';
import { announceStop, type CliIO } from './io.js';
import { resolveRedis } from './redis-target.js';

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
  const db = openDb(opts.db);
  try {
    const target = await resolveRedis(opts.redisUrl, null);
    const metrics = opts.metrics
      ? await startRoleMetrics(opts.metrics, target.url, opts.prefix, logger)
      : null;
    const redis = connectRedis(target.url);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (reconnecting)'));
    logger.info({ db: opts.db }, 'store writer started');
    announceStop(io);
    await runStoreWriter({
      redis,
      prefix: opts.prefix,
      db,
      signal: io.stopSignal,
      logger,
      batchSize: opts.batchSize,
      onBatch: metrics ? (b) => metrics.writer.observeBatch(b) : undefined,
    });
    await metrics?.close();
    redis.disconnect();
    logger.info('store writer stopped');
    await logger.flush?.();
    return 0;
  } finally {
    db.close();
  }
}
