import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  SwaggerModule,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, type ProblemCode } from '#sigil';
import { problemBody } from './http/problem.js';

/**
 * The API version the document (and the SDKs generated from it, which carry it in their own
 * version) describe. Bump it with any change to the wire contract.
 */
export const API_VERSION = '1.1.0';

/** Headers the service sends on every answer, or on every answer of a kind: written here once. */
const HEADERS: Record<string, HeaderObject> = {
  XRequestId: {
    description:
      'The request id: the caller’s own `X-Request-Id` when it is 1–128 characters of `[A-Za-z0-9_.:-]`, else one the service made. Also `requestId` in problem bodies and in the logs.',
    required: true,
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$', example: 'req-7f3c' },
  },
  XRateLimitLimit: {
    description: 'Requests allowed per window for this principal.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, example: 200 },
  },
  XRateLimitRemaining: {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, example: 199 },
  },
  XRateLimitReset: {
    description: 'Seconds until the window resets.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, example: 10 },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, example: 1 },
  },
  WwwAuthenticate: {
    description:
      'RFC 6750: `Bearer realm="sigil-dna"`, with `error="invalid_token"` and a description for a bad token, or `error="insufficient_scope"` and the scope that was missing.',
    required: true,
    schema: { type: 'string', maxLength: 512, example: 'Bearer realm="sigil-dna", error="invalid_token"' },
  },
};
const headerRef = (name: keyof typeof HEADERS): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** One example body per documented error status, built by the same function the server answers with. */
const PROBLEM_EXAMPLES: Record<number, { code: ProblemCode; detail: string; field?: string }> = {
  400: {
    code: 'VALIDATION_FAILED',
    detail: 'tags must contain no more than 10 elements',
    field: 'metadata.tags',
  },
  401: { code: 'UNAUTHORIZED', detail: 'token expired' },
  403: { code: 'FORBIDDEN', detail: 'this operation needs the sigil:write scope' },
  404: { code: 'NOT_FOUND', detail: 'no such sigil' },
  409: { code: 'CONFLICT', detail: 'Idempotency-Key was already used with a different request body' },
  413: { code: 'PAYLOAD_TOO_LARGE', detail: 'canonical JSON is larger than 65536 bytes', field: 'data' },
  414: { code: 'VALIDATION_FAILED', detail: 'a path segment is longer than 200 characters', field: 'path' },
  415: { code: 'VALIDATION_FAILED', detail: 'Content-Type must be application/json', field: 'content-type' },
  429: { code: 'RATE_LIMITED', detail: 'rate limit exceeded' },
  500: { code: 'INTERNAL', detail: 'an unexpected error occurred; quote the requestId when reporting it' },
  503: { code: 'STORAGE_UNAVAILABLE', detail: 'storage is unavailable; retry later' },
};

const isRef = (value: unknown): value is ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) =>
    (['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const)
      .map((method) => item[method])
      .filter((operation): operation is OperationObject => operation !== undefined),
  );
}

/**
 * Request bodies are closed: the ValidationPipe (whitelist + forbidNonWhitelisted) refuses any field
 * a DTO does not declare, so every object schema a request body reaches says
 * `additionalProperties: false` (free-form members such as `data` declare their own `true`).
 */
function closeRequestSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<SchemaObject>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (schema === undefined) return;
    const target = isRef(schema) ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
    if (target === undefined || isRef(target) || seen.has(target)) return;
    seen.add(target);
    if (target.properties && target.additionalProperties === undefined) target.additionalProperties = false;
    for (const member of Object.values(target.properties ?? {})) close(member);
    for (const variant of [...(target.oneOf ?? []), ...(target.anyOf ?? []), ...(target.allOf ?? [])])
      close(variant);
    if (target.items) close(target.items);
  };
  for (const operation of operationsOf(document)) {
    const body = operation.requestBody;
    if (body && !isRef(body)) for (const media of Object.values(body.content)) close(media.schema);
  }
}

/**
 * Every JSON number is an IEEE 754 double (JavaScript's only number), so `number` says
 * `format: double`: without it some generators (Go's oapi-codegen) pick float32 and round phi.
 */
