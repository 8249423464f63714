import { describe, expect, it } from 'vitest';
import { cosineSimilarity } from './cosine.js';

const range16 = Array.from({ length: 16 }, (_, i) => i + 1); // 1..16

describe('cosineSimilarity', () => {
  it('is 1 for identical vectors and for positive multiples', () => {
    expect(cosineSimilarity([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(cosineSimilarity([3, 4], [6, 8])).toBe(1);
    expect(cosineSimilarity(range16, range16)).toBeCloseTo(1, 12);
  });

  it('is 0 for orthogonal vectors', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1, 0, 0], [0, 0, 2, 5])).toBe(0);
    expect(cosineSimilarity([1, -1], [1, 1])).toBe(0);
  });

  it('is -1 for opposite vectors', () => {
    expect(cosineSimilarity([1, 2, 3], [-1, -2, -3])).toBe(-1);
    expect(cosineSimilarity([0.5, 0.25], [-2, -1])).toBe(-1);
  });

  it('is 0 when either vector has no magnitude', () => {
    const zero = new Array<number>(16).fill(0);
    expect(cosineSimilarity(zero, range16)).toBe(0);
    expect(cosineSimilarity(range16, zero)).toBe(0);
    expect(cosineSimilarity(zero, zero)).toBe(0);
    expect(cosineSimilarity([], [])).toBe(0);
  });

  it('throws when the lengths differ', () => {
    expect(() => cosineSimilarity([1, 2, 3], [1, 2])).toThrow(RangeError);
    expect(() => cosineSimilarity([1, 2, 3], [1, 2])).toThrow('vectors differ in length: 3 vs 2');
    expect(() => cosineSimilarity(new Array<number>(16).fill(1), new Array<number>(15).fill(1))).toThrow(
      RangeError,
    );
  });

  it('matches hand-computed 16-dimensional cases', () => {
    // a = 1..16, b = 16..1: a·b = Σ i(17−i) = 17·136 − 1496 = 816; |a|² = |b|² = Σ i² = 1496; 816 / 1496 = 6/11.
    expect(cosineSimilarity(range16, [...range16].reverse())).toBeCloseTo(6 / 11, 12);
    // All ones against alternating ones and zeros: 8 / (4 · √8) = 1/√2.
    const ones = new Array<number>(16).fill(1);
    const alternating = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    expect(cosineSimilarity(ones, alternating)).toBeCloseTo(Math.SQRT1_2, 12);
    // Two resonance-like patterns: a = 0.5 everywhere, b alternates 0.75 and 0.25.
    // a·b = 0.5 · Σb = 0.5 · 8 = 4; |a| = √(16·0.25) = 2; |b|² = 8·0.5625 + 8·0.0625 = 5; cos = 4 / (2√5) = 2/√5.
    const flat = new Array<number>(16).fill(0.5);
    const wave = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0.75 : 0.25));
    expect(cosineSimilarity(flat, wave)).toBeCloseTo(2 / Math.sqrt(5), 12);
    expect(cosineSimilarity(wave, flat)).toBe(cosineSimilarity(flat, wave));
  });
});
