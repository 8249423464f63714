/**
 * The LevelDB adapter's in-process match index on its own, at a size where its shortcuts (the topN
 * heap, dismissing hopeless entries before the division) matter: it must answer exactly like the
 * reference `rankMatches` over the same entries, through any sequence of changes.
 */
import { describe, expect, it } from 'vitest';

import { PatternIndex } from '../adapters/shared/pattern.index.js';
import { type MatchQuery, type PatternEntry, rankMatches, similarity } from '#sigil';

/** mulberry32, seeded: a failing case reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('PatternIndex', () => {
  it('ranks exactly like rankMatches through puts, revokes and removals', () => {
    const random = seededRandom(20261126);
    const six = () => Math.round(random() * 1e6) / 1e6;
    const randomPattern = (): number[] => {
      const kind = random();
      if (kind < 0.2) return Array.from({ length: 16 }, () => [0, 0.5, 1][Math.floor(random() * 3)]);
      if (kind < 0.22) return new Array<number>(16).fill(0);
      // Near-duplicates of one base: similarities crowd together just below 1.
      if (kind < 0.5) return Array.from({ length: 16 }, (_, i) => Math.min(1, (i + 1) / 16 + six() * 1e-4));
      return Array.from({ length: 16 }, six);
    };

    const index = new PatternIndex();
    const entries = new Map<string, PatternEntry>();
    let next = 0;
    const put = (revoked = random() < 0.05) => {
      const id = `sigil_${String(next++).padStart(8, '0')}`;
      const resonancePattern = randomPattern();
      index.put(id, resonancePattern, revoked);
      entries.set(id, { id, resonancePattern, revoked });
    };
    const ids = () => [...entries.keys()];
    const check = (label: string) => {
      const stored = [...entries.values()];
      for (let n = 0; n < 60; n++) {
        const source = stored[Math.floor(random() * stored.length)];
        const pattern = random() < 0.5 ? source.resonancePattern : randomPattern();
        const pick = random();
        const threshold =
          pick < 0.3
            ? 0
            : pick < 0.5
              ? 0.5
              : similarity(pattern, stored[Math.floor(random() * stored.length)].resonancePattern);
        const query: MatchQuery = {
          pattern,
          threshold,
          topN: random() < 0.1 ? 5000 : 1 + Math.floor(random() * 30),
          ...(random() < 0.3 ? { excludeId: source.id } : {}),
        };
        expect(index.rank(query), `${label} #${n}`).toEqual(rankMatches(stored, query));
      }
    };

    for (let i = 0; i < 4000; i++) put();
    expect(index.size).toBe(4000);
    check('loaded');

    for (const id of ids().filter(() => random() < 0.1)) {
      index.revoke(id);
      entries.set(id, { ...entries.get(id)!, revoked: true });
    }
    for (const id of ids().filter(() => random() < 0.2)) {
      index.remove(id);
      entries.delete(id);
    }
    for (let i = 0; i < 500; i++) put();
    // A put over an existing id replaces it (a delete and restore seen in one replay).
    for (const id of ids().filter(() => random() < 0.05)) {
      const resonancePattern = randomPattern();
      index.put(id, resonancePattern, false);
      entries.set(id, { id, resonancePattern, revoked: false });
    }
    index.trim();
    expect(index.size).toBe(entries.size);
    check('after changes');

    for (const id of ids()) index.remove(id);
    expect(index.size).toBe(0);
    expect(index.rank({ pattern: new Array<number>(16).fill(0.5), threshold: 0, topN: 10 })).toEqual([]);
  });

  it('keeps ties at the cut newest first', () => {
    const index = new PatternIndex();
    const same = new Array<number>(16).fill(0.5);
    const ids = Array.from({ length: 200 }, (_, i) => `sigil_${String(i).padStart(4, '0')}`);
    // Inserted out of order (7 is coprime to 200): the slot order must not leak into the ranking.
    for (let i = 0; i < ids.length; i++) index.put(ids[(i * 7) % ids.length], same, false);
    const hits = index.rank({ pattern: same, threshold: 1, topN: 7 });
    expect(hits).toEqual(
      ids
        .slice(-7)
        .reverse()
        .map((id) => ({ id, similarity: 1 })),
    );
  });
});
