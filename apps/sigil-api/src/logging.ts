import { AsyncLocalStorage } from 'node:async_hooks';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '#config';

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

const asIs = <T>(value: T): T => value;

/** What every log line written while a request is being handled says about that request. */
export interface RequestLogFields {
  id: string;
  method: string;
  url: string;
}

/**
 * The request being handled, for the log lines written on its behalf (audit events, errors).
 * A Fastify hook enters it for each request (`http/request-log.ts`); the logger's mixin reads it only
 * when a line is actually written, so a request that logs nothing but its own line builds no child
 * logger (pino-http built two per request: 4 % of a verify's CPU).
 */
export const requestContext = new AsyncLocalStorage<RequestLogFields>();

/**
 * JSON lines (pretty only in development on a terminal), credentials redacted. Lines written during a
 * request carry `req: {id, method, url}`. The one line per request is written by `http/request-log.ts`,
 * not by pino-http's middleware: nestjs-pino's HTTP middleware is switched off (`forRoutes: []`), so
 * requests skip the middleware engine altogether. `stream` replaces stdout (tests capture the log).
 */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const pretty = config.nodeEnv === 'development' && process.stdout.isTTY && !stream;
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // `req` and `res` in our lines are plain objects already (pino-http's serializers expect Node's).
    wrapSerializers: false,
    serializers: { req: asIs, res: asIs },
    mixin: () => {
      const req = requestContext.getStore();
      return req === undefined ? {} : { req };
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  return {
    // No route gets nestjs-pino's pino-http middleware; its logger still serves the whole application.
    forRoutes: [],
    pinoHttp: stream ? [options, stream] : options,
  };
}
