export { HealthController } from './health.controller.js';
export { HealthModule } from './health.module.js';
export { MetricsController } from './metrics.controller.js';
export { ReadinessService } from './readiness.service.js';
