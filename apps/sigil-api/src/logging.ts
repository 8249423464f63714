import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '#config';

/** Paths whose request lines would only be noise (probes hit them every few seconds). */
const QUIET_PATHS = new Set(['/health', '/healthz', '/readyz', '/metrics']);

/** Credentials are redacted wherever they could appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
];

/**
 * JSON lines (pretty only in development on a terminal), credentials redacted, one line per request.
 * `stream` replaces stdout (tests capture the log to prove what it never contains).
 */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const pretty = config.nodeEnv === 'development' && process.stdout.isTTY && !stream;
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: IncomingMessage & { id?: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // The route template (set by an onRequest hook in app.factory.ts), so log lines group like metrics.
    customProps: (req) => ({ route: (req as IncomingMessage & { routeTemplate?: string }).routeTemplate }),
    // Probes hit these every few seconds; their request lines would drown the rest. (Not autoLogging.ignore:
    // pino-http deletes that option from the object it is given, and nestjs-pino hands it over twice.)
    customLogLevel: (req, res, err) =>
      QUIET_PATHS.has((req.url ?? '').split('?')[0]) && !err && res.statusCode < 500
        ? 'silent'
        : err || res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : 'info',
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  return {
    // nestjs-pino's default route pattern does not match under Nest 12's Fastify adapter; this one does.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: stream ? [options, stream] : options,
  };
}
