import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '#auth';
import { HealthStatusView, ReadinessCheckView, ReadinessView } from './health.view.js';
import { ReadinessService } from './readiness.service.js';

const READY_EXAMPLE = {
  status: 'ok',
  info: { storage: { status: 'up', kind: 'leveldb' }, signing: { status: 'up', activeKid: '3f9a1c2b' } },
  error: {},
  details: { storage: { status: 'up', kind: 'leveldb' }, signing: { status: 'up', activeKid: '3f9a1c2b' } },
};

/** Liveness and readiness. Never authenticated, never rate limited. */
@ApiTags('health')
@ApiExtraModels(ReadinessCheckView)
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('/health')
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'API router health',
    description: 'Public. `{status: "ok"}` whenever the router answers.',
  })
  @ApiOkResponse({ description: 'The router answers', type: HealthStatusView })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('/healthz')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process and its event loop answer (no dependency checks)',
    description: 'Public. For a liveness probe: restart the process when this stops answering.',
  })
  @ApiOkResponse({ description: 'Alive', type: HealthStatusView })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('/readyz')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: storage round trip, signing self-test, rate-limit backend, disk, heap',
    description:
      '200 when ready (status `ok`, or `degraded` while Redis is away); 503 with per-check detail otherwise, and from SIGTERM on.',
  })
  @ApiOkResponse({ description: 'Ready', type: ReadinessView, example: READY_EXAMPLE })
  @ApiServiceUnavailableResponse({
    description:
      'Not ready (a health report, not a problem): `error` and `details` say which check failed. Also from SIGTERM on.',
    type: ReadinessView,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.readiness.check();
    if (!ready) void reply.status(503);
    return result;
  }
}
