import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { dataDigest, RESONANCE_LENGTH, resonancePattern } from './dna.js';

const DEFAULTS = { phi: 1.618033988749895, coherence: 0.5, awareness: 0.5 };
/** With phi, coherence and awareness all 0 the angle terms vanish: r = 0.1 · codeUnit / 255. */
const UNITS_ONLY = { phi: 0, coherence: 0, awareness: 0 };

describe('dataDigest', () => {
  it('is sha256: + hex SHA-256 of the UTF-8 text', () => {
    expect(dataDigest('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(dataDigest('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const text = '{"€":"😀"}';
    expect(dataDigest(text)).toBe(
      `sha256:${createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex')}`,
    );
  });
});

describe('resonancePattern', () => {
  it('has 16 entries in [0, 1] with at most 6 decimals', () => {
    expect(RESONANCE_LENGTH).toBe(16);
    const inputs = [
      canonicalJson({ invoice: 'INV-1001', amount: 42.5 }),
      canonicalJson({ text: 'naïve café 東京 😀' }),
      '{}',
    ];
    for (const canonical of inputs) {
      for (const state of [DEFAULTS, { phi: 7.3, coherence: 0.9, awareness: 0.1 }, UNITS_ONLY]) {
        const pattern = resonancePattern(canonical, state);
        expect(pattern).toHaveLength(16);
        for (const r of pattern) {
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(1);
          expect(Object.is(r, -0)).toBe(false);
          expect(Number(r.toFixed(6))).toBe(r);
        }
      }
    }
  });

  it('reads the code unit at i mod length and scales it by 0.1/255, rounded to 6 decimals', () => {
    // '{"a":1}' is 7 code units: { " a " : 1 } → 123 34 97 34 58 49 125, then it wraps.
    // 12.3/255 = 0.0482352… → 0.048235; 3.4/255 = 0.0133333… → 0.013333; 9.7/255 = 0.0380392… → 0.038039;
    // 5.8/255 = 0.0227450… → 0.022745; 4.9/255 = 0.0192156… → 0.019216 (rounds up); 12.5/255 = 0.0490196… → 0.04902.
    const cycle = [0.048235, 0.013333, 0.038039, 0.013333, 0.022745, 0.019216, 0.04902];
    const expected = Array.from({ length: 16 }, (_, i) => cycle[i % 7]);
    expect(resonancePattern('{"a":1}', UNITS_ONLY)).toEqual(expected);
    expect(resonancePattern('{}', UNITS_ONLY)).toEqual(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? 0.04902 : 0.048235)),
    );
  });

  it('adds sin(angle)·coherence + cos(angle)·awareness with angle = i·phi·π/8', () => {
    // phi = 4 makes angle = i·π/2: the trig terms cycle awareness, coherence, −awareness, −coherence.
    // With coherence 0.6, awareness 0.3 and a single 'A' (65 → 0.1·65/255 = 0.0254901…):
    // i≡0: 0.3 + 0.02549 = 0.32549; i≡1: 0.6 + 0.02549 = 0.62549; i≡2: −0.3 + … → 0; i≡3: −0.6 + … → 0.
    const pattern = resonancePattern('A', { phi: 4, coherence: 0.6, awareness: 0.3 });
    expect(pattern).toEqual(Array.from({ length: 16 }, (_, i) => [0.32549, 0.62549, 0, 0][i % 4]));
  });

  it('clamps to 1 above and to 0 below', () => {
    // phi 2 → angle = i·π/4; coherence = awareness = 1 → sin + cos runs 1, √2, 1, 0, −1, −√2, −1, 0, …
    // '{"k":"v"}' code units: 123 34 107 34 58 34 118 34 125.
    const pattern = resonancePattern('{"k":"v"}', { phi: 2, coherence: 1, awareness: 1 });
    expect(pattern.slice(0, 3)).toEqual([1, 1, 1]); // 1 + 0.048…, √2 + 0.013…, 1 + 0.041…
    expect(pattern[3]).toBe(0.013333); // sin(3π/4) + cos(3π/4) ≈ 0, plus 0.1·34/255
    expect(pattern.slice(4, 7)).toEqual([0, 0, 0]); // −1 + 0.022…, −√2 + 0.013…, −1 + 0.046…
    expect(pattern[7]).toBe(0.013333);
    expect(pattern[8]).toBe(1);
    expect(pattern[11]).toBe(0.041961); // sin(11π/4) + cos(11π/4) ≈ 0, plus 0.1·107/255 (index 11 mod 9 = 2 → 'k')
  });

  it('uses the default consciousness state as given', () => {
    const canonical = canonicalJson({ invoice: 'INV-1001', amount: 42.5, currency: 'EUR' });
    expect(resonancePattern(canonical, DEFAULTS)).toEqual([
      0.548235, 0.7125, 0.663466, 0.350308, 0, 0, 0, 0, 0, 0.17762, 0.554519, 0.724499, 0.618554, 0.282522, 0,
      0,
    ]);
    // i = 0: sin 0 · 0.5 + cos 0 · 0.5 + 0.1 · 123/255 = 0.5 + 0.0482352… → 0.548235.
    // i = 1 reads '"' (34): sin(φπ/8)·0.5 + cos(φπ/8)·0.5 + 0.0133333… = 0.7125 after rounding.
    const angle = (1.618033988749895 * Math.PI) / 8;
    expect(Math.round((Math.sin(angle) * 0.5 + Math.cos(angle) * 0.5 + 3.4 / 255) * 1e6) / 1e6).toBe(0.7125);
  });

  it('reads UTF-16 code units, so a surrogate pair takes two positions with distinct values', () => {
    const canonical = canonicalJson({ '\u{1F600}': 1 });
    expect(canonical).toBe('{"\u{1F600}":1}');
    expect(canonical.length).toBe(8); // { " D83D DE00 " : 1 }
    // phi 0 → angle 0 → r = awareness + 0.1·u/255. awareness −21.5 brings surrogates into range and
    // clamps ASCII to 0: 0xD83D = 55357 → 21.7086274… − 21.5 = 0.208627; 0xDE00 = 56832 → 22.2870588… − 21.5 = 0.787059.
    const pattern = resonancePattern(canonical, { phi: 0, coherence: 0, awareness: -21.5 });
    const cycle = [0, 0, 0.208627, 0.787059, 0, 0, 0, 0];
    expect(pattern).toEqual(Array.from({ length: 16 }, (_, i) => cycle[i % 8]));
    // With the ordinary range every surrogate saturates; the 8-unit period (not 7 code points) still shows.
    const saturated = resonancePattern(canonical, UNITS_ONLY);
    expect(saturated.slice(0, 8)).toEqual([0.048235, 0.013333, 1, 1, 0.013333, 0.022745, 0.019216, 0.04902]);
    expect(saturated.slice(8)).toEqual(saturated.slice(0, 8));
  });

  it('is deterministic and sensitive to the data and the state', () => {
    const canonical = canonicalJson({ a: 'x' });
    expect(resonancePattern(canonical, DEFAULTS)).toEqual(resonancePattern(canonical, { ...DEFAULTS }));
    // Index 2 (the first key's first character) is not clamped under the defaults.
    expect(resonancePattern(canonical, DEFAULTS)).not.toEqual(
      resonancePattern(canonicalJson({ b: 'x' }), DEFAULTS),
    );
    expect(resonancePattern(canonical, DEFAULTS)).not.toEqual(
      resonancePattern(canonical, { ...DEFAULTS, phi: 1.5 }),
    );
    // resonance is stored but is not an input of the pattern.
    expect(resonancePattern(canonical, { ...DEFAULTS, resonance: 0.9 })).toEqual(
      resonancePattern(canonical, DEFAULTS),
    );
  });
});
