import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../../test/support/redis-server.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

const MINUTE = 60_000;

describe('RedisThrottlerStorage (real redis-server)', () => {
  let server: RedisServer;
  let clientA: Redis;
  let clientB: Redis;
  let admin: Redis;
  let storage: RedisThrottlerStorage;
  let replica: RedisThrottlerStorage;

  beforeAll(async () => {
    server = await startRedis();
    clientA = new Redis(server.url);
    clientB = new Redis(server.url);
    admin = new Redis(server.url);
    storage = new RedisThrottlerStorage(clientA);
    // A second replica of the service: its own client, the same Redis.
    replica = new RedisThrottlerStorage(clientB);
  });

  afterAll(async () => {
    await Promise.all([clientA, clientB, admin].map((c) => c?.quit()));
    await server?.stop();
  });

  const freshKey = (): string => `user-${randomUUID()}`;

  it('counts the first hit as 1 with the whole window (in seconds) left', async () => {
    const record = await storage.increment(freshKey(), MINUTE, 5, 30_000, 'default');
    expect(record).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('rounds milliseconds up to whole seconds', async () => {
    const record = await storage.increment(freshKey(), 1_500, 5, 1_500, 'default');
    expect(record.timeToExpire).toBe(2);
  });

  it('counts up to the limit, blocks the (limit+1)th hit for the block duration, and stops counting', async () => {
    const key = freshKey();
    for (let hit = 1; hit <= 3; hit++) {
      const record = await storage.increment(key, MINUTE, 3, 30_000, 'default');
      expect(record).toEqual({ totalHits: hit, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    }
    const over = await storage.increment(key, MINUTE, 3, 30_000, 'default');
    expect(over).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 30 });

    const during = await storage.increment(key, MINUTE, 3, 30_000, 'default');
    expect(during.isBlocked).toBe(true);
    expect(during.totalHits).toBe(4);
    expect(during.timeToBlockExpire).toBe(30);
  });

  it('writes prefixed keys: the window counter with its expiry, and a separate :blocked key', async () => {
    const key = freshKey();
    await storage.increment(key, MINUTE, 1, 45_000, 'default');
    const counter = `sigil:rl:{default:${key}}`;
    expect(storage.keyOf(key, 'default')).toBe(counter);
    expect(await admin.get(counter)).toBe('1');
    const pttl = await admin.pttl(counter);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(MINUTE);

    await storage.increment(key, MINUTE, 1, 45_000, 'default');
    expect(await admin.get(`${counter}:blocked`)).toBe('2');
    const blockPttl = await admin.pttl(`${counter}:blocked`);
    expect(blockPttl).toBeGreaterThan(0);
    expect(blockPttl).toBeLessThanOrEqual(45_000);
  });

  it('uses a configured key prefix', async () => {
    const custom = new RedisThrottlerStorage(clientA, { keyPrefix: 'other:' });
    const key = freshKey();
    await custom.increment(key, MINUTE, 5, MINUTE, 'default');
    expect(await admin.get(`other:{default:${key}}`)).toBe('1');
    expect(await admin.exists(`sigil:rl:{default:${key}}`)).toBe(0);
  });

  it('keeps keys and throttler names apart', async () => {
    const [a, b] = [freshKey(), freshKey()];
    await storage.increment(a, MINUTE, 5, MINUTE, 'default');
    await storage.increment(a, MINUTE, 5, MINUTE, 'default');
    expect((await storage.increment(b, MINUTE, 5, MINUTE, 'default')).totalHits).toBe(1);
    expect((await storage.increment(a, MINUTE, 5, MINUTE, 'burst')).totalHits).toBe(1);
    expect((await storage.increment(a, MINUTE, 5, MINUTE, 'default')).totalHits).toBe(3);
  });

  it('shares one budget between two replicas (two clients)', async () => {
    const key = freshKey();
    const totals: number[] = [];
    for (let i = 0; i < 6; i++) {
      const owner = i % 2 === 0 ? storage : replica;
      totals.push((await owner.increment(key, MINUTE, 5, MINUTE, 'default')).totalHits);
    }
    expect(totals).toEqual([1, 2, 3, 4, 5, 6]);
    const blocked = await storage.increment(key, MINUTE, 5, MINUTE, 'default');
    expect(blocked.isBlocked).toBe(true);
    expect((await replica.increment(key, MINUTE, 5, MINUTE, 'default')).isBlocked).toBe(true);
  });

  it('is atomic: 50 concurrent increments from two replicas see totals 1..50 exactly once', async () => {
    const key = freshKey();
    const records = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? storage : replica).increment(key, MINUTE, 100, MINUTE, 'default'),
      ),
    );
    const totals = records.map((r) => r.totalHits).sort((x, y) => x - y);
    expect(totals).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(records.every((r) => !r.isBlocked && r.timeToExpire === 60)).toBe(true);
  });

  it('under concurrency, exactly the hits over the limit are blocked', async () => {
    const key = freshKey();
    const records = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? storage : replica).increment(key, MINUTE, 20, MINUTE, 'default'),
      ),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(20);
    expect(records.filter((r) => r.isBlocked)).toHaveLength(10);
  });

  it('starts a fresh window once the window has expired', async () => {
    const key = freshKey();
    await storage.increment(key, 200, 5, 200, 'default');
    await storage.increment(key, 200, 5, 200, 'default');
    await waitUntil(async () => (await admin.exists(storage.keyOf(key, 'default'))) === 0);
    const record = await storage.increment(key, 200, 5, 200, 'default');
    expect(record.totalHits).toBe(1);
    expect(record.isBlocked).toBe(false);
  });

  it('unblocks when the block expires, with a fresh count', async () => {
    const key = freshKey();
    await storage.increment(key, MINUTE, 1, 200, 'default');
    expect((await storage.increment(key, MINUTE, 1, 200, 'default')).isBlocked).toBe(true);
    await waitUntil(async () => (await admin.exists(`${storage.keyOf(key, 'default')}:blocked`)) === 0);
    const record = await storage.increment(key, MINUTE, 1, 200, 'default');
    expect(record).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('without a block duration, blocks only until the window ends', async () => {
    const key = freshKey();
    await storage.increment(key, MINUTE, 1, 0, 'default');
    const over = await storage.increment(key, MINUTE, 1, 0, 'default');
    expect(over).toEqual({ totalHits: 2, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 });
    expect(await admin.exists(`${storage.keyOf(key, 'default')}:blocked`)).toBe(0);
  });

  it('reloads the script after Redis forgets it (NOSCRIPT falls back to EVAL)', async () => {
    const key = freshKey();
    await storage.increment(key, MINUTE, 5, MINUTE, 'default');
    await admin.script('FLUSH');
    expect((await storage.increment(key, MINUTE, 5, MINUTE, 'default')).totalHits).toBe(2);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
