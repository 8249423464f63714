import type { components } from './generated/schema.js';

export type Problem = components['schemas']['Problem'];
export type ProblemCode = Problem['code'];
export type FieldError = components['schemas']['FieldError'];

/**
 * Any answer that is not a success, as the API describes it (RFC 9457 problem+json). Branch on
 * `code` (stable) rather than on `status` or `title`.
 */
export class SigilApiError extends Error {
  override readonly name = 'SigilApiError';
  /** The HTTP status (405, 414 and 415 carry the nearest code: NOT_FOUND, VALIDATION_FAILED). */
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string;
  /** The request id: quote it when reporting a problem (it is in the service's logs too). */
  readonly requestId: string;
  /** One entry per offending field (`metadata.tags`, `Idempotency-Key`, `cursor`…), else empty. */
  readonly fieldErrors: FieldError[];
  /** Seconds the server asked to wait (429, 503), when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** The raw problem body. */
  readonly problem: Problem;

  constructor(status: number, problem: Problem, headers: Headers) {
    super(`${status} ${problem.code}: ${problem.detail}`);
    this.status = status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.fieldErrors = problem.errors ?? [];
    this.retryAfterSeconds = parseRetryAfter(headers.get('retry-after'), Date.now());
    this.problem = problem;
  }

  /** The first error for `field`, if the server named it. */
  fieldError(field: string): FieldError | undefined {
    return this.fieldErrors.find((error) => error.field === field);
  }
}

/** Seconds from `Retry-After` (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A problem body from whatever the server sent (a proxy's HTML 502 included). */
export function toProblem(status: number, body: unknown, headers: Headers): Problem {
  if (typeof body === 'object' && body !== null && 'code' in body && 'detail' in body) {
    return body as Problem;
  }
  return {
    type: 'about:blank',
    title: `HTTP ${status}`,
    status,
    detail: typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status} without a problem body`,
    code: status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED',
    requestId: headers.get('x-request-id') ?? '',
  };
}
