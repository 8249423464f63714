import { statfsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  MemoryHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { RateLimitStatus } from '#auth';
import { AppConfig } from '#config';
import { SigilMetrics } from '#metrics';
import { KeyRing, SigilRepository } from '#sigil';

const SELF_TEST_TENANT = '~readiness';
const SELF_TEST_INPUT = 'sigil-dna readiness self-test';

/**
 * Readiness (Terminus): every dependency a request needs, each reported on its own. Degraded
 * (rate limits counted per instance while Redis is away) still serves; any `down` makes /readyz 503.
 */
@Injectable()
export class ReadinessService {
  private draining = false;
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  /** Only the embedded store lives on this machine's disk. */
  private readonly dbPath: string | null;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly memory: MemoryHealthIndicator,
    private readonly repository: SigilRepository,
    private readonly keys: KeyRing,
    private readonly rateLimit: RateLimitStatus,
    private readonly metrics: SigilMetrics,
    private readonly config: AppConfig,
  ) {
    this.dbPath = config.storage.kind === 'leveldb' ? config.storage.path : null;
    if (this.dbPath) metrics.watchDisk(this.dbPath);
    metrics.refreshReadinessOnScrape(() => this.check());
  }

  /** SIGTERM: readiness turns 503 before the server stops accepting, so load balancers drain first. */
  markDraining(): void {
    this.draining = true;
  }

  /** The Terminus result, whatever the outcome; `ready` says whether to answer 200 or 503. */
  async check(): Promise<{ ready: boolean; result: HealthCheckResult }> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.lifecycle(),
        () => this.storage(),
        () => this.signing(),
        () => this.rateLimits(),
        ...(this.dbPath ? [() => this.disk(this.dbPath!)] : []),
        () => this.memory.checkHeap('heap', Math.floor(this.heapLimit * this.config.readiness.heapMaxRatio)),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    const ready = result.status !== 'error' && result.status !== 'shutting_down';
    const statuses = Object.fromEntries(Object.entries(result.details).map(([k, v]) => [k, v.status]));
    this.metrics.readiness(ready, statuses);
    return { ready, result };
  }

  private lifecycle(): HealthIndicatorResult {
    const session = this.indicator.check('lifecycle');
    return this.draining ? session.down({ message: 'shutting down' }) : session.up();
  }

  /** A real write, read and delete in a reserved key space outside every tenant. */
  private async storage(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('storage');
    try {
      await this.repository.ping();
      return session.up({ kind: this.config.storage.kind });
    } catch (error) {
      return session.down({
        kind: this.config.storage.kind,
        message: error instanceof Error ? error.message : 'unavailable',
      });
    }
  }

  /** Sign and verify with the active key: catches a broken key ring or crypto before clients do. */
  private signing(): HealthIndicatorResult {
    const session = this.indicator.check('signing');
    try {
      const kid = this.keys.activeKid;
      const signature = this.keys.sign(kid, SELF_TEST_TENANT, SELF_TEST_INPUT);
      const ok =
        /^[0-9a-f]{64}$/.test(signature) &&
        this.keys.verify(kid, SELF_TEST_TENANT, SELF_TEST_INPUT, signature) &&
        !this.keys.verify(kid, `${SELF_TEST_TENANT}x`, SELF_TEST_INPUT, signature);
      return ok
        ? session.up({ activeKid: kid })
        : session.down({ message: 'self-test signature did not verify' });
    } catch {
      return session.down({ message: 'signing self-test failed' });
    }
  }

  private rateLimits(): HealthIndicatorResult {
    const session = this.indicator.check('rateLimit');
    const { configured, active } = this.rateLimit.backend();
    return configured === active
      ? session.up({ backend: active })
      : session.degraded({
          backend: active,
          message: 'Redis unavailable: limits are per instance until it returns',
        });
  }

  private disk(path: string): HealthIndicatorResult {
    const session = this.indicator.check('disk');
    try {
      const s = statfsSync(path);
      const freeRatio = s.blocks > 0 ? s.bavail / s.blocks : 0;
      const data = {
        path,
        freeRatio: Math.round(freeRatio * 1000) / 1000,
        minFreeRatio: this.config.readiness.diskMinFreeRatio,
      };
      return freeRatio >= this.config.readiness.diskMinFreeRatio
        ? session.up(data)
        : session.down({ ...data, message: 'disk nearly full' });
    } catch (error) {
      return session.down({ path, message: error instanceof Error ? error.message : 'cannot stat volume' });
    }
  }
}
