import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '#config';
import { SigilMetrics } from '#metrics';
import { setRateLimitHeaders } from './rate-limit.headers.js';
import { RateLimitedError } from './rate-limit.errors.js';
import { RATE_LIMIT_STORAGE } from './rate-limit.storage.js';

interface Reply {
  header(name: string, value: string | number): unknown;
}

/**
 * Requests that fail authentication are limited per client address (SIGIL_ANON_RATE_LIMIT per
 * window), so guessing tokens or hammering with garbage is throttled before it costs much. The address
 * is Fastify's `request.ip`, which honours SIGIL_TRUST_PROXY behind an ingress.
 */
@Injectable()
export class AnonymousLimiter {
  private readonly audit = new Logger('RateLimit');
  private readonly limit: number;
  private readonly ttlMs: number;

  constructor(
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    private readonly metrics: SigilMetrics,
    config: AppConfig,
  ) {
    this.limit = config.rateLimit.anonymousLimit;
    this.ttlMs = config.rateLimit.windowSeconds * 1000;
  }

  /** Counts one failed request from `ip`; throws RateLimitedError once the address is over its budget. */
  async hit(ip: string, reply: Reply, requestId?: string): Promise<void> {
    const record = await this.storage.increment(
      `anonymous:${ip}`,
      this.ttlMs,
      this.limit,
      this.ttlMs,
      'anonymous',
    );
    setRateLimitHeaders(reply, this.limit, record);
    if (!record.isBlocked) return;
    this.metrics.limited('anonymous');
    this.audit.warn({
      audit: true,
      event: 'rate_limit.exceeded',
      scope: 'anonymous',
      clientIp: ip,
      requestId,
    });
    throw new RateLimitedError(record.timeToBlockExpire);
  }
}
