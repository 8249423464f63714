/**
 * The legacy JSON sigil format and what `sigil import-json` makes of it: one JSON file per sigil.
 *
 * Accepted file shape (`*.json` directly in the folder, UTF-8; anything else is a per-file error):
 *   {
 *     "id":        string, 1–200 chars            the legacy id (kept as the tag `legacy:<id>`, cut to 50 chars)
 *     "timestamp": ISO-8601 time with a zone ("2024-01-02T03:04:05Z", "…+02:00") or epoch milliseconds (integer)
 *     "data":      a JSON object with at least one key (≤ SIGIL_MAX_DATA_BYTES canonical)
 *     "consciousnessState"?: { phi: 0–10, coherence: 0–1, awareness: 0–1, resonance?: 0–1 }
 *     "signature"?: string   legacy signature: ignored, the sigil is re-signed under the active key
 *     "tenantId"?:  string   [A-Za-z0-9._-]{1,64}; else DEFAULT_TENANT
 *   }
 * Any other member makes the file invalid (nothing is silently dropped).
 *
 * Each valid file becomes a sigil minted by the service's own rule (mintSigil): createdAt = the
 * timestamp normalized to ISO ms, createdBy `legacy-import`, metadata
 * `{source: 'legacy-json', tags: ['legacy', 'legacy:<id>']}`, expiresAt null. Its id is deterministic,
 * so a re-run is idempotent: `sigil_` + a ULID whose 48-bit time part is the legacy timestamp and whose
 * 80-bit random part is the first 80 bits of SHA-256("sigil-dna/legacy-json\0" + tenantId + "\0" +
 * legacyId), both in Crockford base32. Records are written with `restore` (inserted / unchanged /
 * conflict); an invalid file writes nothing and does not stop the others. Exit 1 when any file was
 * invalid or conflicted.
 */
import { createHash } from 'node:crypto';
import { TENANT_ID_PATTERN } from '#config';
import {
  canonicalJson,
  checkIntegrity,
  mintSigil,
  type ConsciousnessState,
  type KeyRing,
  type SigilRecord,
} from '#sigil';
import { describeError } from '../support/exit.js';

const LEGACY_CREATED_BY = 'legacy-import';
const LEGACY_SOURCE = 'legacy-json';
const ID_SALT = 'sigil-dna/legacy-json';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_ULID_TIME = 2 ** 48 - 1;
const ALLOWED = new Set(['id', 'timestamp', 'data', 'consciousnessState', 'signature', 'tenantId']);
const STATE_RANGES: Record<string, number> = { phi: 10, coherence: 1, awareness: 1, resonance: 1 };
/** ISO-8601 date-time with an explicit zone: a zone-less time would depend on the machine's TZ. */
const ISO_WITH_ZONE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/** A validated legacy file, ready to mint. */
export interface LegacySigil {
  legacyId: string;
  tenantId: string;
  createdAtMs: number;
  data: Record<string, unknown>;
  consciousnessState?: ConsciousnessState;
}

