export { HealthController, type ReadinessReport } from './health.controller.js';
export { HealthModule } from './health.module.js';
export { MetricsController } from './metrics.controller.js';
