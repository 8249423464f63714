import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '#config';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './http/validation.js';
import { ProblemFilter } from './http/problem.filter.js';
import { setupOpenApi } from './openapi.js';

/**
 * Nest's own body parsers are off: the API speaks JSON only, so Fastify's JSON parser (with its body
 * limit and prototype-poisoning checks) is the one parser, and any other Content-Type gets a 415.
 * Nest's logger is off until pino takes over: a failed start (a locked store) is reported once, by
 * main.ts, as a clear message instead of Nest's stack-trace dump.
 */
const NEST_OPTIONS = { logger: false, abortOnError: false, bodyParser: false } as const;

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export interface CreateAppOptions {
  /** Replace providers (tests: a fixed Clock). Uses Nest's testing module when given. */
  overrides?: { provide: unknown; useValue: unknown }[];
  /** Keep Nest's bootstrap logs quiet (tools that print their own output). */
  quiet?: boolean;
}

/** Builds the configured application without listening: main.ts, tests, the bench and the OpenAPI export share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // Honour a sane caller-supplied x-request-id, else mint one; pino-http reads the same `req.id`.
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
  const module = AppModule.forRoot(config);
  const app = options.overrides?.length
    ? await buildWithOverrides(module, options.overrides, adapter)
    : await NestFactory.create<NestFastifyApplication>(module, adapter, NEST_OPTIONS);

  app.useLogger(options.quiet ? false : app.get(Logger));
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  setupOpenApi(app);
  await app.init();
  return app;
}

async function buildWithOverrides(
  module: ModuleMetadata & { module: unknown },
  overrides: NonNullable<CreateAppOptions['overrides']>,
  adapter: FastifyAdapter,
): Promise<NestFastifyApplication> {
  let builder = Test.createTestingModule({ imports: [module as never] });
  for (const o of overrides) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.compile();
  return moduleRef.createNestApplication<NestFastifyApplication>(adapter, NEST_OPTIONS);
}
