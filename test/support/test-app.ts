import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig, type AppConfig } from '#config';
import { Test } from '@nestjs/testing';
import {
  createApp,
  type AppInstantiator,
  type CreateAppOptions,
} from '../../apps/sigil-api/src/app.factory.js';
import type { JwksServer } from './jwks-server.js';

export const SECRET_A = 'a'.repeat(64);
export const SECRET_B = 'b0'.repeat(32);

export interface RunningApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

/** A provider replaced for a test (a fixed Clock, say). */
export interface Override {
  provide: unknown;
  useValue: unknown;
}

/** Builds the app through Nest's testing module so providers can be replaced. */
export function withOverrides(overrides: Override[]): AppInstantiator {
  return async (module, adapter, nestOptions) => {
    let builder = Test.createTestingModule({ imports: [module] });
    for (const o of overrides) builder = builder.overrideProvider(o.provide).useValue(o.useValue);
    const moduleRef = await builder.compile();
    return moduleRef.createNestApplication<NestFastifyApplication>(adapter, nestOptions);
  };
}

/** The real service, listening on loopback, trusting the given JWKS server. */
export async function startApp(
  jwks: JwksServer,
  env: Record<string, string> = {},
  options: Omit<CreateAppOptions, 'instantiate'> & { overrides?: Override[] } = {},
): Promise<RunningApp> {
  const config = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_ISSUER: jwks.issuer,
    JWT_JWKS_URI: jwks.url,
    SPIRAL_EVENT_SECRET: SECRET_A,
    SIGIL_STORAGE: 'memory',
    // Suites make hundreds of calls as one principal; the rate-limit suite sets its own limits.
    SIGIL_RATE_LIMIT: '1000000',
    SIGIL_ANON_RATE_LIMIT: '1000000',
    ...env,
  });
  const { overrides, ...rest } = options;
  const app = await createApp(config, {
    quiet: true,
    ...rest,
    ...(overrides?.length ? { instantiate: withOverrides(overrides) } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function tempDir(prefix = 'sigil-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A small fetch wrapper: JSON in, status + headers + parsed body out. */
export function client(baseUrl: string, token?: string) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: any; text: string }> {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
}
export type Call = ReturnType<typeof client>;

/** Asserts a problem+json response: status, code, request id, optional offending field, no stack. */
export function expectProblemShape(
  res: { status: number; headers: Headers; body: any; text: string },
  status: number,
  code: string,
  field?: string,
): void {
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${res.text}`);
  if (!res.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers.get('content-type')}`);
  }
  if (res.body?.code !== code) throw new Error(`expected code ${code}, got ${res.body?.code}`);
  if (
    res.body.status !== status ||
    typeof res.body.requestId !== 'string' ||
    !res.body.title ||
    !res.body.type
  ) {
    throw new Error(`incomplete problem body: ${res.text}`);
  }
  if (res.body.requestId !== res.headers.get('x-request-id'))
    throw new Error('requestId differs from x-request-id');
  if (/\bat .+:\d+:\d+\)?/.test(res.text)) throw new Error(`stack trace in body: ${res.text}`);
  if (field !== undefined && !res.body.errors?.some((e: { field: string }) => e.field === field)) {
    throw new Error(`expected an error for field ${field}: ${res.text}`);
  }
}

export { join };
