import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { Redis, type RedisOptions } from 'ioredis';

/** ioredis client states (ioredis 5 does not export the union). */
type RedisStatus = Redis['status'];
import { RedisThrottlerStorage, type ThrottlerStorageRecord } from './redis-throttler.storage.js';

const PROBE_KEY = 'health-probe';
const PROBE_TTL_MS = 10_000;
const CLOSE_TIMEOUT_MS = 1_000;
const FIRST_CONNECT: ReadonlySet<RedisStatus> = new Set<RedisStatus>(['wait', 'connecting', 'connect']);

/** Where rate-limit counts currently live: Redis (shared by all replicas) or this process's memory. */
export type RateLimitStorageState = 'redis' | 'memory';

export interface ResilientThrottlerStorageOptions {
  /** Called exactly once per state change (never at construction), with a short human-readable reason. */
  onStateChange: (state: RateLimitStorageState, reason: string) => void;
  /** Prefix of every Redis key. Default `sigil:rl:`. */
  keyPrefix?: string;
  /** Longest a request waits for Redis before it is counted in memory instead. Default 250 ms. */
  timeoutMs?: number;
  /** How often, in memory mode over a live connection (Redis was slow), a probe increment is tried. Default 1 s. */
  probeIntervalMs?: number;
  /** Receives client errors for debug logging; consecutive repeats of one message are dropped. */
  debug?: (message: string) => void;
  /**
   * Where hits are counted while Redis is away. Default: this process's memory. A cluster worker
   * passes the primary's counters, so the instance's workers still share one budget.
   */
  fallback?: ThrottlerStorage & Partial<OnApplicationShutdown>;
}

export interface ResilientThrottlerStorageUrlOptions extends ResilientThrottlerStorageOptions {
  /** ioredis `commandTimeout`. Default 200 ms. */
  commandTimeoutMs?: number;
  /** ioredis `connectTimeout`. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Cap of the exponential reconnect backoff (which starts at 50 ms). Default 2000 ms. */
  reconnectMaxDelayMs?: number;
  /** Further ioredis options (TLS, connection name…); they cannot override the resilience settings above. */
  redisOptions?: RedisOptions;
}

