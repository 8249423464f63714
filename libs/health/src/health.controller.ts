import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  type SchemaObject,
} from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '#auth';
import { ReadinessService } from './readiness.service.js';

/** `{status: "ok"}`: all /health and /healthz ever answer. */
const STATUS_OK_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
  example: { status: 'ok' },
} satisfies SchemaObject;

/** Terminus's report: overall status and one entry per check (storage, signing, rateLimits, disk, heap). */
const CHECKS_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
} satisfies SchemaObject;
const READINESS_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'error', 'shutting_down'] },
    info: CHECKS_SCHEMA,
    error: CHECKS_SCHEMA,
    details: CHECKS_SCHEMA,
  },
} satisfies SchemaObject;

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
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'API router health',
    description: 'Public. `{status: "ok"}` whenever the router answers.',
  })
  @ApiOkResponse({ description: 'The router answers', schema: STATUS_OK_SCHEMA })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('/healthz')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process and its event loop answer (no dependency checks)',
    description: 'Public. For a liveness probe: restart the process when this stops answering.',
  })
  @ApiOkResponse({ description: 'Alive', schema: STATUS_OK_SCHEMA })
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
  @ApiOkResponse({ description: 'Ready', schema: { ...READINESS_SCHEMA, example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({
    description:
      'Not ready (a health report, not a problem): `error` and `details` say which check failed. Also from SIGTERM on.',
    schema: READINESS_SCHEMA,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.readiness.check();
    if (!ready) void reply.status(503);
    return result;
  }
}
