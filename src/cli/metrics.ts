/** --metrics-port for crawl, worker and store: prom-client (~100 ms of loading) is loaded only when asked for. */
import type { Logger } from '../log.js';
import type { MetricsConfig, RoleMetrics } from '../metrics/index.js';

export async function startMetrics(
  cfg: MetricsConfig,
  redisUrl: string,
  prefix: string,
  logger: Logger,
): Promise<RoleMetrics | null> {
  if (cfg.port === null) return null;
  const { startRoleMetrics } = await import('../metrics/index.js');
  return startRoleMetrics(cfg, redisUrl, prefix, logger);
}
