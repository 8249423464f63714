export { PrometheusController } from '@willsoto/nestjs-prometheus';
export { httpRoute, registerHttpMetrics } from './http-metrics.js';
export { LATENCY_BUCKETS, METRICS, STORAGE_BUCKETS } from './metric-names.js';
export { MetricsModule } from './metrics.module.js';
export { SigilMetrics, type KnownSeries } from './sigil-metrics.js';
