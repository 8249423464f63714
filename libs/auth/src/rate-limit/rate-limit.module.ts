import { Global, Logger, Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { AppConfig } from '#config';
import { PrimaryChannel, SigilMetrics } from '#metrics';
import { AnonymousLimiter } from './anonymous.limiter.js';
import { RATE_LIMIT_STORAGE, RateLimitStatus } from './rate-limit.storage.js';
import { ResilientThrottlerStorage } from './resilient-throttler.storage.js';
import { ClusterThrottlerStorage } from './cluster-throttler.storage.js';

/**
 * Counters live in Redis when REDIS_URL is set (one budget across replicas), else in this instance:
 * this process's memory, or, in a cluster worker (SIGIL_WORKERS > 1), the primary's, shared by every
 * worker. If Redis fails, limits fall back to that per-instance store (see ResilientThrottlerStorage):
 * requests keep being served, one log line and one metric mark each switch, and readiness reports it.
 */
function createStorage(
  config: AppConfig,
  metrics: SigilMetrics,
): ThrottlerStorage & Partial<RateLimitStatus> {
  const instance = PrimaryChannel.available() ? new ClusterThrottlerStorage() : new MemoryThrottlerStorage();
  if (!config.redisUrl) {
    metrics.rateLimitBackendIs('memory', false);
    return instance;
  }
  const logger = new Logger('RateLimit');
  metrics.rateLimitBackendIs('redis', false);
  return ResilientThrottlerStorage.fromUrl(config.redisUrl, {
    fallback: instance,
    onStateChange: (state, reason) => {
      metrics.rateLimitBackendIs(state, true);
      if (state === 'memory') {
        logger.error(
          `Redis unavailable (${reason}): rate limits fall back to per-instance memory until it returns`,
        );
      } else {
        logger.log(`Redis is back (${reason}): rate limits are shared across replicas again`);
      }
    },
  });
}

@Global()
@Module({
  providers: [
    { provide: RATE_LIMIT_STORAGE, inject: [AppConfig, SigilMetrics], useFactory: createStorage },
    {
      provide: RateLimitStatus,
      inject: [AppConfig, RATE_LIMIT_STORAGE],
      useFactory: (config: AppConfig, storage: ThrottlerStorage): RateLimitStatus => ({
        backend: () => ({
          configured: config.redisUrl ? 'redis' : 'memory',
          active: storage instanceof ResilientThrottlerStorage ? storage.state() : 'memory',
        }),
      }),
    },
    AnonymousLimiter,
  ],
  exports: [RATE_LIMIT_STORAGE, RateLimitStatus, AnonymousLimiter],
})
class RateLimitStorageModule {}

/** The principal limit (@nestjs/throttler) over the shared storage, plus the anonymous limiter. */
export const RateLimitModule = [
  RateLimitStorageModule,
  ThrottlerModule.forRootAsync({
    inject: [AppConfig, RATE_LIMIT_STORAGE],
    useFactory: (config: AppConfig, storage: ThrottlerStorage) => ({
      throttlers: [
        { name: 'default', ttl: config.rateLimit.windowSeconds * 1000, limit: config.rateLimit.limit },
      ],
      storage,
    }),
  }),
];
