import { parseRetryAfter } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retrying off). */
  maxRetries?: number;
  /** Longest wait between attempts, whatever Retry-After says (default 10 000 ms). */
  maxDelayMs?: number;
  /** Wait before the first retry when the server sends no Retry-After; doubles each time (default 500 ms). */
  baseDelayMs?: number;
}

/** 429 (rate limited) and 503 (storage unavailable, draining) are the answers worth waiting out. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long to wait before retry number `attempt` (0-based): Retry-After if given, else backoff; capped. */
export function retryDelayMs(
  retryAfter: string | null,
  attempt: number,
  options: Required<RetryOptions>,
): number {
  const seconds = parseRetryAfter(retryAfter, Date.now());
  const wanted = seconds !== undefined ? seconds * 1000 : options.baseDelayMs * 2 ** attempt;
  return Math.min(wanted, options.maxDelayMs);
}

/**
 * A fetch that retries 429 and 503, waiting as the server asks (capped). Every attempt sends the
 * same request, headers included, so an encode keeps its Idempotency-Key and cannot mint twice.
 */
export function retryingFetch(
  fetchImpl: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
): (request: Request) => Promise<Response> {
  const settings: Required<RetryOptions> = {
    maxRetries: options.maxRetries ?? 3,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    baseDelayMs: options.baseDelayMs ?? 500,
  };
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= settings.maxRetries;
      const response = await fetchImpl(last ? request : request.clone());
      if (last || !RETRYABLE_STATUSES.has(response.status)) return response;
      await response.body?.cancel();
      await sleep(retryDelayMs(response.headers.get('retry-after'), attempt, settings));
    }
  };
}
