/** Prometheus metrics (prom-client): one registry per process, served at /metrics by --metrics-port. */
export { registerFleetGauges, writerLag } from './fleet.js';
export { type RoleMetrics, startRoleMetrics } from './role.js';
export {
  createRegistry,
  DEFAULT_METRICS_HOST,
  type MetricsConfig,
  type MetricsServer,
  startMetricsServer,
} from './server.js';
export { WorkerMetrics } from './worker.js';
export { WriterMetrics } from './writer.js';
