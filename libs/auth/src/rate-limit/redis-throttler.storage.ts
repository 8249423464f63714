import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

/** What `ThrottlerStorage.increment` resolves (the package does not export the interface by name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'sigil:rl:';

export interface RedisThrottlerStorageOptions {
  /** Prepended to every key this storage writes. Default `sigil:rl:`. */
  keyPrefix?: string;
}

/**
 * Fixed window, in one atomic script (one round trip per request).
 *
 * KEYS[1] counts hits in the current window; it gets its PEXPIRE on the first hit only, so hits never
 * extend the window. KEYS[2] (`…:blocked`) exists while the key is blocked and holds the hit count
 * that blocked it. Blocking starts when a hit makes the count exceed the limit: the hit counter is
 * dropped, so when the block expires the next hit opens a fresh window (as the in-memory storage of
 * @nestjs/throttler resets its count when a block ends). Hits during a block are not counted.
 * While blocked, the reply's window expiry is the block's (counting resumes when it ends).
 * With a block duration <= 0 there is no block key: a hit is "blocked" while the window's count is
 * over the limit, until the window ends.
 *
 * ARGV: ttl ms, limit, block duration ms. Returns { totalHits, ms to window expiry, blocked 0/1,
 * ms to block expiry (0 when not blocked) }.
 */
const INCREMENT_LUA = `
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  local held = tonumber(redis.call('GET', KEYS[2])) or (tonumber(ARGV[2]) + 1)
  return { held, blockedFor, 1, blockedFor }
end
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local hits = redis.call('INCR', KEYS[1])
local expiresIn = ttl
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  expiresIn = redis.call('PTTL', KEYS[1])
  if expiresIn <= 0 then
    -- A counter without an expiry (written by something else) must not block forever.
    redis.call('PEXPIRE', KEYS[1], ttl)
    expiresIn = ttl
  end
end
if hits <= limit then
  return { hits, expiresIn, 0, 0 }
end
if block > 0 then
  redis.call('SET', KEYS[2], hits, 'PX', block)
  redis.call('DEL', KEYS[1])
  return { hits, expiresIn, 1, block }
end
return { hits, expiresIn, 1, expiresIn }
`;

const COMMAND = 'sigilRateLimitIncrement';

type IncrementReply = [totalHits: number, expiresInMs: number, blocked: 0 | 1, blockExpiresInMs: number];

interface WithIncrementCommand {
  [COMMAND](
    hitsKey: string,
    blockedKey: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<unknown>;
}

/**
 * `ThrottlerStorage` shared by every replica that points at the same Redis: one budget per key.
 * Failures (connection down, timeout) reject; `ResilientThrottlerStorage` decides what to do then.
 * The script is sent with EVALSHA, falling back to EVAL on NOSCRIPT (ioredis `defineCommand`).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly prefix: string;

  constructor(
    readonly client: Redis,
    options: RedisThrottlerStorageOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX;
    client.defineCommand(COMMAND, { numberOfKeys: 2, lua: INCREMENT_LUA });
  }

  /** The Redis key counting hits of `key` under `throttlerName`; the block key appends `:blocked`. */
  keyOf(key: string, throttlerName: string): string {
    // The hash tag keeps both keys in one cluster slot, as a script touching both requires.
    return `${this.prefix}{${throttlerName}:${key}}`;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const hitsKey = this.keyOf(key, throttlerName);
    const reply = await (this.client as unknown as WithIncrementCommand)[COMMAND](
      hitsKey,
      `${hitsKey}:blocked`,
      Math.max(1, Math.ceil(ttl)),
      limit,
      Math.max(0, Math.ceil(blockDuration)),
    );
    const [totalHits, expiresInMs, blocked, blockExpiresInMs] = parseReply(reply);
    return {
      totalHits,
      timeToExpire: toSeconds(expiresInMs),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? toSeconds(blockExpiresInMs) : 0,
    };
  }
}

function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

function parseReply(reply: unknown): IncrementReply {
  if (
    Array.isArray(reply) &&
    reply.length === 4 &&
    reply.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
    (reply[2] === 0 || reply[2] === 1)
  ) {
    return reply as IncrementReply;
  }
  throw new Error(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
}
