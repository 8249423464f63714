import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as canonical from './canonical-json.js';
import { signingInput, type SignedFields } from './signing.js';

// canonicalJson counted, so a test can tell the shortcut from the general path; it still answers.
vi.mock('./canonical-json.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./canonical-json.js')>();
  return { ...actual, canonicalJson: vi.fn(actual.canonicalJson) };
});
const { canonicalJson } = await vi.importActual<typeof import('./canonical-json.js')>('./canonical-json.js');

/** The rule itself, as written before the shortcut: canonical JSON of the signed members. */
function reference(s: SignedFields): string {
  return canonicalJson({
    v: 1,
    id: s.id,
    tenantId: s.tenantId,
    digest: s.dna.digest,
    resonancePattern: s.dna.resonancePattern,
    consciousnessState: s.consciousnessState,
    metadata: s.metadata,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
  });
}

/** Both throw, or both give the same text. */
function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (error) {
    return `throws ${(error as Error).constructor.name}`;
  }
}

const PATTERN = [0, 0.5, 1, 0.123456, 0.999999, 1e-6, 0.3, 0.7, 0.25, 0.75, 0.1, 0.9, 0.2, 0.8, 0.4, 0.6];

const base = (): SignedFields => ({
  id: 'sigil_01JC0000000000000000000000',
  tenantId: 'acme',
  dna: { digest: `sha256:${'ab'.repeat(32)}`, resonancePattern: [...PATTERN] },
  // The order mintSigil writes them in, which is not canonical order.
  consciousnessState: { phi: 1.618033988749895, coherence: 0.5, awareness: 0.5 },
  metadata: { source: 'billing', version: '1.2.0', tags: ['invoice', 'eu'] },
  createdAt: '2025-01-15T10:00:00.000Z',
  expiresAt: null,
});

// Values as mint produces them, and as a record altered by hand (or by a bug) could hold them.
const strings: unknown[] = [
  '',
  'plain',
  'Zażółć gęślą jaźń — 🦀 "quoted" \\ back\nslash \u0000 nul \u2028 \u007f \ufeff',
  '\ud800',
  'tail \udfff',
  12,
  null,
  ['x'],
];
const numbers: unknown[] = [0, -0, 1, 1e-7, 1e21, 0.1 + 0.2, Number.MAX_VALUE, NaN, Infinity, '1', null];
const holey = [0.1, 0.2];
holey[3] = 0.4;
const bare = Object.assign(Object.create(null) as object, { awareness: 0.5 });

const variations: Record<string, unknown[]> = {
  id: strings,
  tenantId: strings,
  digest: strings,
  createdAt: strings,
  expiresAt: [...strings, undefined],
  resonancePattern: [
    [],
    [...PATTERN, 0.5],
    PATTERN.map((x, i) => (i === 3 ? -0 : x)),
    PATTERN.map((x, i) => (i === 3 ? NaN : x)),
    PATTERN.map((x, i) => (i === 3 ? '0.5' : x)),
    PATTERN.map((x, i) => (i === 3 ? null : x)),
    holey,
    'not an array',
    { 0: 0.5, length: 1 },
  ],
  consciousnessState: [
    {},
    { awareness: 0.5, coherence: 0.5, phi: 1 },
    { resonance: 0.5, phi: 1, awareness: 0.2, coherence: 0.9 },
    { phi: 1, coherence: 0.5, awareness: 0.5, resonance: undefined },
    { phi: 1, coherence: 0.5, awareness: 0.5, extra: 1 },
    { phi: 1, coherence: 0.5, awareness: 0.5, Phi: 2 },
    { phi: { nested: 1 }, coherence: 0.5, awareness: 0.5 },
    ...numbers.map((n) => ({ phi: n, coherence: 0.5, awareness: 0.5 })),
    ...numbers.map((n) => ({ phi: 1, coherence: 0.5, awareness: 0.5, resonance: n })),
    bare,
    null,
    [1, 2],
  ],
  metadata: [
    {},
    { tags: ['b', 'a'] },
    { version: '2.0.0', tags: [], source: 's' },
    { source: 'ingest/☃', tags: ['ünïcode', 'emoji-🎉', 'q"uote', 'back\\slash', 'nl\n'] },
    { source: 'x', extra: 'y' },
    { source: 'x', tags: undefined },
    { tags: ['ok', holey as unknown as string] },
    { tags: ['ok', ...strings] },
    ...strings.map((source) => ({ source })),
    ...strings.map((version) => ({ version })),
    ...strings.map((tag) => ({ tags: [tag] })),
    { tags: 'not an array' },
    null,
    ['source'],
  ],
};

/** For failure messages: -0 and holes, which JSON.stringify would hide. */
const show = (value: unknown): string =>
  Array.isArray(value)
    ? `[${Array.from(value, show).join(',')}]`
    : Object.is(value, -0)
      ? '-0'
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value);

function withField(s: SignedFields, field: string, value: unknown): SignedFields {
  const copy = structuredClone(s) as unknown as Record<string, unknown> & { dna: Record<string, unknown> };
  if (field === 'digest' || field === 'resonancePattern') copy.dna[field] = value;
  else copy[field] = value;
  return copy as unknown as SignedFields;
}

describe('signingInput', () => {
  const counted = vi.mocked(canonical.canonicalJson);
  beforeEach(() => {
    counted.mockClear();
  });

  it('is canonical JSON of the signed members, without the general canonicaliser, for what mint writes', () => {
    const s = base();
    expect(signingInput(s)).toBe(reference(s));
    expect(signingInput(s)).toBe(
      '{"consciousnessState":{"awareness":0.5,"coherence":0.5,"phi":1.618033988749895},' +
        '"createdAt":"2025-01-15T10:00:00.000Z","digest":"sha256:' +
        'ab'.repeat(32) +
        '","expiresAt":null,"id":"sigil_01JC0000000000000000000000",' +
        '"metadata":{"source":"billing","tags":["invoice","eu"],"version":"1.2.0"},' +
        `"resonancePattern":[${PATTERN.join(',')}],"tenantId":"acme","v":1}`,
    );
    expect(counted.mock.calls).toHaveLength(0);
  });

  it.each(Object.keys(variations))('answers as the reference for every %s a record may hold', (field) => {
    for (const value of variations[field]) {
      const s = withField(base(), field, value);
      expect(
        outcome(() => signingInput(s)),
        `${field} = ${show(value)}`,
      ).toBe(outcome(() => reference(s)));
    }
  });

  it('answers as the reference for every pair of state and metadata variations', () => {
    let shortcut = 0;
    for (const state of variations.consciousnessState) {
      for (const metadata of variations.metadata) {
        const s = withField(withField(base(), 'consciousnessState', state), 'metadata', metadata);
        counted.mockClear();
        expect(outcome(() => signingInput(s))).toBe(outcome(() => reference(s)));
        if (counted.mock.calls.length === 0) shortcut++;
      }
    }
    // Most pairs are well-formed and take the shortcut; the rest went through the general path.
    expect(shortcut).toBeGreaterThan(50);
    expect(shortcut).toBeLessThan(variations.consciousnessState.length * variations.metadata.length);
  });

  it('takes the general path for members it cannot vouch for, so a hand-made extra member is signed', () => {
    const altered = withField(base(), 'metadata', { source: 'billing', owner: 'mallory' });
    expect(signingInput(altered)).toContain('"owner":"mallory"');
    expect(counted.mock.calls).toHaveLength(1);
    const lone = withField(base(), 'metadata', { source: '\ud800' });
    expect(() => signingInput(lone)).toThrow(/surrogate/i);
  });
});
