import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { answerPrimaryMetricsRequests } from './cluster/cluster-metrics.js';
import { METRIC_PROVIDERS, SigilMetrics } from './sigil-metrics.js';

const DEFAULT_METRICS = Symbol('DEFAULT_METRICS');

/** Node process metrics (CPU, memory, event-loop lag, GC), registered once per process. */
function collectDefaultMetricsOnce(): boolean {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  // A cluster worker hands its registry to the primary, which merges the instance's /metrics.
  answerPrimaryMetricsRequests();
  return true;
}

/**
 * The Prometheus registry (prom-client's default, with Node process metrics) and the domain metrics.
 * The HTTP endpoint is a controller the app passes in, so this lib depends on no other lib.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: { controller: Type<unknown> }): DynamicModule {
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          controller: options.controller,
          // Registered once per process below: several apps in one process (tests, tools) share a registry.
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [
        ...METRIC_PROVIDERS,
        SigilMetrics,
        { provide: DEFAULT_METRICS, useFactory: collectDefaultMetricsOnce },
      ],
      exports: [SigilMetrics],
    };
  }
}
