import type { ThrottlerLimitDetail } from '@nestjs/throttler';

type ThrottlerStorageRecord = Pick<
  ThrottlerLimitDetail,
  'totalHits' | 'timeToExpire' | 'isBlocked' | 'timeToBlockExpire'
>;

interface HeaderTarget {
  header(name: string, value: string | number): unknown;
}

/**
 * X-RateLimit-Limit / -Remaining / -Reset (seconds until the window resets), plus Retry-After when
 * blocked. One writer for both the principal and the anonymous limits so their headers agree.
 */
export function setRateLimitHeaders(
  reply: HeaderTarget,
  limit: number,
  record: ThrottlerStorageRecord,
): void {
  reply.header('X-RateLimit-Limit', limit);
  reply.header('X-RateLimit-Remaining', record.isBlocked ? 0 : Math.max(0, limit - record.totalHits));
  reply.header('X-RateLimit-Reset', record.isBlocked ? record.timeToBlockExpire : record.timeToExpire);
  if (record.isBlocked) reply.header('Retry-After', record.timeToBlockExpire);
}
