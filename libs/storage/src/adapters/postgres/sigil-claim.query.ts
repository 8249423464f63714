import type { EntityManager } from 'typeorm';

import type { IdempotencyClaim } from '#sigil';
import { encodeText } from './postgres-text.codec.js';
import { SigilIdempotencyEntity } from './sigil-idempotency.entity.js';
import type { SigilKey } from './sigil-row.query.js';

/**
 * Takes the claim for `sigil`, or takes over an expired one. The primary key arbitrates: a concurrent
 * create with the same key (any connection, any replica) waits on the row until the first commits,
 * then sees it and updates nothing. False: someone else holds a live claim; nothing was written.
 */
export async function takeClaim(
  manager: EntityManager,
  sigil: SigilKey,
  claim: IdempotencyClaim,
  now: number,
): Promise<boolean> {
  const expiresAt = Date.parse(claim.expiresAt);
  const won: unknown[] = await manager.query(
    `INSERT INTO sigil_idempotency AS held (tenant_id, principal, idempotency_key, sigil_id, fingerprint, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, principal, idempotency_key) DO UPDATE
       SET sigil_id = EXCLUDED.sigil_id, fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at
       WHERE held.expires_at <= $7
     RETURNING 1`,
    [
      sigil.tenantId,
      encodeText(claim.principal),
      encodeText(claim.key),
      sigil.id,
      encodeText(claim.fingerprint),
      // judgeClaim treats an unparseable expiry as already expired; the epoch means the same here.
      new Date(Number.isNaN(expiresAt) ? 0 : expiresAt),
      new Date(now),
    ],
  );
  return won.length > 0;
}

/** The claim row for (tenant, principal, key), live or expired. */
export function findClaim(
  manager: EntityManager,
  tenantId: string,
  claim: IdempotencyClaim,
): Promise<SigilIdempotencyEntity | null> {
  return manager.findOneBy(SigilIdempotencyEntity, {
    tenantId,
    principal: encodeText(claim.principal),
    key: encodeText(claim.key),
  });
}
