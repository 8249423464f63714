import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConsciousnessState, SigilMetadata } from '../domain/index.js';
import { DEFAULT_CONSCIOUSNESS } from '../sigil.types.js';
import { canonicalJson } from './canonical-json.js';
import { dataDigest, RESONANCE_LENGTH, resonancePattern } from './dna.js';
import { deriveTenantKey, KeyRing, keyIdOf } from './key-ring.js';
import { authHash, signingInput, type SignedFields } from './signing.js';

/**
 * Cross-checks the TypeScript implementation of SPEC §5 against test/vectors/sigil-vectors.json,
 * which an independent Python implementation (test/vectors/generate.py) produced.
 */

interface Vector {
  name: string;
  description: string;
  inputs: {
    secretHex: string;
    tenantId: string;
    id: string;
    createdAt: string;
    data: Record<string, unknown>;
    consciousnessState?: Partial<ConsciousnessState>;
    metadata?: SigilMetadata;
    expiresAt: string | null;
  };
  expected: {
    canonicalData: string;
    canonicalDataUtf16Length: number;
    consciousnessState: ConsciousnessState;
    metadata: SigilMetadata;
    expiresAt: string | null;
    digest: string;
    resonanceCodeUnits: number[];
    resonancePattern: number[];
    signingInput: string;
    tenantKeyHex: string;
    signature: string;
    kid: string;
    authHash: string;
  };
}

interface VectorFile {
  description: string;
  spec: Record<string, unknown>;
  vectors: Vector[];
}

const file = JSON.parse(
  readFileSync(new URL('../../../../test/vectors/sigil-vectors.json', import.meta.url), 'utf8'),
) as VectorFile;
const vectors = file.vectors;

function vector(name: string): Vector {
  const found = vectors.find((v) => v.name === name);
  if (!found) throw new Error(`no vector named ${name}`);
  return found;
}

/** SPEC §5 defaults, as the encode path applies them (phi/coherence/awareness; resonance only when given). */
function withDefaults(given: Partial<ConsciousnessState> | undefined): ConsciousnessState {
  const state: ConsciousnessState = {
    phi: given?.phi ?? DEFAULT_CONSCIOUSNESS.phi,
    coherence: given?.coherence ?? DEFAULT_CONSCIOUSNESS.coherence,
    awareness: given?.awareness ?? DEFAULT_CONSCIOUSNESS.awareness,
  };
  if (given?.resonance !== undefined) state.resonance = given.resonance;
  return state;
}

function signedFields(v: Vector): SignedFields {
  return {
    id: v.inputs.id,
    tenantId: v.inputs.tenantId,
    dna: { digest: v.expected.digest, resonancePattern: v.expected.resonancePattern },
    consciousnessState: v.expected.consciousnessState,
    metadata: v.expected.metadata,
    createdAt: v.inputs.createdAt,
    expiresAt: v.inputs.expiresAt,
  };
}

/** Replaces the hex digit at `index` with a different one. */
function alterHexAt(hex: string, index: number): string {
  const replacement = hex[index] === '0' ? '1' : '0';
  return hex.slice(0, index) + replacement + hex.slice(index + 1);
}

