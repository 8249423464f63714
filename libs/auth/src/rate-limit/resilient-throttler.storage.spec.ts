import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../../test/support/redis-server.js';
import { ResilientThrottlerStorage, type RateLimitStorageState } from './resilient-throttler.storage.js';

const MINUTE = 60_000;

type Change = [state: RateLimitStorageState, reason: string];

describe('ResilientThrottlerStorage (real redis-server)', () => {
  let server: RedisServer;
  let admin: Redis;
  const storages: ResilientThrottlerStorage[] = [];

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url, { maxRetriesPerRequest: null });
    admin.on('error', () => {}); // the admin client outlives the restarts below
  });

  afterAll(async () => {
    await Promise.all(storages.map((s) => s.close()));
    admin?.disconnect();
    await server?.stop();
  });

  /** A storage as the app builds it, with a short reconnect backoff so that recovery is quick. */
  function open(url = server.url, extra: { probeIntervalMs?: number } = {}) {
    const changes: Change[] = [];
    const storage = ResilientThrottlerStorage.fromUrl(url, {
      onStateChange: (state, reason) => changes.push([state, reason]),
      reconnectMaxDelayMs: 100,
      // Generous, so a loaded CI machine does not trip them; the 'slow Redis' case stalls Redis outright.
      commandTimeoutMs: 1_000,
      timeoutMs: 1_500,
      ...extra,
    });
    storages.push(storage);
    return { storage, changes };
  }

  const freshKey = (): string => `user-${randomUUID()}`;
  const hit = (storage: ResilientThrottlerStorage, key: string) =>
    storage.increment(key, MINUTE, 100, MINUTE, 'default');

  it('counts in Redis while it is up, without announcing a state change', async () => {
    const { storage, changes } = open();
    // Before the first connection is made, a request is served (from memory) without a state change.
    expect(storage.client.status).not.toBe('ready');
    expect((await hit(storage, freshKey())).totalHits).toBe(1);
    await waitUntil(async () => storage.client.status === 'ready');
    const key = freshKey();
    expect((await hit(storage, key)).totalHits).toBe(1);
    expect((await hit(storage, key)).totalHits).toBe(2);
    expect(await admin.get(storage.redis.keyOf(key, 'default'))).toBe('2');
    expect(storage.state()).toBe('redis');
    expect(changes).toEqual([]);
  });

  it('falls back to memory when Redis goes away, and returns to Redis when it is back', async () => {
    const { storage, changes } = open();
    await waitUntil(async () => storage.client.status === 'ready');
    const key = freshKey();
    for (let i = 1; i <= 3; i++) expect((await hit(storage, key)).totalHits).toBe(i);

    await server.stop();
    // Requests keep resolving, now counted per instance in memory (which never saw the 3 Redis hits).
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await hit(storage, key)).totalHits);
    expect(during).toEqual([1, 2, 3, 4, 5]);
    expect(storage.state()).toBe('memory');
    expect(changes).toHaveLength(1);
    expect(changes[0][0]).toBe('memory');

    // Blocking still works from memory.
    const blockedKey = freshKey();
    await storage.increment(blockedKey, MINUTE, 1, MINUTE, 'default');
    expect((await storage.increment(blockedKey, MINUTE, 1, MINUTE, 'default')).isBlocked).toBe(true);

    await server.restart();
    await waitUntil(async () => storage.state() === 'redis');
    expect(changes).toHaveLength(2);
    expect(changes[1][0]).toBe('redis');

    // Counting resumes in the (fresh, empty) Redis.
    expect((await hit(storage, key)).totalHits).toBe(1);
    expect((await hit(storage, key)).totalHits).toBe(2);
    await waitUntil(async () => admin.status === 'ready');
    expect(await admin.get(storage.redis.keyOf(key, 'default'))).toBe('2');
    expect(changes).toHaveLength(2);
  });

  it('survives a crash (SIGKILL) the same way', async () => {
    const { storage, changes } = open();
    await waitUntil(async () => storage.client.status === 'ready');
    await server.kill();
    const record = await hit(storage, freshKey());
    expect(record.totalHits).toBe(1);
    await waitUntil(async () => storage.state() === 'memory');
    await server.restart();
    await waitUntil(async () => storage.state() === 'redis');
    expect(changes.map(([state]) => state)).toEqual(['memory', 'redis']);
  });

  it('starts with Redis down: no throw, serves from memory, switches to Redis once it is up', async () => {
    const down = await startRedis();
    try {
      await down.stop();
      const { storage, changes } = open(down.url);
      const key = freshKey();
      expect((await hit(storage, key)).totalHits).toBe(1);
      expect((await hit(storage, key)).totalHits).toBe(2);
      await waitUntil(async () => storage.state() === 'memory');
      expect((await hit(storage, key)).totalHits).toBe(3);
      expect(changes).toHaveLength(1);
      expect(changes[0][0]).toBe('memory');

      await down.restart();
      await waitUntil(async () => storage.state() === 'redis');
      expect(changes.map(([state]) => state)).toEqual(['memory', 'redis']);
      expect((await hit(storage, key)).totalHits).toBe(1);
    } finally {
      await down.stop();
    }
  });

  it('treats a Redis that does not answer in time as down, and comes back when it answers again', async () => {
    const { storage, changes } = open(server.url, { probeIntervalMs: 50 });
    await waitUntil(async () => storage.client.status === 'ready');
    await waitUntil(async () => admin.status === 'ready');
    const key = freshKey();
    expect((await hit(storage, key)).totalHits).toBe(1);

    // Writes (scripts included) stall on the server while the connection stays up.
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    try {
      const record = await hit(storage, key);
      expect(record.totalHits).toBe(1); // from memory
      expect(storage.state()).toBe('memory');
      expect(changes).toHaveLength(1);
      expect(changes[0][0]).toBe('memory');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }

    // No reconnect happens: the probe notices that Redis answers again.
    await waitUntil(async () => storage.state() === 'redis');
    expect(changes.map(([state]) => state)).toEqual(['memory', 'redis']);
  });

  it('announces nothing once closed, and still answers from memory', async () => {
    const { storage, changes } = open();
    await waitUntil(async () => storage.client.status === 'ready');
    await storage.close();
    await storage.close();
    expect(storage.client.status).toBe('end');
    expect((await hit(storage, freshKey())).totalHits).toBe(1);
    expect(changes).toEqual([]);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
