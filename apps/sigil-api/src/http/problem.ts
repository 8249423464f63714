import { HttpException } from '@nestjs/common';
import { BackupInProgressError, BackupsNotConfiguredError } from '#admin';
import { AuthenticationError, InsufficientScopeError, RateLimitedError } from '#auth';
import {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
  StorageUnavailableError,
  UnsupportedStoreOperationError,
  type FieldError,
  type ProblemCode,
} from '#sigil';
import { MethodNotAllowedError } from './allowed-methods.js';
import { JsonBodyError } from './json-body.parser.js';

/** Longest path parameter the router accepts (ids are 32 characters); longer is a 414. */
export const MAX_PARAM_LENGTH = 200;

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

/**
 * Every problem code's status and title (SPEC: docs/api.md#errors). A `Record` over the code union:
 * adding a code without an entry, or an entry for no code, fails to compile.
 */
export const PROBLEM_TYPES: Record<ProblemCode, { status: number; title: string }> = {
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  STORAGE_UNAVAILABLE: { status: 503, title: 'Storage unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

/** `urn:sigil-dna:problem:validation-failed`: one scheme, stable, resolvable to docs/api.md#errors. */
export function problemType(code: ProblemCode): string {
  return `urn:sigil-dna:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Every error the service raises on purpose. Each carries its problem `code` as a literal type. */
const DOMAIN_ERRORS = [
  SigilValidationError,
  SigilNotFoundError,
  IdempotencyConflictError,
  DataTooLargeError,
  AuthenticationError,
  InsufficientScopeError,
  RateLimitedError,
  JsonBodyError,
  StorageUnavailableError,
  UnsupportedStoreOperationError,
  BackupsNotConfiguredError,
  BackupInProgressError,
] as const;
type DomainError = InstanceType<(typeof DOMAIN_ERRORS)[number]>;

function isDomainError(error: unknown): error is DomainError {
  return DOMAIN_ERRORS.some((type) => error instanceof type);
}

interface Details {
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Only for the framework's errors, whose statuses are finer than the codes (415, 405). */
  status?: number;
}

const REALM = 'Bearer realm="sigil-dna"';

/**
 * What each domain error says beyond its code. A switch over the `code` discriminant: a new error
 * class whose code has no case here fails to compile (`never`).
 */
function detailsOf(error: DomainError): Details {
  switch (error.code) {
    case 'VALIDATION_FAILED':
    case 'PAYLOAD_TOO_LARGE':
      return { detail: error.message, errors: error.errors };
    case 'NOT_FOUND':
      return { detail: 'no such sigil' };
    case 'CONFLICT':
      return { detail: error.message };
    case 'UNAUTHORIZED':
      return {
        detail: error.description,
        headers: {
          'www-authenticate':
            error.reason === 'missing_token'
              ? REALM
              : `${REALM}, error="invalid_token", error_description="${error.description}"`,
        },
      };
    case 'FORBIDDEN':
      return {
        detail: error.message,
        headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${error.required}"` },
      };
    case 'RATE_LIMITED':
      return { detail: error.message, headers: { 'retry-after': String(error.retryAfterSeconds) } };
    case 'STORAGE_UNAVAILABLE':
      // The adapter's message names hosts and paths: it goes to the log, never to the client.
      return { detail: 'storage is unavailable; retry later', headers: { 'retry-after': '1' } };
    default: {
      const unmapped: never = error;
      throw new TypeError(`no problem mapping for ${String(unmapped)}`);
    }
  }
}

/** Fastify's own request errors (body parsing, limits, routing), by their stable `code`. */
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
    // The router's own two refusals, before any route or hook runs (see frameworkErrors in app.factory.ts).
    FST_ERR_MAX_PARAM_LENGTH: {
      status: 414,
      code: 'VALIDATION_FAILED',
      field: 'path',
      detail: `a path segment is longer than ${MAX_PARAM_LENGTH} characters`,
    },
    FST_ERR_BAD_URL: {
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'url',
      detail: 'the URL is not valid (a malformed percent-encoding?)',
    },
  };

/** Nest's HTTP exceptions (its router's 404, guards' and pipes' errors) by status. */
function fromHttpException(error: HttpException): (Details & { code: ProblemCode }) | null {
  const status = error.getStatus();
  if (status === 404) return { code: 'NOT_FOUND', detail: 'no such route' };
  if (status === 405) return { code: 'NOT_FOUND', detail: 'method not allowed', status: 405 };
  if (status === 409) return { code: 'CONFLICT', detail: error.message };
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', detail: 'request body is too large' };
  if (status === 429) return { code: 'RATE_LIMITED', detail: 'rate limit exceeded' };
  if (status >= 400 && status < 500) return { code: 'VALIDATION_FAILED', detail: error.message, status };
  return null;
}

/** The framework's errors, which carry no domain code: Fastify's by `code`, Nest's by status. */
function fromFramework(error: unknown): (Details & { code: ProblemCode }) | null {
  if (error instanceof MethodNotAllowedError) {
    // No code of its own in the problem list: the resource exists, this method on it does not.
    return {
      code: 'NOT_FOUND',
      status: 405,
      detail: error.message,
      headers: { allow: error.allow.join(', ') },
    };
  }
  // Nest hands Fastify's own errors to the filter wrapped in an HttpException whose cause is the original.
  const fastifyCode =
    (error as { code?: unknown } | null)?.code ??
    (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_ERRORS) {
    const known = FASTIFY_ERRORS[fastifyCode];
    return {
      code: known.code,
      status: known.status,
      detail: known.detail,
      ...(known.field ? { errors: [{ field: known.field, message: known.detail }] } : {}),
    };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  // Fastify marks client errors it raises with a 4xx statusCode (e.g. proto-poisoned JSON, bad URLs).
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const tooLarge = statusCode === 413;
    const detail = 'the request could not be processed';
    return {
      code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED',
      status: tooLarge ? 413 : 400,
      detail,
      errors: [{ field: 'body', message: detail }],
    };
  }
  return null;
}

/** The problem body for a code, with the table's title and (unless given) its status. */
export function problemBody(
  code: ProblemCode,
  details: { detail: string; errors?: FieldError[]; status?: number },
  requestId: string,
): Problem {
  return {
    type: problemType(code),
    title: PROBLEM_TYPES[code].title,
    status: details.status ?? PROBLEM_TYPES[code].status,
    detail: details.detail,
    code,
    requestId,
    ...(details.errors ? { errors: details.errors } : {}),
  };
}

/** Any error, as the client sees it: a domain error by its code, the framework's by theirs, else 500. */
export function problemFor(error: unknown, requestId: string): ProblemResponse {
  if (isDomainError(error)) {
    const details = detailsOf(error);
    return {
      problem: problemBody(error.code, details, requestId),
      headers: details.headers ?? {},
      unexpected: false,
    };
  }
  const framework = fromFramework(error);
  if (framework) {
    return {
      problem: problemBody(framework.code, framework, requestId),
      headers: framework.headers ?? {},
      unexpected: false,
    };
  }
  return {
    problem: problemBody(
      'INTERNAL',
      { detail: 'an unexpected error occurred; quote the requestId when reporting it' },
      requestId,
    ),
    headers: {},
    unexpected: true,
  };
}