function numbersAreDoubles(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) numbersAreDoubles(item);
  } else if (typeof node === 'object' && node !== null) {
    const schema = node as SchemaObject;
    if (schema.type === 'number' && schema.format === undefined) schema.format = 'double';
    for (const [key, value] of Object.entries(node)) {
      // Examples are data, not schemas: an example with a `type` member must stay as written.
      if (key !== 'example' && key !== 'examples') numbersAreDoubles(value);
    }
  }
}

/** The headers and examples every response of a kind carries, on every operation. */
function describeResponses(document: OpenAPIObject): void {
  document.components = { ...document.components, headers: { ...HEADERS } };
  for (const operation of operationsOf(document)) {
    // A public operation says so, instead of leaving readers (and fuzzers) to guess.
    operation.security ??= [];
    const authenticated = operation.security.length > 0;
    for (const [status, response] of Object.entries(operation.responses)) {
      if (response === undefined || isRef(response)) continue;
      const headers: Record<string, HeaderObject | ReferenceObject> = {
        'X-Request-Id': headerRef('XRequestId'),
      };
      if (authenticated) {
        headers['X-RateLimit-Limit'] = headerRef('XRateLimitLimit');
        headers['X-RateLimit-Remaining'] = headerRef('XRateLimitRemaining');
        headers['X-RateLimit-Reset'] = headerRef('XRateLimitReset');
      }
      if (status === '429') headers['Retry-After'] = { ...HEADERS.RetryAfter, required: true };
      if (status === '503' && authenticated) headers['Retry-After'] = headerRef('RetryAfter');
      if (status === '401' || status === '403') headers['WWW-Authenticate'] = headerRef('WwwAuthenticate');
      response.headers = { ...headers, ...response.headers };
      const problem = response.content?.[PROBLEM_CONTENT_TYPE];
      const example = PROBLEM_EXAMPLES[Number(status)];
      if (problem && example) {
        problem.example = problemBody(
          example.code,
          {
            detail: example.field ? `${example.field}: ${example.detail}` : example.detail,
            status: Number(status),
            ...(example.field ? { errors: [{ field: example.field, message: example.detail }] } : {}),
          },
          'req-7f3c',
        );
      }
    }
  }
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sigil-DNA')
    .setDescription(
      'Multi-tenant signing registry. Mint sigils (a JSON payload bound to its SHA-256 digest, a resonance ' +
        'pattern and an HMAC-SHA256 signature under a tenant-derived key), then decode, verify, list, match ' +
        'and revoke them. Every error is application/problem+json; a method a path does not support is a ' +
        '405 with an `Allow` header.',
    )
    .setVersion(API_VERSION)
    .addServer('https://{host}', 'Production: your Sigil-DNA deployment', {
      host: { default: 'sigil.example.com', description: 'Where your Sigil-DNA runs' },
    })
    .addTag('sigils', 'Mint, decode, list, verify, match, revoke and erase sigils (tenant-scoped).')
    .addTag('keys', 'Which signing keys the service holds, by kid only.')
    .addTag('admin', 'Operations over the whole store.')
    .addTag('health', 'Liveness and readiness; public, never rate limited.')
    .addTag('legacy', 'The paths the first clients used; deprecated in favour of /api/v1.')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'RS/PS/ES-signed JWT from the configured JWKS issuer, checked as RFC8725 (JWT Best Current Practices) ' +
          'asks: asymmetric algorithms only (never `none` or HS*), issuer and audience verified, `exp` required. ' +
          'Scopes (claims scope, scp, roles, permissions): sigil:read, sigil:write, sigil:revoke, sigil:admin; ' +
          'each operation names its own in `x-required-scope`.',
      },
      'jwt',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The one server is the operator's own deployment, reachable by its clients (not an internal API).
  for (const server of document.servers ?? []) Object.assign(server, { 'x-internal': false });
  closeRequestSchemas(document);
  describeResponses(document);
  numbersAreDoubles(document.paths);
  numbersAreDoubles(document.components);
  return document;
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
