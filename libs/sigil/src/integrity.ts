import type { SigilRecord } from './domain/index.js';
import { canonicalJson } from './dna/canonical-json.js';
import { dataDigest, RESONANCE_LENGTH } from './dna/dna.js';
import type { KeyRing } from './dna/key-ring.js';
import { authHash, signingInput } from './dna/signing.js';

/** Why a stored record is not what was signed; null means intact. */
export type IntegrityProblem =
  | 'bad_shape'
  | 'unknown_key'
  | 'tenant_mismatch'
  | 'digest_mismatch'
  | 'signature_mismatch'
  | 'auth_hash_mismatch';

// Compiled once: verify checks every record it reads against these.
const KID = /^[0-9a-f]{8}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const AUTH_HASH = /^[0-9a-f]{16}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ID = /^sigil_[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The stored shape, checked field by field (records read back from disk are untrusted input). */
export function hasSigilShape(value: unknown): value is SigilRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const dna = r.dna as Record<string, unknown> | undefined;
  const state = r.consciousnessState as Record<string, unknown> | undefined;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isIsoOrNull = (v: unknown) => v === null || (typeof v === 'string' && ISO.test(v));
  return (
    typeof r.id === 'string' && ID.test(r.id) &&
    typeof r.tenantId === 'string' && r.tenantId !== '' &&
    typeof r.kid === 'string' && KID.test(r.kid) &&
    typeof r.signature === 'string' && SIGNATURE.test(r.signature) &&
    typeof r.authHash === 'string' && AUTH_HASH.test(r.authHash) &&
    isObject(dna) && typeof dna!.digest === 'string' && DIGEST.test(dna!.digest) &&
    Array.isArray(dna!.resonancePattern) && dna!.resonancePattern.length === RESONANCE_LENGTH &&
    dna!.resonancePattern.every((x) => typeof x === 'number' && x >= 0 && x <= 1) &&
    isObject(r.data) &&
    isObject(state) && ['phi', 'coherence', 'awareness'].every((k) => typeof state![k] === 'number') &&
    isObject(r.metadata) &&
    typeof r.createdAt === 'string' && ISO.test(r.createdAt) &&
    typeof r.createdBy === 'string' &&
    isIsoOrNull(r.expiresAt) && isIsoOrNull(r.revokedAt) &&
    r.version === 1
  ); // prettier-ignore
}

/**
 * The one integrity rule (verify's `tampered`, the nightly check, rotation's --verify-only, restores):
 * shape, kid in the ring, tenant, data ↔ digest, HMAC under the tenant key, authHash. The signature
 * is checked against the tenant the record is read from, so a copy planted in another tenant fails.
 */
export function checkIntegrity(record: unknown, tenantId: string, keys: KeyRing): IntegrityProblem | null {
  if (!hasSigilShape(record)) return 'bad_shape';
  if (!keys.has(record.kid)) return 'unknown_key';
  if (record.tenantId !== tenantId) return 'tenant_mismatch';
  try {
    if (dataDigest(canonicalJson(record.data)) !== record.dna.digest) return 'digest_mismatch';
    if (!keys.verify(record.kid, tenantId, signingInput(record), record.signature))
      return 'signature_mismatch';
  } catch {
    // Data canonical JSON cannot take (e.g. a lone surrogate written by hand) is tampering, not a crash.
    return 'digest_mismatch';
  }
  if (authHash(record.id, record.signature) !== record.authHash) return 'auth_hash_mismatch';
  return null;
}
