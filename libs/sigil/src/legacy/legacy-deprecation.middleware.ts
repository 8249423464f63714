import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { AppConfig } from '#config';
import { SigilMetrics } from '#metrics';
import { LEGACY_DEPRECATED_AT, LEGACY_PATH } from './legacy.paths.js';

const SUCCESSOR = '/api/v1/sigils';

/**
 * Every answer on the legacy path — successes, and the 401/403/429/400s that guards and pipes send
 * before a controller runs — says it is deprecated (RFC 9745), when it goes (RFC 8594 `Sunset`) and
 * what replaces it, and is counted, so operators can see when the last old client is gone. A
 * middleware runs before guards, which is why this is not an interceptor.
 */
@Injectable()
export class LegacyDeprecationMiddleware implements NestMiddleware {
  private readonly headers: [string, string][];

  constructor(
    config: AppConfig,
    private readonly metrics: SigilMetrics,
  ) {
    this.headers = [
      ['deprecation', `@${Math.floor(Date.parse(LEGACY_DEPRECATED_AT) / 1000)}`],
      ['sunset', new Date(config.legacy.sunset).toUTCString()],
      ['link', `<${SUCCESSOR}>; rel="successor-version"`],
    ];
    metrics.legacyRoutes(['GET', 'POST'].map((method) => ({ method, route: LEGACY_PATH })));
  }

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    for (const [name, value] of this.headers) response.setHeader(name, value);
    // Bounded label values: a method this path does not serve is "other".
    const method = request.method === 'GET' || request.method === 'POST' ? request.method : 'other';
    this.metrics.legacyRequest(method, LEGACY_PATH);
    next();
  }
}
