import { HttpException } from '@nestjs/common';
import { AuthenticationError, InsufficientScopeError, RateLimitedError } from '#auth';
import {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
  type FieldError,
  type ProblemCode,
} from '#sigil';
import { StorageUnavailableError } from '#storage';
import { JsonBodyError } from './json-body.parser.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
}

export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
  /** Unexpected errors are logged with their stack server-side; the client sees a generic body. */
  unexpected: boolean;
}

const REALM = 'Bearer realm="sigil-dna"';
const TITLES: Record<ProblemCode, string> = {
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  VALIDATION_FAILED: 'Validation failed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  RATE_LIMITED: 'Too many requests',
  STORAGE_UNAVAILABLE: 'Storage unavailable',
  INTERNAL: 'Internal error',
};

/** Fastify's own request errors (body parsing, limits), by their stable `code`. */
const FASTIFY_ERRORS: Record<string, { status: number; code: ProblemCode; field?: string; detail: string }> =
  {
    FST_ERR_CTP_BODY_TOO_LARGE: {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      detail: 'request body is larger than the limit',
    },
    FST_ERR_CTP_INVALID_JSON_BODY: {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
      detail: 'body is not valid JSON',
    },
    FST_ERR_CTP_EMPTY_JSON_BODY: {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
      detail: 'body is empty but Content-Type is JSON',
    },
    FST_ERR_CTP_INVALID_MEDIA_TYPE: {
      status: 415,
      code: 'VALIDATION_FAILED',
      field: 'content-type',
      detail: 'Content-Type must be application/json',
    },
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'content-length',
      detail: 'Content-Length does not match the body',
    },
    FST_ERR_CTP_INVALID_TYPE: {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'content-type',
      detail: 'Content-Type is invalid',
    },
  };

export function problemFor(error: unknown, requestId: string): ProblemResponse {
  const make = (
    status: number,
    code: ProblemCode,
    detail: string,
    errors?: FieldError[],
    headers: Record<string, string> = {},
  ) => ({
    problem: {
      type: `urn:sigil-dna:problem:${code.toLowerCase().replaceAll('_', '-')}`,
      title: TITLES[code],
      status,
      detail,
      code,
      requestId,
      ...(errors ? { errors } : {}),
    },
    headers,
    unexpected: false,
  });

  if (error instanceof SigilValidationError)
    return make(400, 'VALIDATION_FAILED', error.message, error.errors);
  if (error instanceof SigilNotFoundError) return make(404, 'NOT_FOUND', 'no such sigil');
  if (error instanceof IdempotencyConflictError) return make(409, 'CONFLICT', error.message);
  if (error instanceof DataTooLargeError) {
    return make(413, 'PAYLOAD_TOO_LARGE', error.message, [{ field: 'data', message: error.message }]);
  }
  if (error instanceof AuthenticationError) {
    const challenge =
      error.reason === 'missing_token'
        ? REALM
        : `${REALM}, error="invalid_token", error_description="${error.description}"`;
    return make(401, 'UNAUTHORIZED', error.description, undefined, { 'www-authenticate': challenge });
  }
  if (error instanceof InsufficientScopeError) {
    return make(403, 'FORBIDDEN', error.message, undefined, {
      'www-authenticate': `${REALM}, error="insufficient_scope", scope="${error.required}"`,
    });
  }
  if (error instanceof RateLimitedError) {
    return make(429, 'RATE_LIMITED', error.message, undefined, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof JsonBodyError) {
    return make(
      error.status,
      error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED',
      error.message,
      [{ field: error.field, message: error.message }],
    );
  }
  if (error instanceof StorageUnavailableError) {
    return make(503, 'STORAGE_UNAVAILABLE', 'storage is unavailable; retry later', undefined, {
      'retry-after': '1',
    });
  }
  // Nest hands Fastify's own errors to the filter wrapped in an HttpException whose cause is the original.
  const fastifyCode =
    (error as { code?: unknown } | null)?.code ??
    (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_ERRORS) {
    const known = FASTIFY_ERRORS[fastifyCode];
    return make(
      known.status,
      known.code,
      known.detail,
      known.field ? [{ field: known.field, message: known.detail }] : undefined,
    );
  }
  if (error instanceof HttpException) {
    const status: number = error.getStatus();
    if (status === 404) return make(404, 'NOT_FOUND', 'no such route');
    if (status === 413) return make(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
    if (status === 429) return make(429, 'RATE_LIMITED', 'rate limit exceeded');
    if (status === 405) return make(405, 'NOT_FOUND', 'method not allowed');
    if (status === 409) return make(409, 'CONFLICT', error.message);
    if (status >= 400 && status < 500) return make(status, 'VALIDATION_FAILED', error.message);
  }
  // Fastify marks client errors it raises with a 4xx statusCode (e.g. proto-poisoned JSON, bad URLs).
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return make(
      statusCode === 413 ? 413 : 400,
      statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED',
      'the request could not be processed',
      [{ field: 'body', message: 'the request could not be processed' }],
    );
  }
  return {
    ...make(500, 'INTERNAL', 'an unexpected error occurred; quote the requestId when reporting it'),
    unexpected: true,
  };
}
