import type { Revocation, SigilRecord } from '#sigil';

/**
 * The record with only its revocation fields set. Spread keeps every other key where it was, so the
 * stored JSON of a revoked sigil differs from the original in those three values and nowhere else.
 */
export function withRevocation(record: SigilRecord, revocation: Revocation): SigilRecord {
  return {
    ...record,
    revokedAt: revocation.revokedAt,
    revokedBy: revocation.revokedBy,
    revocationReason: revocation.reason,
  };
}
