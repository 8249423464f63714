import { describe, expect, it } from 'vitest';
import { isSigilId } from './cursor.js';
import { pooledRandom, sigilIdFactory } from './sigil-ids.js';

describe('pooledRandom', () => {
  it('yields whole bytes over 256 in [0, 1), refilling the pool when it runs out', () => {
    const next = pooledRandom(4);
    const draws = Array.from({ length: 4000 }, next);
    for (const x of draws) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(Number.isInteger(x * 256)).toBe(true);
    }
    // 1000 refills of 4 bytes from the CSPRNG: every byte value shows up, none dominates.
    const distinct = new Set(draws.map((x) => x * 256));
    expect(distinct.size).toBeGreaterThan(240);
  });
});

describe('sigilIdFactory', () => {
  it('makes valid sigil ids that sort by creation, within one millisecond too', () => {
    const newId = sigilIdFactory();
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    const ids = [newId(now), newId(now), newId(now), newId(now + 1), newId(now + 1)];
    for (const id of ids) expect(isSigilId(id)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
