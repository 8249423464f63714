import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';

/** `{status: "ok"}`: all /health and /healthz ever answer. */
@ApiSchema({ name: 'HealthStatus' })
export class HealthStatusView {
  @ApiProperty({ enum: ['ok'], example: 'ok' }) status!: 'ok';
}

/** One check in a readiness report; each check adds its own details (kind, activeKid, free space...). */
@ApiSchema({ name: 'ReadinessCheck' })
export class ReadinessCheckView {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) status!: 'up' | 'down';
}

const CHECKS = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(ReadinessCheckView) },
  description: 'By check name: storage, signing, rateLimits, disk, heap.',
} as const;

/** Terminus's report (documented here; the service returns Terminus's own object). */
@ApiSchema({ name: 'Readiness' })
export class ReadinessView {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'], example: 'ok' }) status!: string;
  @ApiPropertyOptional(CHECKS) info?: Record<string, ReadinessCheckView>;
  @ApiPropertyOptional(CHECKS) error?: Record<string, ReadinessCheckView>;
  @ApiPropertyOptional(CHECKS) details?: Record<string, ReadinessCheckView>;
}
