import { afterEach, describe, expect, it } from 'vitest';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

describe('MemoryThrottlerStorage (same semantics as the Redis script)', () => {
  let now = 1_000_000;
  const storages: MemoryThrottlerStorage[] = [];
  const make = () => {
    const storage = new MemoryThrottlerStorage(() => now);
    storages.push(storage);
    return storage;
  };
  afterEach(() => storages.splice(0).forEach((s) => s.onApplicationShutdown()));

  it('counts a fixed window from the first hit, in whole seconds rounded up', async () => {
    const s = make();
    expect(await s.increment('k', 60_000, 3, 30_000, 'default')).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    now += 1_500;
    expect(await s.increment('k', 60_000, 3, 30_000, 'default')).toEqual({
      totalHits: 2,
      timeToExpire: 59,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('blocks the hit past the limit for the block duration, without counting hits during the block', async () => {
    const s = make();
    for (let i = 1; i <= 3; i++)
      expect((await s.increment('k', 60_000, 3, 30_000, 'default')).isBlocked).toBe(false);
    expect(await s.increment('k', 60_000, 3, 30_000, 'default')).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    now += 10_000;
    expect(await s.increment('k', 60_000, 3, 30_000, 'default')).toEqual({
      totalHits: 4,
      timeToExpire: 20,
      isBlocked: true,
      timeToBlockExpire: 20,
    });
    now += 20_000;
    expect(await s.increment('k', 60_000, 3, 30_000, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('with no block duration, blocks until the window ends', async () => {
    const s = make();
    await s.increment('k', 10_000, 1, 0, 'default');
    expect(await s.increment('k', 10_000, 1, 0, 'default')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    now += 10_000;
    expect(await s.increment('k', 10_000, 1, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys and throttler names apart, and starts a new window after expiry', async () => {
    const s = make();
    await s.increment('a', 10_000, 5, 10_000, 'default');
    expect((await s.increment('b', 10_000, 5, 10_000, 'default')).totalHits).toBe(1);
    expect((await s.increment('a', 10_000, 5, 10_000, 'anonymous')).totalHits).toBe(1);
    now += 10_001;
    expect((await s.increment('a', 10_000, 5, 10_000, 'default')).totalHits).toBe(1);
  });
});
