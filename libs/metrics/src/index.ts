export { httpRoute, registerHttpMetrics } from './http-metrics.js';
export { LATENCY_BUCKETS, METRICS, STORAGE_BUCKETS } from './metric-names.js';
export { MetricsModule } from './metrics.module.js';
export { SigilMetrics, type KnownSeries } from './sigil-metrics.js';
// Workers reach the primary through the same channel the primary's entry (#metrics/cluster) serves.
export { CLUSTER_METRICS, PrimaryChannel, PrimaryUnavailableError } from './cluster.js';
export { PrometheusController } from './cluster/instance-prometheus.controller.js';
