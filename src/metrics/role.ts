/** Wires one process's metrics: a registry, the role's metrics, the fleet gauges and the /metrics server. */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { connectRedis } from '../redis.js';
import { registerFleetGauges } from './fleet.js';
import { createRegistry, type MetricsConfig, startMetricsServer } from './server.js';
import { WorkerMetrics } from './worker.js';
import { WriterMetrics } from './writer.js';

export interface RoleMetrics {
  url: string;
  worker: WorkerMetrics;
  writer: WriterMetrics;
  close(): Promise<void>;
}

/** null when no --metrics-port was given. Worker and writer metrics are both registered; a role feeds its own. */
export async function startRoleMetrics(
  cfg: MetricsConfig,
  redisUrl: string,
  prefix: string,
  logger: Logger,
): Promise<RoleMetrics | null> {
  if (cfg.port === null) return null;
  const registry = createRegistry();
  const worker = new WorkerMetrics(registry);
  const writer = new WriterMetrics(registry);
  // A connection of its own, so a scrape never queues behind a worker's or the writer's commands.
  const redis: Redis = connectRedis(redisUrl);
  redis.on('error', () => {});
  registerFleetGauges(registry, redis, prefix, logger);
  try {
    const server = await startMetricsServer(registry, cfg.host, cfg.port);
    logger.info({ url: server.url }, 'serving Prometheus metrics');
    return {
      url: server.url,
      worker,
      writer,
      close: async () => {
        await server.close();
        redis.disconnect();
      },
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}
