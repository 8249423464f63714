import { hash } from 'node:crypto';
import type { SigilRecord } from '../domain/index.js';
import { canonicalJson } from './canonical-json.js';

/** The fields a signature covers (SPEC §5). Revocation fields are deliberately outside it: they change. */
export type SignedFields = Pick<
  SigilRecord,
  'id' | 'tenantId' | 'consciousnessState' | 'metadata' | 'createdAt' | 'expiresAt'
> & { dna: Pick<SigilRecord['dna'], 'digest' | 'resonancePattern'> };

/** The exact bytes that are HMACed: canonical JSON of {v:1, id, tenantId, digest, resonancePattern, …}. */
export function signingInput(s: SignedFields): string {
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

/** First 16 hex chars of SHA-256(id + signature): a short handle that commits to both. */
export function authHash(id: string, signature: string): string {
  return hash('sha256', id + signature, 'hex').slice(0, 16);
}
