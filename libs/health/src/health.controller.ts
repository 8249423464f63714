import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, RateLimitStatus } from '#auth';
import { SigilRepository } from '#storage';

export interface ReadinessReport {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'up' | 'down' | 'degraded'; message?: string; backend?: string }>;
}

/** Liveness and readiness. Never authenticated, never rate limited. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  private draining = false;

  constructor(
    private readonly repository: SigilRepository,
    private readonly rateLimit: RateLimitStatus,
  ) {}

  /** Called on SIGTERM before the server stops accepting, so load balancers drain this instance. */
  markDraining(): void {
    this.draining = true;
  }

  @Get('/health')
  @ApiOperation({ summary: 'API router health' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('/healthz')
  @ApiOperation({ summary: 'Liveness: the process and its event loop answer (no dependency checks)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('/readyz')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Readiness: storage round trip, rate-limit backend; 503 while draining or when storage fails',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { storage: { status: 'up' } } } } })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `checks` says which part failed' })
  async readiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    checks.lifecycle = this.draining ? { status: 'down', message: 'shutting down' } : { status: 'up' };
    try {
      await this.repository.ping();
      checks.storage = { status: 'up' };
    } catch (error) {
      checks.storage = { status: 'down', message: error instanceof Error ? error.message : 'unavailable' };
    }
    // Degraded rate limiting (Redis down, counting per instance) keeps serving: ready, but said so.
    const { configured, active } = this.rateLimit.backend();
    checks.rateLimit =
      configured === active
        ? { status: 'up', backend: active }
        : {
            status: 'degraded',
            backend: active,
            message: 'Redis unavailable: limits are per instance until it returns',
          };
    const ready = Object.values(checks).every((c) => c.status !== 'down');
    if (!ready) void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'error', checks };
  }
}
