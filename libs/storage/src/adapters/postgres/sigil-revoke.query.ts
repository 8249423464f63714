import { type EntityManager, IsNull } from 'typeorm';

import type { Revocation } from '#sigil';
import { encodeText } from './postgres-text.codec.js';
import type { SigilKey } from './sigil-row.query.js';
import { SigilEntity } from './sigil.entity.js';

/**
 * `UPDATE … WHERE revoked_at IS NULL`: the first revocation wins. Concurrent revokes (any replica)
 * queue on the row lock, then find the row revoked and change nothing.
 */
export async function revokeSigil(
  manager: EntityManager,
  key: SigilKey,
  revocation: Revocation,
): Promise<void> {
  await manager.update(
    SigilEntity,
    { ...key, revokedAt: IsNull() },
    {
      revokedAt: encodeText(revocation.revokedAt),
      revokedBy: encodeText(revocation.revokedBy),
      revocationReason: revocation.reason === null ? null : encodeText(revocation.reason),
    },
  );
}
