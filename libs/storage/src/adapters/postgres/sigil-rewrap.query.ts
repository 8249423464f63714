import type { EntityManager } from 'typeorm';

import type { Rewrapped, SignatureRef } from '#sigil';
import { encodeText } from './postgres-text.codec.js';
import type { SigilKey } from './sigil-row.query.js';
import { SigilEntity } from './sigil.entity.js';

/**
 * One `UPDATE … WHERE tenant_id AND id AND kid AND signature`: the row lock makes it a compare-and-set,
 * so of concurrent rewraps (any replica) exactly one finds the old signature. True for that one.
 */
export async function rewrapSigil(
  manager: EntityManager,
  key: SigilKey,
  expected: SignatureRef,
  next: Rewrapped,
): Promise<boolean> {
  const result = await manager.update(
    SigilEntity,
    { ...key, kid: encodeText(expected.kid), signature: encodeText(expected.signature) },
    {
      kid: encodeText(next.kid),
      signature: encodeText(next.signature),
      authHash: encodeText(next.authHash),
    },
  );
  return (result.affected ?? 0) > 0;
}
