import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { PrimaryChannel, PrimaryUnavailableError } from '#metrics';
import { RATE_LIMIT_TOPIC, type IncrementRequest } from './rate-limit-counters.host.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import type { ThrottlerStorageRecord } from './redis-throttler.storage.js';

/** The primary answers from memory in microseconds; this only bounds a stuck or gone primary. */
const ASK_TIMEOUT_MS = 1_000;

/**
 * A worker's counters, held by the cluster primary and reached over node:cluster's IPC channel:
 * exact across the instance's workers without Redis. If the primary cannot answer (the channel is
 * closing while this worker drains, or it is stuck) the hit is counted in this worker's memory
 * instead, so a request is never refused because of the limiter itself.
 */
export class ClusterThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly channel = new PrimaryChannel<IncrementRequest, ThrottlerStorageRecord>(
    RATE_LIMIT_TOPIC,
    ASK_TIMEOUT_MS,
  );
  private readonly local = new MemoryThrottlerStorage();

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.channel.ask({ key, ttl, limit, blockDuration, throttlerName });
    } catch (error) {
      if (!(error instanceof PrimaryUnavailableError)) throw error;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