/**
 * Rate limiting that never fails a request because of Redis.
 *
 * Policy: while Redis answers, counts live in Redis and every replica shares one budget per key. When
 * Redis is unreachable, errors, or is slow (no reply within `timeoutMs`), requests are still served,
 * counted against a per-instance fallback (MemoryThrottlerStorage, the same fixed-window rules as the Redis script;
 * in a cluster worker, the primary's counters, shared by the instance's workers):
 * limits then hold per replica, so the effective cluster-wide budget is up to N times the limit. A
 * request never sees an error and never waits longer than `timeoutMs` on Redis (with `fromUrl`'s
 * client no command is queued while disconnected, so most fail at once).
 *
 * State starts as 'redis'. The first failure (a failed or timed-out command, a request while the client
 * is disconnected, or the client reporting a connection error or close) switches to 'memory'; from then
 * on requests skip Redis entirely. Requests arriving while the very first connection is still being made
 * are counted in memory without a state change. The state returns to 'redis' when the client emits
 * `ready` (it reconnects by itself, with a capped backoff) or, if the connection never dropped (Redis
 * was only slow), when a periodic probe increment succeeds. Each change calls `onStateChange` exactly
 * once. Counts taken in memory are not carried over to Redis (and a restarted Redis starts from zero).
 * Client errors never surface as unhandled 'error' events; they only feed the state and `debug`.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  /** Builds the ioredis client with the settings the policy above relies on, and owns it (`close()` quits it). */
  static fromUrl(url: string, options: ResilientThrottlerStorageUrlOptions): ResilientThrottlerStorage {
    const maxDelay = options.reconnectMaxDelayMs ?? 2000;
    const client = new Redis(url, {
      ...options.redisOptions,
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 200,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), maxDelay),
    });
    return new ResilientThrottlerStorage(client, options);
  }

  readonly redis: RedisThrottlerStorage;
  readonly fallback: ThrottlerStorage & Partial<OnApplicationShutdown>;
  private current: RateLimitStorageState = 'redis';
  /** Bumped on every switch to 'redis': a failure of a call started in an earlier epoch is stale. */
  private epoch = 0;
  private closed = false;
  private everReady: boolean;
  private probeTimer?: NodeJS.Timeout;
  private lastDebug?: string;
  private readonly timeoutMs: number;
  private readonly probeIntervalMs: number;

  /** Takes ownership of `client`: `close()` quits it. Prefer `fromUrl`, which configures it for this policy. */
  constructor(
    readonly client: Redis,
    private readonly options: ResilientThrottlerStorageOptions,
  ) {
    this.redis = new RedisThrottlerStorage(client, { keyPrefix: options.keyPrefix });
    this.fallback = options.fallback ?? new MemoryThrottlerStorage();
    this.timeoutMs = options.timeoutMs ?? 250;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.everReady = client.status === 'ready';
    client.on('error', (err: Error) => {
      this.debug(`rate-limit redis client: ${err.message}`);
      this.toMemory(this.epoch, `redis error: ${err.message}`);
    });
    client.on('close', () => this.toMemory(this.epoch, 'redis connection closed'));
    client.on('end', () => this.toMemory(this.epoch, 'redis connection ended'));
    client.on('ready', () => {
      this.everReady = true;
      this.lastDebug = undefined;
      this.toRedis('redis connection ready');
    });
  }

  state(): RateLimitStorageState {
    return this.current;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.current === 'redis' && !this.closed) {
      const status = this.client.status;
      if (status === 'ready') {
        const epoch = this.epoch;
        try {
          return await withTimeout(
            this.redis.increment(key, ttl, limit, blockDuration, throttlerName),
            this.timeoutMs,
          );
        } catch (err) {
          this.toMemory(epoch, `redis command failed: ${messageOf(err)}`);
        }
      } else if (!this.everReady && FIRST_CONNECT.has(status)) {
        // The first connection is still being made (at most connectTimeout): this request is counted in
        // memory without announcing anything; failing to connect is what switches the state.
      } else {
        this.toMemory(this.epoch, `redis not connected (${status})`);
      }
    }
    return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /**
   * Quits the client (drops it if not connected or quit stalls) and waits for it to end (at most ~2 s); stops
   * the probe and the fallback's sweep. Idempotent; afterwards requests are counted in memory, silently.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbe();
    await this.fallback.onApplicationShutdown?.();
    const hasEnded = (): boolean => this.client.status === 'end';
    if (hasEnded()) return;
    const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()));
    try {
      if (this.client.status !== 'ready') throw new Error('not connected');
      await withTimeout(this.client.quit(), CLOSE_TIMEOUT_MS);
    } catch {
      this.client.disconnect();
    }
    if (!hasEnded()) await withTimeout(ended, CLOSE_TIMEOUT_MS).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private toMemory(epoch: number, reason: string): void {
    if (this.closed || this.current === 'memory' || epoch !== this.epoch) return;
    this.current = 'memory';
    this.notify('memory', reason);
    this.scheduleProbe();
  }

  private toRedis(reason: string): void {
    if (this.closed || this.current === 'redis') return;
    this.stopProbe();
    this.epoch++;
    this.current = 'redis';
    this.notify('redis', reason);
  }

  /** Only needed when the connection stayed up (a slow Redis): after a drop, `ready` brings the state back. */
  private scheduleProbe(): void {
    this.stopProbe();
    this.probeTimer = setTimeout(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    this.probeTimer = undefined;
    if (this.closed || this.current === 'redis') return;
    if (this.client.status === 'ready') {
      try {
        // The real script on a key of its own: a PING would pass while scripts or writes are stuck.
        await withTimeout(
          this.redis.increment(PROBE_KEY, PROBE_TTL_MS, Number.MAX_SAFE_INTEGER, 0, 'probe'),
          this.timeoutMs,
        );
        if (this.client.status === 'ready') this.toRedis('redis answered a probe');
      } catch {
        // still slow or down: try again later
      }
    }
    if (!this.closed && this.current === 'memory' && !this.probeTimer) this.scheduleProbe();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private notify(state: RateLimitStorageState, reason: string): void {
    try {
      this.options.onStateChange(state, reason);
    } catch (err) {
      // A listener's bug must not break request handling or escape from an event handler.
      this.debug(`rate-limit onStateChange threw: ${messageOf(err)}`);
    }
  }

  private debug(message: string): void {
    if (!this.options.debug || message === this.lastDebug) return;
    this.lastDebug = message;
    this.options.debug(message);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
