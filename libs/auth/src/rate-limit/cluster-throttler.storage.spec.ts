import { afterEach, describe, expect, it } from 'vitest';
import { ClusterThrottlerStorage } from './cluster-throttler.storage.js';

describe('ClusterThrottlerStorage without a reachable primary', () => {
  const storage = new ClusterThrottlerStorage();
  afterEach(() => storage.onApplicationShutdown());

  it('counts in its own memory with the same fixed-window rules, instead of failing the request', async () => {
    // This test process is no cluster worker: the channel is unavailable, as in a worker whose primary is gone.
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await storage.increment('k', 60_000, 2, 60_000, 'default'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(hits[2].timeToBlockExpire).toBe(60);
  });
});
