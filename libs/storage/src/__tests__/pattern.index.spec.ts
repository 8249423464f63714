/**
 * The in-process match index both adapters use, on its own, at a size where its shortcuts (shared
 * rows for identical patterns, the topN heap, dismissing hopeless rows before the division, reading
 * a row's entries only while the heap takes them) matter: it must answer exactly like the reference
 * `rankMatches` over the same entries, through any sequence of changes.
 */
import { describe, expect, it } from 'vitest';

import { PatternIndex } from '../adapters/shared/pattern.index.js';
import {
  canonicalJson,
  type MatchQuery,
  type PatternEntry,
  rankMatches,
  resonancePattern,
  round6,
  similarity,
  withConsciousnessDefaults,
} from '#sigil';

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

  it('ranks realistic minted patterns exactly: most shared, ties across rows, revoked and excluded in shared rows', () => {
    const random = seededRandom(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    // Payloads as tenants sign them: many share their first 16 canonical characters, so their
    // patterns are identical under the default state; a fifth use a custom state.
    const payload = (n: number): Record<string, unknown> => {
      const kind = random();
      if (kind < 0.3) return { documentId: `doc-${n}`, pages: n % 7 };
      if (kind < 0.5) return { event: pick(['login', 'logout', 'signup']), user: `u${n}` };
      if (kind < 0.8) return { amount: Math.round(random() * 50000) / 100, currency: 'EUR' };
      return { id: Math.floor(random() * 1e12).toString(16), unit: 'C' };
    };
    const state = () =>
      random() < 0.8
        ? withConsciousnessDefaults(undefined)
        : withConsciousnessDefaults({
            phi: round6(random() * 10),
            coherence: round6(random()),
            awareness: round6(random()),
          });

    const index = new PatternIndex();
    const entries = new Map<string, PatternEntry>();
    for (let n = 0; n < 3000; n++) {
      const id = `sigil_${String(n).padStart(8, '0')}`;
      const pattern = resonancePattern(canonicalJson(payload(n)), state());
      const revoked = random() < 0.05;
      index.put(id, pattern, revoked);
      entries.set(id, { id, resonancePattern: pattern, revoked });
    }
    expect(index.distinct).toBeLessThan(entries.size * 0.6);
    const stored = () => [...entries.values()];
    const check = (label: string) => {
      const all = stored();
      for (let n = 0; n < 80; n++) {
        const source = pick(all);
        const pattern =
          random() < 0.7 ? source.resonancePattern : all.map((e) => e.resonancePattern)[n % all.length];
        // Thresholds at a stored similarity (the rounding boundary itself) and just either side.
        const exact = similarity(pattern, pick(all).resonancePattern);
        const threshold = pick([0, 0.5, exact, exact + 1e-6, exact - 1e-6, 1]);
        const query: MatchQuery = {
          pattern,
          threshold,
          topN: pick([1, 3, 10, 100, 5000]),
          ...(random() < 0.5 ? { excludeId: source.id } : {}),
        };
        expect(index.rank(query), `${label} #${n}`).toEqual(rankMatches(all, query));
      }
    };
    check('loaded');
    // Revoke, delete and re-add inside shared rows: a row's list and its matchable count must follow.
    for (const entry of stored().filter(() => random() < 0.1)) {
      index.revoke(entry.id);
      entries.set(entry.id, { ...entry, revoked: true });
    }
    for (const entry of stored().filter(() => random() < 0.3)) {
      index.remove(entry.id);
      entries.delete(entry.id);
    }
    for (const entry of stored().filter(() => random() < 0.05)) {
      const pattern = pick(stored()).resonancePattern;
      index.put(entry.id, pattern, false);
      entries.set(entry.id, { id: entry.id, resonancePattern: pattern, revoked: false });
    }
    index.trim();
    expect(index.size).toBe(entries.size);
    check('after changes');
  });

  it('keeps odd stored patterns apart and scores them as the reference does', () => {
    const index = new PatternIndex();
    const half = new Array<number>(16).fill(0.5);
    const odd: [string, unknown][] = [
      ['sigil_a', [-0, ...half.slice(1)]],
      ['sigil_b', [0, ...half.slice(1)]],
      ['sigil_c', [Number.NaN, ...half.slice(1)]],
      ['sigil_d', [Number.NaN, ...half.slice(1)]],
      ['sigil_e', half.slice(0, 15)],
      ['sigil_f', [...half, 0.9]],
      ['sigil_g', ['0.5', ...half.slice(1)]],
      ['sigil_h', [null, ...half.slice(1)]],
      ['sigil_i', new Array<number>(16).fill(0)],
      ['sigil_j', [Number.POSITIVE_INFINITY, ...half.slice(1)]],
      ['sigil_k', half],
    ];
    for (const [id, pattern] of odd) index.put(id, pattern, false);
    const entries = odd.map(([id, pattern]): PatternEntry => ({
      id,
      resonancePattern: pattern as number[],
      revoked: false,
    }));
    for (const query of [
      { pattern: half, threshold: 0, topN: 20 },
      { pattern: half, threshold: -1, topN: 20 },
      { pattern: new Array<number>(16).fill(0), threshold: 0, topN: 20 },
      { pattern: [1e-200, ...half.slice(1)], threshold: 0.5, topN: 20 },
      { pattern: [1e200, ...half.slice(1)], threshold: 0, topN: 20 },
    ]) {
      expect(index.rank(query), JSON.stringify(query)).toEqual(rankMatches(entries, query));
    }
    // Removing one of two sigils on a shared row leaves the other matching.
    index.put('sigil_l', half, false);
    index.remove('sigil_k');
    const after = [
      ...entries.filter((e) => e.id !== 'sigil_k'),
      { id: 'sigil_l', resonancePattern: half, revoked: false },
    ];
    const query = { pattern: half, threshold: 1, topN: 5 };
    expect(index.rank(query)).toEqual(rankMatches(after, query));
    expect(index.rank(query)).toContainEqual({ id: 'sigil_l', similarity: 1 });
  });
});
