import type { ThrottlerStorage } from '@nestjs/throttler';

/** DI token for the counter store shared by the principal and anonymous limits. */
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** What readiness reports about rate limiting (Redis degraded → still serving from memory). */
export abstract class RateLimitStatus {
  abstract backend(): { configured: 'redis' | 'memory'; active: 'redis' | 'memory' };
}

export type { ThrottlerStorage };
