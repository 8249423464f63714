import { hash } from 'node:crypto';
import { Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { SigilMetrics } from '#metrics';
import type { Principal } from '#tenancy';
import { IS_PUBLIC } from '../auth.decorators.js';
import { RouteMetadataReflector } from '../route-metadata.reflector.js';
import { setRateLimitHeaders } from './rate-limit.headers.js';
import { RateLimitedError } from './rate-limit.errors.js';

/**
 * SIGIL_RATE_LIMIT requests per SIGIL_RATE_WINDOW seconds per principal (tenant + sub), one budget
 * across all routes and, with Redis, across all replicas. Runs after the JWT guard, so `request.user`
 * is verified; public routes (health, readiness, metrics, docs) are never limited.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  private readonly audit = new Logger('RateLimit');

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: RouteMetadataReflector,
    private readonly metrics: SigilMetrics,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) ??
      false
    );
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = request.user as Principal;
    return `${principal.tenantId}\u0000${principal.sub}`;
  }

  /** The library keys by route by default; the runbook's budget is per user, whatever the route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${hash('sha256', tracker, 'base64url')}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const http = context.switchToHttp();
    const request = http.getRequest<{ user: Principal; id?: string }>();
    setRateLimitHeaders(
      http.getResponse<{ header(n: string, v: string | number): unknown }>(),
      detail.limit,
      detail,
    );
    this.metrics.limited('principal');
    this.audit.warn({
      audit: true,
      event: 'rate_limit.exceeded',
      scope: 'principal',
      principal: request.user.sub,
      tenantId: request.user.tenantId,
      requestId: request.id,
    });
    throw new RateLimitedError(detail.timeToBlockExpire);
  }
}
