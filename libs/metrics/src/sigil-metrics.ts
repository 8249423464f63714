import { readFileSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, METRICS, STORAGE_BUCKETS } from './metric-names.js';

export const METRIC_PROVIDERS = [
  makeCounterProvider({
    name: METRICS.httpRequests,
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: METRICS.httpDuration,
    help: 'HTTP request duration in seconds, by method and route template',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
  }),
  makeCounterProvider({
    name: METRICS.encodes,
    help: 'Sigils minted (replays of an Idempotency-Key excluded)',
  }),
  makeHistogramProvider({
    name: METRICS.encodeDuration,
    help: 'Encode duration in seconds: canonical JSON, DNA, signature and the durable write',
    buckets: LATENCY_BUCKETS,
  }),
  makeCounterProvider({
    name: METRICS.verifies,
    help: 'Verifications, by result (ok or the failing reason)',
    labelNames: ['result'],
  }),
  makeHistogramProvider({
    name: METRICS.verifyDuration,
    help: 'Verify duration in seconds: read, digest, signature and the checks',
    buckets: LATENCY_BUCKETS,
  }),
  makeCounterProvider({
    name: METRICS.revokes,
    help: 'Successful revoke requests (repeats of an earlier revoke included)',
  }),
  makeCounterProvider({
    name: METRICS.errors,
    help: 'Problem responses, by operation ("METHOD route") and problem code',
    labelNames: ['operation', 'code'],
  }),
  makeCounterProvider({
    name: METRICS.legacyRequests,
    help: 'Calls to the deprecated /api/consciousness paths, by method and route: zero for long means the last old client is gone',
    labelNames: ['method', 'route'],
  }),
  makeHistogramProvider({
    name: METRICS.storageWrite,
    help: 'Storage write duration in seconds (durable: fsync or commit), by operation',
    labelNames: ['operation'],
    buckets: STORAGE_BUCKETS,
  }),
  makeHistogramProvider({
    name: METRICS.storageRead,
    help: 'Storage read duration in seconds, by operation',
    labelNames: ['operation'],
    buckets: STORAGE_BUCKETS,
  }),
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
    // Across workers: 1 where any worker counts there (both 1 while some fell back and some did not).
    aggregator: 'max',
  }),
  makeCounterProvider({
    name: METRICS.rateLimitBackendChanges,
    help: 'Rate-limit backend switches (redis → memory when Redis fails, memory → redis when it returns)',
    labelNames: ['to'],
  }),
  makeGaugeProvider({
    name: METRICS.ready,
    help: '1 when the last readiness check passed, 0 when it failed',
    // Across workers: the instance is ready only if every worker is.
    aggregator: 'min',
  }),
  makeGaugeProvider({
    name: METRICS.readinessCheck,
    help: 'Each readiness check at its last run: 1 up, 0.5 degraded, 0 down',
    labelNames: ['check'],
    aggregator: 'min',
  }),
  makeGaugeProvider({
    name: METRICS.diskFreeRatio,
    help: 'Free fraction of the volume holding SIGIL_DB_PATH',
    aggregator: 'min',
  }),
  makeGaugeProvider({
    name: METRICS.memoryLimit,
    help: 'Memory available to the process: the cgroup limit, else total RAM',
    // One cgroup for every worker: summing would multiply it.
    aggregator: 'first',
  }),
];

/**
 * The label values each labelled metric can take, as known at start. prom-client exports a labelled
 * metric only once a label set has been used, and `rate()` over a series that does not exist is "no
 * data", not 0: a panel stays empty and an alert can't fire until the first event. So every known
 * label set gets a zero series at start (SigilMetrics.initialise).
 */
export interface KnownSeries {
  /** Every route (Fastify's template) with the statuses it can answer (its documented responses). */
  routes: { method: string; route: string; statuses: readonly number[] }[];
  /** The problem code a problem status carries (sigil_error_total{code}). */
  problemCodeOf: (status: number) => string | undefined;
  verifyResults: readonly string[];
  authFailureReasons: readonly string[];
  storageOperations: { read: readonly string[]; write: readonly string[] };
}

const RATE_LIMIT_SCOPES = ['principal', 'anonymous'] as const;
const RATE_LIMIT_BACKENDS = ['redis', 'memory'] as const;

