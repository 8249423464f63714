import type { IdempotencyClaim } from '#sigil';

/** What an adapter stores per (tenant, principal, key). */
export interface StoredClaim {
  sigilId: string;
  fingerprint: string;
  expiresAt: string;
}

export type ClaimVerdict = 'unclaimed' | 'replay' | 'conflict';

/**
 * Decides what a create with `claim` does given what is stored. A claim stops counting once it has
 * expired or once its sigil is gone (deleted), so an erased sigil's key can mint a new one.
 * An unparseable `expiresAt` counts as expired rather than blocking the key forever.
 */
export function judgeClaim(
  stored: StoredClaim | undefined,
  claim: IdempotencyClaim,
  sigilExists: boolean,
  now: number = Date.now(),
): ClaimVerdict {
  if (stored === undefined || !sigilExists) return 'unclaimed';
  const expiresAt = Date.parse(stored.expiresAt);
  if (!(expiresAt > now)) return 'unclaimed';
  return stored.fingerprint === claim.fingerprint ? 'replay' : 'conflict';
}

export function toStoredClaim(claim: IdempotencyClaim, sigilId: string): StoredClaim {
  return { sigilId, fingerprint: claim.fingerprint, expiresAt: claim.expiresAt };
}
