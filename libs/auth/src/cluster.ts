/**
 * The cluster primary's entry into this lib: the instance's rate-limit counters, without Nest,
 * passport or Redis behind it, so the primary (SIGIL_WORKERS > 1) stays a small process.
 */
export { serveRateLimitCounters } from './rate-limit/rate-limit-counters.host.js';