/** The domain's metrics behind named methods, so callers never spell metric or label names. */
@Injectable()
export class SigilMetrics {
  constructor(
    @InjectMetric(METRICS.httpRequests) private readonly httpRequests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRICS.httpDuration) private readonly httpDuration: Histogram<'method' | 'route'>,
    @InjectMetric(METRICS.encodes) private readonly encodes: Counter,
    @InjectMetric(METRICS.encodeDuration) private readonly encodeDuration: Histogram,
    @InjectMetric(METRICS.verifies) private readonly verifies: Counter<'result'>,
    @InjectMetric(METRICS.verifyDuration) private readonly verifyDuration: Histogram,
    @InjectMetric(METRICS.revokes) private readonly revokes: Counter,
    @InjectMetric(METRICS.errors) private readonly errors: Counter<'operation' | 'code'>,
    @InjectMetric(METRICS.legacyRequests) private readonly legacyRequests: Counter<'method' | 'route'>,
    @InjectMetric(METRICS.storageWrite) private readonly storageWrites: Histogram<'operation'>,
    @InjectMetric(METRICS.storageRead) private readonly storageReads: Histogram<'operation'>,
    @InjectMetric(METRICS.authFailures) private readonly authFailures: Counter<'reason'>,
    @InjectMetric(METRICS.rateLimited) private readonly rateLimited: Counter<'scope'>,
    @InjectMetric(METRICS.rateLimitBackend) private readonly rateLimitBackend: Gauge<'backend'>,
    @InjectMetric(METRICS.rateLimitBackendChanges) private readonly rateLimitBackendChanges: Counter<'to'>,
    @InjectMetric(METRICS.ready) private readonly readyGauge: Gauge,
    @InjectMetric(METRICS.readinessCheck) private readonly readinessChecks: Gauge<'check'>,
    @InjectMetric(METRICS.diskFreeRatio) private readonly diskFreeRatio: Gauge,
    @InjectMetric(METRICS.memoryLimit) memoryLimit: Gauge,
  ) {
    memoryLimit.set(memoryLimitBytes());
  }

  /** Zero series for every known label set, so each exists from the first scrape. */
  initialise(known: KnownSeries): void {
    for (const { method, route, statuses } of known.routes) {
      this.httpDuration.zero({ method, route });
      for (const status of statuses) {
        this.httpRequests.inc({ method, route, status: String(status) }, 0);
        const code = known.problemCodeOf(status);
        if (code) this.errors.inc({ operation: `${method} ${route}`, code }, 0);
      }
    }
    for (const result of known.verifyResults) this.verifies.inc({ result }, 0);
    for (const reason of known.authFailureReasons) this.authFailures.inc({ reason }, 0);
    for (const operation of known.storageOperations.read) this.storageReads.zero({ operation });
    for (const operation of known.storageOperations.write) this.storageWrites.zero({ operation });
    for (const scope of RATE_LIMIT_SCOPES) this.rateLimited.inc({ scope }, 0);
    for (const to of RATE_LIMIT_BACKENDS) this.rateLimitBackendChanges.inc({ to }, 0);
  }

  /**
   * Readiness as of the scrape: without this, sigil_ready reads 0 and sigil_readiness_check has no
   * series until something calls /readyz. Both gauges wait for the same check, run at most once a second.
   */
  refreshReadinessOnScrape(check: () => Promise<unknown>): void {
    let last = 0;
    let running: Promise<unknown> | undefined;
    const refresh = async () => {
      if (!running && Date.now() - last >= 1_000) {
        running = check()
          .catch(() => undefined)
          .finally(() => {
            last = Date.now();
            running = undefined;
          });
      }
      await running;
    };
    for (const gauge of [this.readyGauge, this.readinessChecks]) {
      (gauge as Gauge & { collect?: () => Promise<void> }).collect = refresh;
    }
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  encoded(seconds: number, replayed: boolean): void {
    if (!replayed) this.encodes.inc();
    this.encodeDuration.observe(seconds);
  }

  verified(result: string, seconds: number): void {
    this.verifies.inc({ result });
    this.verifyDuration.observe(seconds);
  }

  revoked(): void {
    this.revokes.inc();
  }

  problem(operation: string, code: string): void {
    this.errors.inc({ operation, code });
  }

  /**
   * Exports the legacy routes at zero from the first scrape, so "no legacy calls" is a 0 a dashboard
   * and an alert can read, not a series that does not exist yet.
   */
  legacyRoutes(routes: { method: string; route: string }[]): void {
    for (const labels of routes) this.legacyRequests.inc(labels, 0);
  }

  legacyRequest(method: string, route: string): void {
    this.legacyRequests.inc({ method, route });
  }

  storageWrite(operation: string, seconds: number): void {
    this.storageWrites.observe({ operation }, seconds);
  }

  storageRead(operation: string, seconds: number): void {
    this.storageReads.observe({ operation }, seconds);
  }

  authFailed(reason: string): void {
    this.authFailures.inc({ reason });
  }

  limited(scope: (typeof RATE_LIMIT_SCOPES)[number]): void {
    this.rateLimited.inc({ scope });
  }

  /** Records the rate-limit backend in use; `changed` counts a switch (not the initial state). */
  rateLimitBackendIs(backend: 'redis' | 'memory', changed: boolean): void {
    this.rateLimitBackend.set({ backend }, 1);
    this.rateLimitBackend.set({ backend: backend === 'redis' ? 'memory' : 'redis' }, 0);
    if (changed) this.rateLimitBackendChanges.inc({ to: backend });
  }

  readiness(ready: boolean, checks: Record<string, 'up' | 'degraded' | 'down'>): void {
    this.readyGauge.set(ready ? 1 : 0);
    for (const [check, status] of Object.entries(checks)) {
      this.readinessChecks.set({ check }, status === 'up' ? 1 : status === 'degraded' ? 0.5 : 0);
    }
  }

  /** Free-space ratio of the volume holding `path`, read at scrape time (statfs is a cheap syscall). */
  watchDisk(path: string): void {
    const gauge = this.diskFreeRatio;
    const read = () => {
      try {
        const s = statfsSync(path);
        gauge.set(s.blocks > 0 ? s.bavail / s.blocks : 0);
      } catch {
        // The path may not exist yet (first start); the next scrape tries again.
      }
    };
    read();
    (gauge as Gauge & { collect?: () => void }).collect = read;
  }
}

/** cgroup v2 `memory.max`, then v1 `memory.limit_in_bytes`, else total RAM ("max" means unlimited). */
function memoryLimitBytes(): number {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0 && value < totalmem() * 4) return value;
    } catch {
      // not this cgroup layout
    }
  }
  return totalmem();
}
