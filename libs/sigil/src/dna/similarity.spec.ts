/**
 * Known answers for the one definition of match similarity (dna/similarity.ts), which
 * every adapter reproduces. Moved here from the sigil lib's former `cosineSimilarity`, now rounded.
 */
import { describe, expect, it } from 'vitest';

import { assertMatchQuery, compareHits, cosineOf, rankMatches, similarity } from './similarity.js';
import { round6 } from './dna.js';
import type { MatchQuery, PatternEntry } from '../domain/sigil.repository.js';

const range16 = Array.from({ length: 16 }, (_, i) => i + 1); // 1..16
const zero16 = new Array<number>(16).fill(0);

function entry(id: string, resonancePattern: number[], revoked = false): PatternEntry {
  return { id, resonancePattern, revoked };
}

function query(pattern: number[], overrides: Partial<MatchQuery> = {}): MatchQuery {
  return { pattern, threshold: 0, topN: 10, ...overrides };
}

describe('similarity', () => {
  it('is 1 for identical vectors and for positive multiples', () => {
    expect(similarity([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(similarity([3, 4], [6, 8])).toBe(1);
    expect(similarity(range16, range16)).toBe(1);
    expect(
      similarity(
        range16,
        range16.map((x) => x / 16),
      ),
    ).toBe(1);
  });

  it('is 0 for orthogonal vectors', () => {
    expect(similarity([1, 0], [0, 1])).toBe(0);
    expect(similarity([1, 1, 0, 0], [0, 0, 2, 5])).toBe(0);
    expect(similarity([1, -1], [1, 1])).toBe(0);
  });

  it('is -1 for opposite vectors', () => {
    expect(similarity([1, 2, 3], [-1, -2, -3])).toBe(-1);
    expect(similarity([0.5, 0.25], [-2, -1])).toBe(-1);
  });

  it('is 0 when either vector has no magnitude', () => {
    expect(similarity(zero16, range16)).toBe(0);
    expect(similarity(range16, zero16)).toBe(0);
    expect(similarity(zero16, zero16)).toBe(0);
    expect(similarity([], [])).toBe(0);
  });

  it('matches hand-computed 16-dimensional cases, rounded to 6 decimals', () => {
    // a = 1..16, b = 16..1: a·b = Σ i(17−i) = 17·136 − 1496 = 816; |a|² = |b|² = Σ i² = 1496;
    // 816 / 1496 = 6/11 = 0.5454545… → 0.545455.
    expect(similarity(range16, [...range16].reverse())).toBe(0.545455);
    // All ones against alternating ones and zeros: 8 / (4 · √8) = 1/√2 = 0.7071067… → 0.707107.
    const ones = new Array<number>(16).fill(1);
    const alternating = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    expect(similarity(ones, alternating)).toBe(0.707107);
    // Two resonance-like patterns: a = 0.5 everywhere, b alternates 0.75 and 0.25.
    // a·b = 0.5 · Σb = 0.5 · 8 = 4; |a| = √(16·0.25) = 2; |b|² = 8·0.5625 + 8·0.0625 = 5;
    // cos = 4 / (2√5) = 2/√5 = 0.8944271… → 0.894427.
    const flat = new Array<number>(16).fill(0.5);
    const wave = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0.75 : 0.25));
    expect(similarity(flat, wave)).toBe(0.894427);
    expect(similarity(wave, flat)).toBe(similarity(flat, wave));
  });

  it('is symmetric and always within [-1, 1] with at most 6 decimals', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
    for (let n = 0; n < 500; n++) {
      const a = Array.from({ length: 16 }, next);
      const b = Array.from({ length: 16 }, next);
      const s = similarity(a, b);
      expect(similarity(b, a)).toBe(s);
      expect(Math.abs(s)).toBeLessThanOrEqual(1);
      expect(round6(s)).toBe(s);
    }
  });

  it('finishes with cosineOf, which adapters computing elsewhere share', () => {
    expect(cosineOf(816, 1496, 1496)).toBe(0.545455);
    expect(cosineOf(5, 0, 3)).toBe(0);
    expect(cosineOf(5, 3, 0)).toBe(0);
    expect(cosineOf(Number.NaN, 1, 1)).toBeNaN();
  });
});

describe('round6', () => {
  it('rounds to 6 decimals, halves up', () => {
    expect(round6(1 / 3)).toBe(0.333333);
    expect(round6(2 / 3)).toBe(0.666667);
    expect(round6(0.9999994)).toBe(0.999999);
    expect(round6(0.9999996)).toBe(1);
    expect(round6(0.0000005)).toBe(0.000001);
    expect(round6(0.0000004)).toBe(0);
    expect(round6(0.25)).toBe(0.25);
  });
});

describe('compareHits', () => {
  it('orders by similarity desc, then id desc', () => {
    const hits = [
      { id: 'sigil_A', similarity: 0.5 },
      { id: 'sigil_C', similarity: 0.5 },
      { id: 'sigil_B', similarity: 0.9 },
      { id: 'sigil_D', similarity: 0.1 },
    ];
    expect([...hits].sort(compareHits).map((h) => h.id)).toEqual([
      'sigil_B',
      'sigil_C',
      'sigil_A',
      'sigil_D',
    ]);
    expect(compareHits(hits[0], { ...hits[0] })).toBe(0);
  });
});

