import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

interface CanonicalCase {
  name: string;
  source: string;
  input: string;
  expected: string;
  ieee754Hex?: string;
  note?: string;
}

interface CanonicalFile {
  description: string;
  cases: CanonicalCase[];
  invalid: { name: string; input: string; note: string }[];
}

const file = JSON.parse(
  readFileSync(new URL('../../../../test/vectors/canonical-json.json', import.meta.url), 'utf8'),
) as CanonicalFile;

function ieee754Hex(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

/** Deterministic Fisher-Yates shuffle (LCG), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same value with every object's keys inserted in a different order. */
function reordered(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reordered(v, seed + i + 1));
  if (value === null || typeof value !== 'object') return value;
  const entries = shuffled(Object.entries(value), seed);
  return Object.fromEntries(entries.map(([k, v], i) => [k, reordered(v, seed * 31 + i)]));
}

describe('canonicalJson: RFC 8785 cases (test/vectors/canonical-json.json)', () => {
  it('includes the RFC examples and the Appendix B number samples', () => {
    const names = file.cases.map((c) => c.name);
    expect(names).toContain('rfc8785-3.2.2-primitives');
    expect(names).toContain('rfc8785-3.2.3-sorting');
    expect(file.cases.filter((c) => c.ieee754Hex !== undefined).length).toBeGreaterThanOrEqual(20);
  });

  it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const parsed: unknown = JSON.parse(c.input);
    if (c.ieee754Hex !== undefined) {
      expect(typeof parsed).toBe('number');
      expect(ieee754Hex(parsed as number)).toBe(c.ieee754Hex);
    }
    const canonical = canonicalJson(parsed);
    expect(canonical).toBe(c.expected);
    // Canonical text is a fixed point.
    expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
  });

  it.each(file.invalid.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    const parsed: unknown = JSON.parse(c.input);
    expect(() => canonicalJson(parsed)).toThrow(/surrogate/i);
  });
});

describe('canonicalJson', () => {
  it('throws a TypeError for values without a JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow('value has no JSON representation');
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError);
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson([Number.NEGATIVE_INFINITY])).toThrow();
  });

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/i);
  });

  it('does not depend on the order in which keys were inserted', () => {
    const value = {
      zeta: { y: [3, { b: 2, a: 1, c: { q: null, p: [true, false] } }], x: 'x' },
      alpha: [{ d: true, c: false, e: { '10': 1, '9': 2, '': 3 } }],
      ü: 'umlaut',
      '\u20ac': 'euro',
      '\u{1F600}': 'emoji',
      '\ufb33': 'dalet',
      A: 0.1,
      a: -0,
    };
    const expected =
      '{"A":0.1,"a":0,"alpha":[{"c":false,"d":true,"e":{"":3,"10":1,"9":2}}],' +
      '"zeta":{"x":"x","y":[3,{"a":1,"b":2,"c":{"p":[true,false],"q":null}}]},' +
      '"ü":"umlaut","€":"euro","\u{1F600}":"emoji","\ufb33":"dalet"}';
    expect(canonicalJson(value)).toBe(expected);
    for (let seed = 1; seed <= 25; seed++) {
      expect(canonicalJson(reordered(value, seed))).toBe(expected);
    }
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('keeps array order (arrays are not sorted)', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([3, 1, 2])).not.toBe(canonicalJson([1, 2, 3]));
  });

  it('drops undefined members and writes undefined array elements as null, like JSON.stringify', () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('distinguishes values that differ only in type', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson({ a: [] })).not.toBe(canonicalJson({ a: {} }));
  });
});
