import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HelmetOptions } from 'helmet';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '#config';
import { httpRoute, registerHttpMetrics, SigilMetrics } from '#metrics';
import { LegacyDeprecation, PROBLEM_CONTENT_TYPE } from '#sigil';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './http/validation.js';
import { JsonBodyError, registerJsonParser } from './http/json-body.parser.js';
import { AllowedMethods, MethodNotAllowedError } from './http/allowed-methods.js';
import { ProblemFilter } from './http/problem.filter.js';
import { registerRequestLog } from './http/request-log.js';
import { securityHeadersFor } from './http/security-headers.js';
import { registerCohorts } from './http/cohorts.js';
import { knownSeries } from './http/known-series.js';
import { MAX_PARAM_LENGTH, problemBody, problemFor } from './http/problem.js';
import { buildOpenApiDocument, setupOpenApi } from './openapi.js';

/**
 * Nest's own body parsers are off: the API speaks JSON only, so Fastify's JSON parser (with its body
 * limit and prototype-poisoning checks) is the one parser, and any other Content-Type gets a 415.
 * Nest's logger is off until pino takes over: a failed start (a locked store) is reported once, by
 * main.ts, as a clear message instead of Nest's stack-trace dump.
 */
export const NEST_OPTIONS = { logger: false, abortOnError: false, bodyParser: false } as const;

/** Turns the composed module into an application: Nest's factory, or (tests) a testing module with overrides. */
export type AppInstantiator = (
  module: DynamicModule,
  adapter: FastifyAdapter,
  nestOptions: typeof NEST_OPTIONS,
) => Promise<NestFastifyApplication>;

const instantiate: AppInstantiator = (module, adapter, nestOptions) =>
  NestFactory.create<NestFastifyApplication>(module, adapter, nestOptions);

/** Security headers; the CSP lets Swagger UI work: it loads only its own scripts, needs inline styles and data: images. */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
  },
};

/** Longest request target accepted; real ones are under 300 characters. */
const MAX_URL_LENGTH = 4096;

/**
 * helmet's headers, computed once: @fastify/helmet rebuilt its middleware on every request (6 % of a
 * request's CPU), and even built once, running it per request and setting the headers on Node's
 * response before Fastify wrote its own was most of the first step of docs/performance.md's
 * second round (verify 199 → 181 µs of CPU, with the callback hooks and the guards' metadata).
 */
const SECURITY_HEADERS = securityHeadersFor(HELMET_OPTIONS);

/**
 * Errors Node raises before Fastify sees a request (headers over 16 KiB → 431, a timed-out or
 * malformed request → 408/400) still get a problem+json body, never Node's bare status line.
 */
function rawClientError(error: Error & { code?: string }, socket: Duplex): void {
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const title =
    status === 431 ? 'Request headers too large' : status === 408 ? 'Request timeout' : 'Bad request';
  const body = JSON.stringify(
    problemBody('VALIDATION_FAILED', { status, detail: title.toLowerCase() }, randomUUID()),
  );
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy(error);
  }
}

/** A hop count becomes proxy-addr's trust function: trust the nearest `hops` proxies. */
function trustProxyOption(setting: AppConfig['http']['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export interface CreateAppOptions {
  /** Write logs here instead of stdout (tests capture them). */
  logStream?: DestinationStream;
  /**
   * How the module becomes an app. Tests pass one built on @nestjs/testing to replace providers (a
   * fixed Clock); production code never imports the testing package, which is a dev dependency.
   */
  instantiate?: AppInstantiator;
  /** Keep Nest's bootstrap logs quiet (tools that print their own output). */
  quiet?: boolean;
}

/** Builds the configured application without listening: main.ts, tests, the bench and the OpenAPI export share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  // Filled in once the app exists; the router's refusals can only arrive after that.
  const late: { metrics?: SigilMetrics } = {};
  /**
   * The router refuses a malformed URL (400) or an over-long path parameter (414) before any hook or
   * route runs, so Nest's filters never see them: answer them here, in the same problem+json shape,
   * with the same request id and security headers as every other answer.
   */
  const frameworkErrors = (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    const { problem, headers } = problemFor(error, String(request.id));
    late.metrics?.problem(`${request.method} unmatched`, problem.code);
    void reply
      .status(problem.status)
      .headers(SECURITY_HEADERS)
      .header('x-request-id', request.id)
      .headers(headers)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem);
  };
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: trustProxyOption(config.http.trustProxy),
    // Slow-loris and stuck clients: the whole request must arrive (and be answered) in time.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.requestTimeoutMs,
    // Path parameters are ids (32 chars); anything much longer is not a route of ours.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler: rawClientError,
    // Honour a sane caller-supplied x-request-id, else mint one; the request log reads the same id.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
      req.id = id;
      return id;
    },
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  const module = AppModule.forRoot(config, options.logStream);
  const app = await (options.instantiate ?? instantiate)(module, adapter, NEST_OPTIONS);

  app.useLogger(options.quiet ? false : app.get(Logger));
  const metrics = app.get(SigilMetrics);
  late.metrics = metrics;
  app.useGlobalFilters(new ProblemFilter(metrics));
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  // First: every later hook, the handler and its log lines run inside the request's log context.
  registerRequestLog(fastify, PinoLogger.root);
  const routes: { method: string; url: string }[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // Before app.init() registers the routes, so it sees every one of them.
  const allowedMethods = AllowedMethods.register(fastify);
  fastify.removeContentTypeParser(['text/plain']);
  registerHttpMetrics(fastify, metrics);
  registerJsonParser(fastify, { maxDepth: config.http.maxJsonDepth, maxKeys: config.http.maxJsonKeys });
  // Callback hooks, not async ones: each async hook costs every request a promise.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
    (request.raw as { routeTemplate?: string }).routeTemplate = httpRoute(request);
    if (request.url.length > MAX_URL_LENGTH) {
      done(new JsonBodyError(400, 'url', `the URL is longer than ${MAX_URL_LENGTH} characters`));
      return;
    }
    done();
  });
  fastify.addHook('onRequest', app.get(LegacyDeprecation).onRequest);
  registerCohorts(fastify);
  // No route for this method: if the path has routes for others, that is a 405 with `Allow` (and an
  // OPTIONS the CORS plugin does not answer gets the same list with a 204), not Nest's 404. A
  // parameter route that matched a path a more specific route owns (GET /api/v1/sigils/verify) is
  // the same case. Other routed requests skip the lookup.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 && !request.routeOptions.url?.includes(':')) return done();
    const allow = allowedMethods.allowedFor(request.url.split('?', 1)[0]);
    if (allow.length === 0 || allow.includes(request.method)) return done();
    if (request.method === 'OPTIONS') {
      // Answered here: a hook that replies does not call done().
      void reply
        .status(204)
        .header('allow', [...allow, 'OPTIONS'].join(', '))
        .send();
      return;
    }
    done(new MethodNotAllowedError(request.method, allow));
  });
  if (config.http.corsOrigins !== null) {
    app.enableCors({
      origin: config.http.corsOrigins === '*' ? '*' : config.http.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
      exposedHeaders: [
        'location',
        'x-request-id',
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      maxAge: 600,
    });
  }

  setupOpenApi(app);
  await app.init();
  // Every series the dashboard and the alert rules query exists from the first scrape.
  metrics.initialise(knownSeries(buildOpenApiDocument(app), routes));
  return app;
}
