import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '#auth';
import { ReadinessService } from './readiness.service.js';

const READY_EXAMPLE = {
  status: 'ok',
  info: { storage: { status: 'up', kind: 'leveldb' }, signing: { status: 'up', activeKid: '3f9a1c2b' } },
  error: {},
  details: { storage: { status: 'up', kind: 'leveldb' }, signing: { status: 'up', activeKid: '3f9a1c2b' } },
};

/** Liveness and readiness. Never authenticated, never rate limited. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

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
  @ApiOperation({
    summary: 'Readiness: storage round trip, signing self-test, rate-limit backend, disk, heap',
    description:
      '200 when ready (status `ok`, or `degraded` while Redis is away); 503 with per-check detail otherwise, and from SIGTERM on.',
  })
  @ApiOkResponse({ schema: { example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `error` and `details` say which check failed' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.readiness.check();
    if (!ready) void reply.status(503);
    return result;
  }
}
