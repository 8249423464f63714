import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AuthenticationError, Public } from '#auth';
import { AppConfig } from '#config';
import { PrometheusController } from '#metrics';

/**
 * GET /metrics in Prometheus text format. Outside the JWT scheme (scrapers hold no user token); with
 * METRICS_TOKEN set, the scraper must send it as a bearer token (compared in constant time).
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  private readonly token: Buffer | null;

  constructor(config: AppConfig) {
    super();
    this.token = config.metricsToken ? Buffer.from(`Bearer ${config.metricsToken}`) : null;
  }

  @Get()
  override index(
    @Res({ passthrough: true }) response: unknown,
    @Headers('authorization') authorization?: string,
  ): Promise<string> {
    if (this.token) {
      const given = Buffer.from(authorization ?? '');
      if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
        throw new AuthenticationError(authorization ? 'invalid_signature' : 'missing_token');
      }
    }
    return super.index(response);
  }
}
