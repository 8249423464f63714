import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { METRICS } from './metric-names.js';

export const METRIC_PROVIDERS = [
  makeCounterProvider({
    name: METRICS.authFailures,
    help: 'Requests refused authentication, by reason (expired, invalid_audience, unknown_kid, …)',
    labelNames: ['reason'],
  }),
  makeCounterProvider({
    name: METRICS.rateLimited,
    help: 'Requests answered 429, by who was limited (principal or anonymous client address)',
    labelNames: ['scope'],
  }),
  makeGaugeProvider({
    name: METRICS.rateLimitBackend,
    help: 'Where rate-limit counters live now: 1 for the active backend (redis, memory)',
    labelNames: ['backend'],
  }),
  makeCounterProvider({
    name: METRICS.rateLimitBackendChanges,
    help: 'Rate-limit backend switches (redis → memory when Redis fails, memory → redis when it returns)',
    labelNames: ['to'],
  }),
];

/** The domain's metrics behind named methods, so callers never spell label names. */
@Injectable()
export class SigilMetrics {
  constructor(
    @InjectMetric(METRICS.authFailures) private readonly authFailures: Counter<'reason'>,
    @InjectMetric(METRICS.rateLimited) private readonly rateLimited: Counter<'scope'>,
    @InjectMetric(METRICS.rateLimitBackend) private readonly rateLimitBackend: Gauge<'backend'>,
    @InjectMetric(METRICS.rateLimitBackendChanges) private readonly rateLimitBackendChanges: Counter<'to'>,
  ) {}

  authFailed(reason: string): void {
    this.authFailures.inc({ reason });
  }

  limited(scope: 'principal' | 'anonymous'): void {
    this.rateLimited.inc({ scope });
  }

  /** Records the rate-limit backend in use; `changed` counts a switch (not the initial state). */
  rateLimitBackendIs(backend: 'redis' | 'memory', changed: boolean): void {
    this.rateLimitBackend.set({ backend }, 1);
    this.rateLimitBackend.set({ backend: backend === 'redis' ? 'memory' : 'redis' }, 0);
    if (changed) this.rateLimitBackendChanges.inc({ to: backend });
  }
}
