import type { Rewrapped, SigilRecord, SignatureRef } from '#sigil';

/** Caller bugs (a missing id, a non-string kid) fail loudly instead of matching or writing nonsense. */
export function assertRewrapArgs(id: string, expected: SignatureRef, next: Rewrapped): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('sigil id is required');
  for (const [name, value] of [
    ['expected.kid', expected?.kid],
    ['expected.signature', expected?.signature],
    ['next.kid', next?.kid],
    ['next.signature', next?.signature],
    ['next.authHash', next?.authHash],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0)
      throw new TypeError(`${name} must be a non-empty string`);
  }
}

/** Whether the stored record still carries the signature the caller read. */
export function carries(record: SigilRecord, expected: SignatureRef): boolean {
  return record.kid === expected.kid && record.signature === expected.signature;
}

/**
 * The record with only kid, signature and authHash replaced. Spread keeps every key where it was,
 * so the stored JSON differs from the old one in those three values and nowhere else.
 */
export function withSignature(record: SigilRecord, next: Rewrapped): SigilRecord {
  return { ...record, kid: next.kid, signature: next.signature, authHash: next.authHash };
}