describe('SPEC §5 test vectors (test/vectors/sigil-vectors.json)', () => {
  it('has the expected shape and covers the required cases', () => {
    expect(typeof file.description).toBe('string');
    expect(file.spec).toMatchObject({ canonicalJson: 'RFC 8785 (JCS)' });
    expect(file.spec.consciousnessStateDefaults).toEqual({ ...DEFAULT_CONSCIOUSNESS });
    expect(vectors.length).toBeGreaterThanOrEqual(8);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
    for (const v of vectors) {
      expect(v.inputs.id).toMatch(/^sigil_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(v.inputs.secretHex).toMatch(/^[0-9a-fA-F]{64}$/);
      expect(v.inputs.createdAt).toBe(new Date(v.inputs.createdAt).toISOString());
    }
  });

  describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const secret = Buffer.from(v.inputs.secretHex, 'hex');

    it('canonicalizes the data and digests it', () => {
      const canonical = canonicalJson(v.inputs.data);
      expect(canonical).toBe(v.expected.canonicalData);
      expect(canonical.length).toBe(v.expected.canonicalDataUtf16Length);
      expect(dataDigest(canonical)).toBe(v.expected.digest);
      expect(v.expected.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('fills consciousnessState defaults and normalizes metadata', () => {
      expect(withDefaults(v.inputs.consciousnessState)).toStrictEqual(v.expected.consciousnessState);
      expect('resonance' in v.expected.consciousnessState).toBe(
        v.inputs.consciousnessState?.resonance !== undefined,
      );
      expect(v.expected.metadata).toStrictEqual(v.inputs.metadata ?? {});
      expect(v.expected.expiresAt).toBe(v.inputs.expiresAt);
    });

    it('computes the resonance pattern from UTF-16 code units', () => {
      const canonical = v.expected.canonicalData;
      const units = Array.from({ length: RESONANCE_LENGTH }, (_, i) =>
        canonical.charCodeAt(i % canonical.length),
      );
      expect(units).toEqual(v.expected.resonanceCodeUnits);
      const pattern = resonancePattern(canonical, withDefaults(v.inputs.consciousnessState));
      expect(pattern).toHaveLength(RESONANCE_LENGTH);
      expect(pattern).toStrictEqual(v.expected.resonancePattern);
    });

    it('builds the signing input', () => {
      expect(signingInput(signedFields(v))).toBe(v.expected.signingInput);
      expect(JSON.parse(v.expected.signingInput)).toMatchObject({
        v: 1,
        id: v.inputs.id,
        tenantId: v.inputs.tenantId,
      });
    });

    it('derives the tenant key and the kid', () => {
      expect(deriveTenantKey(secret, v.inputs.tenantId).toString('hex')).toBe(v.expected.tenantKeyHex);
      expect(keyIdOf(secret)).toBe(v.expected.kid);
      expect(new KeyRing(v.inputs.secretHex).activeKid).toBe(v.expected.kid);
    });

    it('signs, verifies and derives the authHash', () => {
      const ring = new KeyRing(v.inputs.secretHex);
      expect(ring.sign(v.expected.kid, v.inputs.tenantId, v.expected.signingInput)).toBe(
        v.expected.signature,
      );
      // The signature is plain HMAC-SHA256 under the vector's tenant key.
      expect(
        createHmac('sha256', Buffer.from(v.expected.tenantKeyHex, 'hex'))
          .update(v.expected.signingInput, 'utf8')
          .digest('hex'),
      ).toBe(v.expected.signature);
      expect(
        ring.verify(v.expected.kid, v.inputs.tenantId, v.expected.signingInput, v.expected.signature),
      ).toBe(true);
      expect(authHash(v.inputs.id, v.expected.signature)).toBe(v.expected.authHash);
      expect(v.expected.authHash).toMatch(/^[0-9a-f]{16}$/);
    });

    it('rejects an altered signature, another tenant, an unknown kid and altered input', () => {
      const ring = new KeyRing(v.inputs.secretHex);
      const { kid, signature, signingInput: input } = v.expected;
      const tenant = v.inputs.tenantId;
      for (const index of [0, 31, 63]) {
        expect(ring.verify(kid, tenant, input, alterHexAt(signature, index))).toBe(false);
      }
      expect(ring.verify(kid, `${tenant}-other`, input, signature)).toBe(false);
      const strangerKid = keyIdOf(Buffer.alloc(32, 0xee));
      expect(strangerKid).not.toBe(kid);
      expect(ring.verify(strangerKid, tenant, input, signature)).toBe(false);
      expect(() => ring.sign(strangerKid, tenant, input)).toThrow(RangeError);
      expect(ring.verify(kid, tenant, input.replace('"v":1', '"v":2'), signature)).toBe(false);
      expect(ring.verify(kid, tenant, input, signature.slice(0, 63))).toBe(false);
      expect(ring.verify(kid, tenant, input, '')).toBe(false);
    });
  });

  it('same secret, id, time and data under two tenants: same digest, different keys and signatures', () => {
    const a = vector('two-tenants-a');
    const b = vector('two-tenants-b');
    expect(a.inputs.secretHex).toBe(b.inputs.secretHex);
    expect(a.inputs.data).toEqual(b.inputs.data);
    expect(a.expected.digest).toBe(b.expected.digest);
    expect(a.expected.resonancePattern).toEqual(b.expected.resonancePattern);
    expect(a.expected.kid).toBe(b.expected.kid);
    expect(a.expected.tenantKeyHex).not.toBe(b.expected.tenantKeyHex);
    expect(a.expected.signature).not.toBe(b.expected.signature);

    const ring = new KeyRing(a.inputs.secretHex);
    expect(
      ring.verify(a.expected.kid, b.inputs.tenantId, a.expected.signingInput, a.expected.signature),
    ).toBe(false);
    expect(
      ring.verify(b.expected.kid, a.inputs.tenantId, b.expected.signingInput, b.expected.signature),
    ).toBe(false);
  });

  it('covers clamping at both ends, unicode code units and a wrapped short canonical form', () => {
    const clamp = vector('clamp-both-ends').expected.resonancePattern;
    expect(clamp).toContain(0);
    expect(clamp).toContain(1);
    const unicode = vector('unicode').expected;
    expect(unicode.resonanceCodeUnits.some((u) => u >= 0xd800 && u <= 0xdbff)).toBe(true);
    expect(unicode.resonanceCodeUnits.some((u) => u >= 0xdc00 && u <= 0xdfff)).toBe(true);
    const short = vector('code-units-only').expected;
    expect(short.canonicalDataUtf16Length).toBeLessThan(RESONANCE_LENGTH);
  });
});

describe('KeyRing with previous secrets', () => {
  const secretA = vector('defaults').inputs.secretHex;
  const secretB = vector('metadata-and-partial-state').inputs.secretHex;
  const secretC = vector('unicode').inputs.secretHex;
  const kidA = vector('defaults').expected.kid;
  const kidB = vector('metadata-and-partial-state').expected.kid;
  const kidC = vector('unicode').expected.kid;

  it('reports the active kid and the verify-only kids', () => {
    expect(new Set([kidA, kidB, kidC]).size).toBe(3);
    const ring = new KeyRing(secretB, [secretA, secretC]);
    expect(ring.status()).toEqual({ activeKid: kidB, verifyOnlyKids: [kidA, kidC] });
    expect(ring.activeKid).toBe(kidB);
    expect(ring.has(kidA) && ring.has(kidB) && ring.has(kidC)).toBe(true);
    expect(new KeyRing(secretA).status()).toEqual({ activeKid: kidA, verifyOnlyKids: [] });
  });

  it('does not list the active secret (or a case variant of one) twice', () => {
    const ring = new KeyRing(secretA, [secretA.toUpperCase(), secretC.toLowerCase(), secretC]);
    expect(ring.status()).toEqual({ activeKid: kidA, verifyOnlyKids: [kidC] });
  });

  it('still verifies signatures made with a previous secret', () => {
    const ring = new KeyRing(secretB, [secretA]);
    for (const v of vectors.filter((x) => x.inputs.secretHex === secretA)) {
      expect(
        ring.verify(v.expected.kid, v.inputs.tenantId, v.expected.signingInput, v.expected.signature),
      ).toBe(true);
    }
    const current = vector('expires-at');
    expect(ring.sign(ring.activeKid, current.inputs.tenantId, current.expected.signingInput)).toBe(
      current.expected.signature,
    );
  });

  it('refuses secrets that are not 64 hex characters', () => {
    expect(() => new KeyRing(secretA.slice(1))).toThrow(RangeError);
    expect(() => new KeyRing(secretA, [`${secretA}00`])).toThrow(RangeError);
    expect(() => new KeyRing(`${secretA.slice(0, 62)}zz`)).toThrow(RangeError);
  });
});
