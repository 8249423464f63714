export { httpRoute, registerHttpMetrics } from './http-metrics.js';
export { LATENCY_BUCKETS, METRICS, STORAGE_BUCKETS } from './metric-names.js';
export { MetricsModule } from './metrics.module.js';
export { SigilMetrics, type KnownSeries } from './sigil-metrics.js';
export { answerWorkers, PrimaryChannel, PrimaryUnavailableError } from './cluster/cluster-channel.js';
export {
  CLUSTER_METRICS,
  createPrimaryMetrics,
  serveClusterMetrics,
  type PrimaryMetrics,
} from './cluster/cluster-metrics.js';
export { PrometheusController } from './cluster/instance-prometheus.controller.js';
