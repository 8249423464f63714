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
import { seededRandom } from './seeded-random.js';

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

  describe('clustered', () => {
    /** An index and the entries the reference scans, changed together. */
    function mirrored(structureMinRows: number) {
      const index = new PatternIndex({ structureMinRows });
      const entries = new Map<string, PatternEntry>();
      let next = 0;
      return {
        index,
        entries,
        stored: () => [...entries.values()],
        put(pattern: unknown, revoked = false, id = `sigil_${String(next++).padStart(8, '0')}`): string {
          index.put(id, pattern, revoked);
          entries.set(id, { id, resonancePattern: pattern as number[], revoked });
          return id;
        },
        revoke(id: string): void {
          index.revoke(id);
          entries.set(id, { ...entries.get(id)!, revoked: true });
        },
        remove(id: string): void {
          index.remove(id);
          entries.delete(id);
        },
      };
    }
    type Mirror = ReturnType<typeof mirrored>;

    /** Queries near stored patterns, by id, random and odd, at thresholds on rounding boundaries. */
    function check(m: Mirror, random: () => number, label: string, queries = 60): void {
      const all = m.stored();
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      for (let n = 0; n < queries; n++) {
        const source = all.length > 0 ? pick(all) : undefined;
        const base = Array.isArray(source?.resonancePattern) ? source.resonancePattern : undefined;
        const kind = random();
        const pattern =
          base !== undefined && base.length === 16 && base.every(Number.isFinite) && kind < 0.6
            ? kind < 0.3
              ? [...base]
              : base.map((x) => x + (random() - 0.5) * (random() < 0.5 ? 1e-6 : 1e-3))
            : kind < 0.9
              ? Array.from({ length: 16 }, () => random() * 2 - 0.5)
              : pick([new Array<number>(16).fill(0), [1e-200, ...new Array<number>(15).fill(0)]]);
        const at = all.length > 0 ? similarity(pattern, pick(all).resonancePattern) : 0.5;
        const threshold = Number.isFinite(at) ? pick([0, -1, 0.5, at, at + 1e-6, at - 1e-6, at - 5e-7]) : 0;
        const query: MatchQuery = {
          pattern,
          threshold,
          topN: pick([1, 2, 10, 50, 5000]),
          ...(source !== undefined && random() < 0.4 ? { excludeId: source.id } : {}),
        };
        expect(m.index.rank(query), `${label} #${n} ${JSON.stringify(query)}`).toEqual(
          rankMatches(all, query),
        );
      }
    }

    /** Families as real tenants have them: a base direction each, members a small offset away. */
    function family(random: () => number, base: readonly number[], spread: number): number[] {
      return base.map((x) => Math.round(Math.min(1, Math.max(0, x + (random() - 0.5) * spread)) * 1e6) / 1e6);
    }

    it('ranks exactly like rankMatches once rows are clustered, through writes, revokes and removals', () => {
      const random = seededRandom(1414);
      const m = mirrored(64);
      const bases = Array.from({ length: 12 }, () => Array.from({ length: 16 }, () => random()));
      const fresh = () => {
        const kind = random();
        if (kind < 0.7)
          return family(random, bases[Math.floor(random() * bases.length)], kind < 0.3 ? 0.002 : 0.1);
        if (kind < 0.75) return [...bases[0]]; // identical patterns: many sigils on one row
        if (kind < 0.8) return bases[1].map((x) => -x); // negative components, the opposite direction
        return Array.from({ length: 16 }, () => Math.round((random() * 2 - 1) * 1e6) / 1e6);
      };
      for (let i = 0; i < 3000; i++) m.put(fresh(), random() < 0.05);
      check(m, random, 'built');
      expect(m.index.clusters).toBeGreaterThan(1);
      const built = m.index.clusters;

      // Writes after the build land after the clustered rows; queries interleave with them.
      // (Few enough, ~10 % of the rows, that they are not yet reclustered.)
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 40; i++) m.put(fresh(), random() < 0.05);
        for (const e of m.stored().filter(() => random() < 0.03)) m.revoke(e.id);
        for (const e of m.stored().filter(() => random() < 0.01)) m.remove(e.id);
        // A put over an existing id with a new pattern moves it to another row.
        for (const e of m.stored().filter(() => random() < 0.01)) m.put(fresh(), false, e.id);
        check(m, random, `round ${round}`, 25);
      }
      expect(m.index.clusters).toBe(built);

      // Growth past the rebuild point: the next match reclusters (√n moves with n).
      for (let i = 0; i < 2000; i++) m.put(fresh());
      check(m, random, 'grown');
      expect(m.index.clusters).toBe(Math.round(Math.sqrt(m.index.distinct)));
      expect(m.index.size).toBe(m.entries.size);
    });

    it('keeps a cluster emptied after the build, and one refilled, exact', () => {
      const random = seededRandom(77);
      const m = mirrored(32);
      const bases = Array.from({ length: 6 }, (_, b) =>
        Array.from({ length: 16 }, (_, i) => ((b * 7 + i * 3) % 16) / 16),
      );
      const ids = bases.map(() => [] as string[]);
      for (let i = 0; i < 1200; i++) {
        const b = i % bases.length;
        ids[b].push(m.put(family(random, bases[b], 0.01)));
      }
      check(m, random, 'built');
      expect(m.index.clusters).toBeGreaterThan(1);
      // Empty a whole family (its clusters' rows become holes), then bring a few of its patterns back.
      for (const id of ids[2]) m.remove(id);
      check(m, random, 'emptied');
      for (let i = 0; i < 5; i++) m.put(family(random, bases[2], 0.01));
      check(m, random, 'refilled');
      // Below the clustering size: the rows are compacted and read flat, still exact.
      for (const e of m.stored().slice(0, m.entries.size - 20)) m.remove(e.id);
      check(m, random, 'shrunk');
      expect(m.index.clusters).toBe(0);
      for (const e of m.stored()) m.remove(e.id);
      expect(m.index.rank({ pattern: bases[0], threshold: -1, topN: 10 })).toEqual([]);
    });

    it('breaks ties at 6 decimals by id across rows and clusters', () => {
      const random = seededRandom(6);
      const m = mirrored(16);
      const base = Array.from({ length: 16 }, (_, i) => 0.2 + i / 40);
      // Scalar multiples (cosine 1 up to rounding, distinct rows) and offsets of ~1e-7 that land
      // similarities on both sides of a 6-decimal boundary; inserted out of id order.
      const patterns = Array.from({ length: 900 }, (_, i) => {
        if (i % 3 === 0) return base.map((x) => x * (1 + (i % 17)));
        return base.map((x, k) => x + (k === i % 16 ? (random() - 0.5) * (i % 2 === 0 ? 4e-6 : 4e-3) : 0));
      });
      const order = patterns.map((_, i) => (i * 389) % patterns.length);
      for (const i of order) m.put(patterns[i], random() < 0.05, `sigil_${String(i).padStart(5, '0')}`);
      for (const topN of [1, 5, 10, 100, 1000]) {
        for (const pattern of [base, patterns[1], patterns[2], patterns[3]]) {
          for (const threshold of [
            0.5,
            1,
            similarity(pattern, patterns[4]),
            similarity(pattern, patterns[5]),
          ]) {
            const query = { pattern, threshold, topN };
            expect(m.index.rank(query), JSON.stringify(query)).toEqual(rankMatches(m.stored(), query));
          }
        }
      }
      expect(m.index.clusters).toBeGreaterThan(1);
      check(m, random, 'ties');
    });

    it('scores odd stored patterns in a clustered index as the reference does', () => {
      const random = seededRandom(99);
      const m = mirrored(16);
      const half = new Array<number>(16).fill(0.5);
      for (let i = 0; i < 600; i++) m.put(family(random, half, 0.5));
      const odd: unknown[] = [
        new Array<number>(16).fill(0),
        [-0, ...half.slice(1)],
        [Number.NaN, ...half.slice(1)],
        half.slice(0, 15),
        ['0.5', ...half.slice(1)],
        [null, ...half.slice(1)],
        [Number.POSITIVE_INFINITY, ...half.slice(1)],
        [1e-120, ...new Array<number>(15).fill(0)],
        [1e120, ...half.slice(1)],
        'not an array',
        half.map((x) => -x),
      ];
      for (const pattern of odd) m.put(pattern);
      check(m, random, 'odd, built');
      expect(m.index.clusters).toBeGreaterThan(1);
      // The same odd patterns again after the build (placed after the clustered rows).
      for (const pattern of odd) m.put(pattern);
      check(m, random, 'odd, after the build');
    });
  });
});
