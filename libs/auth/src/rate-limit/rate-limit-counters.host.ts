import { answerWorkers } from '#metrics/cluster';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import type { ThrottlerStorageRecord } from './redis-throttler.storage.js';

export const RATE_LIMIT_TOPIC = 'rate-limit';

/** One `increment` call, as it travels from a worker to the primary. */
export interface IncrementRequest {
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  throttlerName: string;
}

/**
 * The primary's side (SIGIL_WORKERS > 1): one MemoryThrottlerStorage for every worker of the
 * instance, so N workers together admit exactly the limit, as one process would. The primary is
 * single-threaded and increments synchronously: no two workers' hits can interleave inside one.
 */
export function serveRateLimitCounters(store: MemoryThrottlerStorage = new MemoryThrottlerStorage()): void {
  answerWorkers<IncrementRequest, ThrottlerStorageRecord>(RATE_LIMIT_TOPIC, (r) =>
    store.increment(r.key, r.ttl, r.limit, r.blockDuration, r.throttlerName),
  );
}