describe('rankMatches', () => {
  const q = [1, ...new Array<number>(15).fill(0)];
  const near = entry('sigil_02', [1, 0.1, ...new Array<number>(14).fill(0)]); // 0.995037
  const exact = entry('sigil_01', [0.5, ...new Array<number>(15).fill(0)]); // 1
  const mid = entry('sigil_04', [1, 0.5, ...new Array<number>(14).fill(0)]); // 0.894427
  const orthogonal = entry('sigil_05', [0, 1, ...new Array<number>(14).fill(0)]); // 0

  it('ranks by rounded similarity desc', () => {
    expect(rankMatches([mid, orthogonal, near, exact], query(q))).toEqual([
      { id: 'sigil_01', similarity: 1 },
      { id: 'sigil_02', similarity: 0.995037 },
      { id: 'sigil_04', similarity: 0.894427 },
      { id: 'sigil_05', similarity: 0 },
    ]);
    expect(rankMatches([], query(q))).toEqual([]);
  });

  it('breaks ties by id desc, including values that tie only after rounding', () => {
    // 1/√(1 + 1e-8) = 0.999999995: not 1, but it rounds to 1.
    const almost = entry('sigil_03', [1, 1e-4, ...new Array<number>(14).fill(0)]);
    expect(similarity(q, almost.resonancePattern)).toBe(1);
    const hits = rankMatches([exact, almost, entry('sigil_00', q)], query(q));
    expect(hits).toEqual([
      { id: 'sigil_03', similarity: 1 },
      { id: 'sigil_01', similarity: 1 },
      { id: 'sigil_00', similarity: 1 },
    ]);
  });

  it('keeps the topN best, ties resolved before the cut', () => {
    const ties = ['sigil_10', 'sigil_12', 'sigil_11'].map((id) => entry(id, q));
    expect(rankMatches([near, ...ties], query(q, { topN: 2 })).map((h) => h.id)).toEqual([
      'sigil_12',
      'sigil_11',
    ]);
    expect(rankMatches([near, ...ties], query(q, { topN: 4 })).map((h) => h.id)).toEqual([
      'sigil_12',
      'sigil_11',
      'sigil_10',
      'sigil_02',
    ]);
  });

  it('applies the threshold inclusively to the rounded value', () => {
    const reversed = entry('sigil_20', [...range16].reverse()); // 6/11 = 0.5454545… → 0.545455
    const ids = (threshold: number) =>
      rankMatches([reversed], query(range16, { threshold })).map((h) => h.id);
    // The unrounded 0.5454545… is below 0.545455; the rounded value is what counts.
    expect(ids(0.545455)).toEqual(['sigil_20']);
    expect(ids(0.5454545)).toEqual(['sigil_20']);
    expect(ids(0.545456)).toEqual([]);
    // Threshold 0 admits a similarity of exactly 0 (orthogonal or zero vectors), nothing negative.
    expect(rankMatches([orthogonal], query(q, { threshold: 0 })).map((h) => h.id)).toEqual(['sigil_05']);
    expect(rankMatches([orthogonal], query(q, { threshold: 0.000001 }))).toEqual([]);
    expect(rankMatches([entry('sigil_30', [-1, ...new Array<number>(15).fill(0)])], query(q))).toEqual([]);
    expect(rankMatches([exact], query(q, { threshold: 1 })).map((h) => h.id)).toEqual(['sigil_01']);
  });

  it('leaves out revoked sigils and excludeId', () => {
    const revoked = entry('sigil_40', q, true);
    expect(rankMatches([revoked, exact], query(q)).map((h) => h.id)).toEqual(['sigil_01']);
    expect(rankMatches([exact, near], query(q, { excludeId: 'sigil_01' })).map((h) => h.id)).toEqual([
      'sigil_02',
    ]);
  });

  it('never admits a stored pattern that scores NaN (too short, hand-edited)', () => {
    const short = entry('sigil_50', [1, 0, 0]);
    expect(similarity(q, short.resonancePattern)).toBeNaN();
    expect(rankMatches([short], query(q, { threshold: -1 }))).toEqual([]);
  });
});

describe('assertMatchQuery', () => {
  it('accepts a well-formed query', () => {
    expect(() =>
      assertMatchQuery(
        query(
          range16.map((x) => x / 16),
          { threshold: 0.5 },
        ),
      ),
    ).not.toThrow();
    expect(() => assertMatchQuery(query(zero16, { excludeId: 'sigil_1', topN: 1 }))).not.toThrow();
  });

  it('rejects what would mean different things to different adapters', () => {
    const bad: MatchQuery[] = [
      query(range16.slice(1)),
      query([...range16, 1]),
      query([Number.POSITIVE_INFINITY, ...range16.slice(1)]),
      query([Number.NaN, ...range16.slice(1)]),
      query(['0.5' as unknown as number, ...range16.slice(1)]),
      query(range16, { threshold: Number.NaN }),
      query(range16, { topN: 0 }),
      query(range16, { topN: -1 }),
      query(range16, { topN: 2.5 }),
    ];
    for (const q of bad) expect(() => assertMatchQuery(q), JSON.stringify(q)).toThrow(RangeError);
  });
});