function base32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** The deterministic sigil id of a legacy sigil (see the comment at the top of this file). */
export function legacySigilId(tenantId: string, legacyId: string, timeMs: number): string {
  const hash = createHash('sha256').update(`${ID_SALT}\0${tenantId}\0${legacyId}`, 'utf8').digest();
  const random = BigInt(`0x${hash.subarray(0, 10).toString('hex')}`);
  return `sigil_${base32(BigInt(timeMs), 10)}${base32(random, 16)}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one parsed file; returns the sigil or every problem found (never a partial result). */
export function parseLegacy(
  value: unknown,
  defaultTenant: string,
  maxDataBytes: number,
): { ok: true; sigil: LegacySigil } | { ok: false; errors: string[]; legacyId: string | null } {
  if (!isPlainObject(value)) return { ok: false, errors: ['not a JSON object'], legacyId: null };
  const errors: string[] = [];
  for (const key of Object.keys(value)) if (!ALLOWED.has(key)) errors.push(`unknown field "${key}"`);

  const { id, timestamp, data, consciousnessState, signature, tenantId } = value;
  const legacyId = typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
  if (legacyId === null) errors.push('id: must be a string of 1–200 characters');

  let createdAtMs = Number.NaN;
  if (typeof timestamp === 'number') {
    if (Number.isInteger(timestamp)) createdAtMs = timestamp;
  } else if (typeof timestamp === 'string' && ISO_WITH_ZONE.test(timestamp)) {
    createdAtMs = Date.parse(timestamp);
  }
  if (!(createdAtMs >= 0 && createdAtMs <= MAX_ULID_TIME)) {
    errors.push('timestamp: must be an ISO-8601 time with a zone or integer epoch milliseconds (≥ 1970)');
  }

  if (!isPlainObject(data) || Object.keys(data).length === 0) {
    errors.push('data: required, a JSON object with at least one key');
  } else {
    try {
      const size = Buffer.byteLength(canonicalJson(data), 'utf8');
      if (size > maxDataBytes)
        errors.push(`data: canonical JSON is ${size} bytes, over the ${maxDataBytes} limit`);
    } catch (error) {
      errors.push(`data: ${describeError(error)}`);
    }
  }

  let state: ConsciousnessState | undefined;
  if (consciousnessState !== undefined) {
    if (!isPlainObject(consciousnessState)) {
      errors.push('consciousnessState: must be an object {phi, coherence, awareness, resonance?}');
    } else {
      for (const key of Object.keys(consciousnessState)) {
        if (!(key in STATE_RANGES)) errors.push(`consciousnessState: unknown field "${key}"`);
      }
      for (const [key, max] of Object.entries(STATE_RANGES)) {
        const v = consciousnessState[key];
        if (v === undefined && key === 'resonance') continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
          errors.push(
            `consciousnessState.${key}: ${key === 'resonance' ? 'if given, ' : 'required, '}a number in [0, ${max}]`,
          );
        }
      }
      state = consciousnessState as unknown as ConsciousnessState;
    }
  }
  if (signature !== undefined && typeof signature !== 'string') errors.push('signature: must be a string');
  if (tenantId !== undefined && (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId))) {
    errors.push('tenantId: must match [A-Za-z0-9._-]{1,64}');
  }

  if (errors.length > 0) return { ok: false, errors, legacyId };
  return {
    ok: true,
    sigil: {
      legacyId: legacyId!,
      tenantId: (tenantId as string | undefined) ?? defaultTenant,
      createdAtMs,
      data: data as Record<string, unknown>,
      ...(state ? { consciousnessState: state } : {}),
    },
  };
}

/** The record a legacy sigil becomes: the service's minting rule with import-fixed id, time and author. */
export function mintLegacy(legacy: LegacySigil, keys: KeyRing): SigilRecord {
  return mintSigil(
    {
      id: legacySigilId(legacy.tenantId, legacy.legacyId, legacy.createdAtMs),
      tenantId: legacy.tenantId,
      createdAt: new Date(legacy.createdAtMs).toISOString(),
      createdBy: LEGACY_CREATED_BY,
      data: legacy.data,
      consciousnessState: legacy.consciousnessState,
      metadata: { source: LEGACY_SOURCE, tags: ['legacy', `legacy:${legacy.legacyId}`.slice(0, 50)] },
      expiresAt: null,
    },
    keys,
  );
}

/**
 * What a stored record with this id means for the import. Identical → unchanged. The same minted
 * sigil that was later revoked (e.g. by cleanup-duplicates) or re-signed by a secret rotation — every
 * minted field equal and the record intact under the ring — is also unchanged; anything else conflicts.
 */
export function judgeExisting(
  existing: SigilRecord,
  minted: SigilRecord,
  keys: KeyRing,
): 'unchanged' | 'conflict' {
  const mintedPart = (r: SigilRecord) => {
    const {
      kid: _k,
      signature: _s,
      authHash: _a,
      revokedAt: _ra,
      revokedBy: _rb,
      revocationReason: _rr,
      ...rest
    } = r;
    return canonicalJson(rest);
  };
  if (canonicalJson(existing) === canonicalJson(minted)) return 'unchanged';
  return mintedPart(existing) === mintedPart(minted) &&
    checkIntegrity(existing, existing.tenantId, keys) === null
    ? 'unchanged'
    : 'conflict';
}
