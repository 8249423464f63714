export { PrometheusController } from '@willsoto/nestjs-prometheus';
export { METRICS } from './metric-names.js';
export { MetricsModule } from './metrics.module.js';
export { SigilMetrics } from './sigil-metrics.js';
