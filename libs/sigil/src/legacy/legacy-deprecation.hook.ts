import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppConfig } from '#config';
import { SigilMetrics } from '#metrics';
import { LEGACY_DEPRECATED_AT, LEGACY_PATH } from './legacy.paths.js';

const SUCCESSOR = '/api/v1/sigils';

/**
 * Every answer on the legacy path — successes, and the 401/403/429/400s that guards, pipes and the
 * body parser send before a controller runs — says it is deprecated (RFC 9745), when it goes (RFC
 * 8594 `Sunset`) and what replaces it, and is counted, so operators can see when the last old client
 * is gone.
 *
 * A Fastify `onRequest` hook (createApp registers `onRequest`), because it must run before guards:
 * not an interceptor. Not a Nest middleware either: one middleware makes every request of every
 * route copy eight request fields for the middleware engine (3 % of a verify's profile).
 */
@Injectable()
export class LegacyDeprecation {
  private readonly headers: Readonly<Record<string, string>>;

  constructor(
    config: AppConfig,
    private readonly metrics: SigilMetrics,
  ) {
    this.headers = Object.freeze({
      deprecation: `@${Math.floor(Date.parse(LEGACY_DEPRECATED_AT) / 1000)}`,
      sunset: new Date(config.legacy.sunset).toUTCString(),
      link: `<${SUCCESSOR}>; rel="successor-version"`,
    });
    metrics.legacyRoutes(['GET', 'POST'].map((method) => ({ method, route: LEGACY_PATH })));
  }

  readonly onRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    if (isLegacyPath(request.url)) {
      void reply.headers(this.headers);
      // Bounded label values: a method this path does not serve is "other".
      const method = request.method === 'GET' || request.method === 'POST' ? request.method : 'other';
      this.metrics.legacyRequest(method, LEGACY_PATH);
    }
    done();
  };
}

/** The legacy path, with or without a trailing slash or a query (what the middleware matched). */
function isLegacyPath(url: string): boolean {
  if (!url.startsWith(LEGACY_PATH)) return false;
  const rest = url.slice(LEGACY_PATH.length);
  return rest === '' || rest === '/' || rest.startsWith('?') || rest.startsWith('/?');
}
