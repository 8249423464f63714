import { describe, expect, it } from 'vitest';
import { KeyRing, keyIdOf } from './key-ring.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));

describe('KeyRing.reload', () => {
  it('swaps the secrets in place: new signatures use the new key, old ones verify while A is previous', () => {
    const ring = new KeyRing(A);
    const old = ring.sign(ring.activeKid, 'acme', 'payload');
    const status = ring.reload(B, [A]);
    expect(status).toEqual({ activeKid: kid(B), verifyOnlyKids: [kid(A)] });
    expect(ring.activeKid).toBe(kid(B));
    expect(ring.verify(kid(A), 'acme', 'payload', old)).toBe(true);
    expect(ring.verify(kid(B), 'acme', 'payload', ring.sign(kid(B), 'acme', 'payload'))).toBe(true);
    ring.reload(B);
    expect(ring.has(kid(A))).toBe(false);
    expect(ring.verify(kid(A), 'acme', 'payload', old)).toBe(false);
  });

  it('keeps the old ring when the new secrets are invalid', () => {
    const ring = new KeyRing(A);
    expect(() => ring.reload('not-hex', [A])).toThrow(RangeError);
    expect(() => ring.reload(B, ['short'])).toThrow(RangeError);
    expect(ring.activeKid).toBe(kid(A));
    expect(ring.status()).toEqual({ activeKid: kid(A), verifyOnlyKids: [] });
  });
});
