/**
 * The legacy JSON sigil files and what `sigil import-json` makes of them: one JSON object per file
 * (`*.json` directly in the folder, UTF-8). The old system wrote three kinds, and every one imports:
 *
 *   1. its HTTP endpoint: `{...body, id: "sigil-<epoch ms>", timestamp: "<ISO-8601>"}`;
 *   2. its identity subsystem: `{id: <uuid>, timestamp: <epoch ms>, quantumSignature, geometricPattern,
 *      colorSpectrum, temporalSeal, consciousnessHash, resonanceFrequency}` (beside an `.svg` sibling);
 *   3. the explicit shape `{id, timestamp, data: {…}, consciousnessState?, signature?, tenantId?}`.
 *
 * Which rule applies (`shape` in the report):
 *   - `data`: every member is one of id, timestamp, data, consciousnessState, signature, tenantId, and
 *     `data` is a JSON object (shape 3). data = the file's `data` (`{}` included); consciousnessState,
 *     if present, must be valid (below) and becomes the sigil's state; signature, if present, must be
 *     a string and is ignored (made with the old single secret over non-canonical JSON: never trusted).
 *   - `members`: any other object (shapes 1 and 2, or shape 3 with an extra member such as `version`).
 *     data = every member except the identity fields id, timestamp and tenantId, verbatim, so nothing
 *     of the old record is lost (a `data`, `signature` or `consciousnessState` member stays in data
 *     under its own name). The sigil's state is taken from a `consciousnessState` member only if it is
 *     a valid one, else the defaults. A file with nothing but identity fields imports with data `{}`.
 * In both: data ≤ SIGIL_MAX_DATA_BYTES as canonical JSON.
 *
 * Identity fields:
 *   id         string, 1–200 chars: the legacy id. Missing: the file name without `.json` is the legacy id.
 *   timestamp  ISO-8601 date-time with a zone ("2024-01-02T03:04:05Z", "…+02:00"), ISO-8601 without a zone
 *              (read as UTC), or epoch milliseconds (an integer, or a string of digits); ≥ 1970. Required.
 *   tenantId   [A-Za-z0-9._-]{1,64}; else DEFAULT_TENANT.
 * A valid consciousnessState is `{phi: 0–10, coherence: 0–1, awareness: 0–1, resonance?: 0–1}`, nothing else.
 *
 * Each good file becomes a sigil minted by the service's own rule (mintSigil): createdAt = the
 * timestamp normalized to ISO ms, createdBy `legacy-import`, metadata
 * `{source: 'legacy-json', tags: ['legacy', 'legacy:<full legacy id>']}` (so `?tag=legacy:<id>` and
 * `?legacyId=<id>` find it), expiresAt null. Its id is deterministic, so a re-run is idempotent:
 * `sigil_` + a ULID whose 48-bit time part is the legacy timestamp and whose 80-bit random part is the
 * first 80 bits of SHA-256("sigil-dna/legacy-json\0" + tenantId + "\0" + legacyId), both in Crockford
 * base32. Records are written with `restore` (inserted / unchanged / conflict); a bad file writes
 * nothing and does not stop the others.
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
  LEGACY_ID_TAG_PREFIX,
} from '#sigil';
import { describeError } from '../support/exit.js';

const LEGACY_CREATED_BY = 'legacy-import';
const LEGACY_SOURCE = 'legacy-json';
const ID_SALT = 'sigil-dna/legacy-json';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_ULID_TIME = 2 ** 48 - 1;
const MAX_LEGACY_ID = 200;
/** Tags were cut to this length before the full legacy id was kept (see judgeExisting). */
const OLD_TAG_LIMIT = 50;
/** The members of the explicit shape (3). */
const DATA_SHAPE_MEMBERS = new Set([
  'id',
  'timestamp',
  'data',
  'consciousnessState',
  'signature',
  'tenantId',
]);
/** What never goes into data under the `members` rule: it says which sigil this is, not what it holds. */
const IDENTITY_MEMBERS = new Set(['id', 'timestamp', 'tenantId']);
const STATE_RANGES: Record<string, number> = { phi: 10, coherence: 1, awareness: 1, resonance: 1 };
const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/;
const EPOCH_DIGITS = /^\d{1,15}$/;
const TIMESTAMP_RULE =
  'an ISO-8601 date-time (with a zone, or without one: read as UTC) or epoch milliseconds (an integer or a string of digits), from 1970 on';

/** Which rule made the sigil's data (see the comment at the top of this file). */
export type LegacyShape = 'data' | 'members';

/** A checked legacy file, ready to mint. */
export interface LegacySigil {
  legacyId: string;
  tenantId: string;
  createdAtMs: number;
  data: Record<string, unknown>;
  consciousnessState?: ConsciousnessState;
}

export type ParsedLegacy =
  | { ok: true; shape: LegacyShape; sigil: LegacySigil }
  | {
      ok: false;
      shape: LegacyShape | null;
      errors: string[];
      legacyId: string | null;
      tenantId: string | null;
    };

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

/** The legacy id a file names when it has no `id` member: its name without `.json`. */
export function legacyIdOfFileName(fileName: string): string {
  return fileName.replace(/\.json$/i, '');
}

/**
 * Epoch milliseconds of a legacy timestamp, or null. Checked against the calendar too: Date.parse
 * would read 2024-02-30 as 1 March.
 */
export function parseLegacyTime(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string' && EPOCH_DIGITS.test(value)) {
    ms = Number(value);
  } else if (typeof value === 'string') {
    const m = ISO_TIME.exec(value);
    if (!m) return null;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
      return null;
    if (hour > 23 || minute > 59 || second > 59) return null;
    if (m[8] !== undefined && m[8] !== 'Z' && (Number(m[8].slice(1, 3)) > 23 || Number(m[8].slice(4)) > 59))
      return null;
    ms = Date.parse(m[8] === undefined ? `${value}Z` : value);
  } else {
    return null;
  }
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_ULID_TIME ? ms : null;
}

/** What is wrong with a consciousnessState (nothing: it is a valid one). */
function stateProblems(state: unknown): string[] {
  if (!isPlainObject(state))
    return ['consciousnessState: must be an object {phi, coherence, awareness, resonance?}'];
  const problems: string[] = [];
  for (const key of Object.keys(state)) {
    if (!(key in STATE_RANGES)) problems.push(`consciousnessState: unknown field "${key}"`);
  }
  for (const [key, max] of Object.entries(STATE_RANGES)) {
    const v = state[key];
    if (v === undefined && key === 'resonance') continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
      problems.push(
        `consciousnessState.${key}: ${key === 'resonance' ? 'if given, ' : 'required, '}a number in [0, ${max}]`,
      );
    }
  }
  return problems;
}

function toState(state: Record<string, unknown>): ConsciousnessState {
  const { phi, coherence, awareness, resonance } = state as unknown as ConsciousnessState;
  return { phi, coherence, awareness, ...(resonance === undefined ? {} : { resonance }) };
}

/** Which rule applies to a parsed file object (see the comment at the top of this file). */
export function legacyShapeOf(value: Record<string, unknown>): LegacyShape {
  return Object.keys(value).every((key) => DATA_SHAPE_MEMBERS.has(key)) && isPlainObject(value.data)
    ? 'data'
    : 'members';
}

/**
 * Checks one parsed file (`fileName` names the legacy id when the file has no `id`); returns the
 * sigil or every problem found, never a partial result.
 */
export function parseLegacy(
  value: unknown,
  fileName: string,
  defaultTenant: string,
  maxDataBytes: number,
): ParsedLegacy {
  if (!isPlainObject(value)) {
    return { ok: false, shape: null, errors: ['not a JSON object'], legacyId: null, tenantId: null };
  }
  const errors: string[] = [];
  const shape = legacyShapeOf(value);
  const { id, timestamp, tenantId } = value;

  const legacyId = id === undefined ? legacyIdOfFileName(fileName) : id;
  const validId = typeof legacyId === 'string' && legacyId.length > 0 && legacyId.length <= MAX_LEGACY_ID;
  if (!validId) {
    errors.push(
      id === undefined
        ? `id: missing, and the file name without .json is not 1–${MAX_LEGACY_ID} characters`
        : `id: must be a string of 1–${MAX_LEGACY_ID} characters`,
    );
  }

  const createdAtMs = parseLegacyTime(timestamp);
  if (createdAtMs === null) {
    errors.push(timestamp === undefined ? 'timestamp: missing' : `timestamp: must be ${TIMESTAMP_RULE}`);
  }

  const validTenant =
    tenantId === undefined || (typeof tenantId === 'string' && TENANT_ID_PATTERN.test(tenantId));
  if (!validTenant) errors.push('tenantId: must match [A-Za-z0-9._-]{1,64}');

  let data: Record<string, unknown>;
  let state: ConsciousnessState | undefined;
  if (shape === 'data') {
    data = value.data as Record<string, unknown>;
    if (value.consciousnessState !== undefined) {
      const problems = stateProblems(value.consciousnessState);
      errors.push(...problems);
      if (problems.length === 0) state = toState(value.consciousnessState as Record<string, unknown>);
    }
    if (value.signature !== undefined && typeof value.signature !== 'string') {
      errors.push('signature: must be a string');
    }
  } else {
    // fromEntries defines own properties, so even a `__proto__` member stays data.
    data = Object.fromEntries(Object.entries(value).filter(([key]) => !IDENTITY_MEMBERS.has(key)));
    const given = value.consciousnessState;
    if (given !== undefined && stateProblems(given).length === 0) {
      state = toState(given as Record<string, unknown>);
    }
  }
  try {
    const size = Buffer.byteLength(canonicalJson(data), 'utf8');
    if (size > maxDataBytes)
      errors.push(`data: canonical JSON is ${size} bytes, over the ${maxDataBytes} limit`);
  } catch (error) {
    errors.push(`data: ${describeError(error)}`);
  }

  const tenant = validTenant ? (tenantId ?? defaultTenant) : null;
  if (errors.length > 0 || !validId || createdAtMs === null || tenant === null) {
    return { ok: false, shape, errors, legacyId: validId ? legacyId : null, tenantId: tenant };
  }
  return {
    ok: true,
    shape,
    sigil: {
      legacyId,
      tenantId: tenant,
      createdAtMs,
      data,
      ...(state ? { consciousnessState: state } : {}),
    },
  };
}

/** `legacy:<id>` is what the API's `?legacyId=` filter looks for: one prefix, defined by the service. */
function legacyTags(legacyId: string): string[] {
  return ['legacy', `${LEGACY_ID_TAG_PREFIX}${legacyId}`];
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
      metadata: { source: LEGACY_SOURCE, tags: legacyTags(legacy.legacyId) },
      expiresAt: null,
    },
    keys,
  );
}

/**
 * What a stored record with this id means for the import. Identical → unchanged. The same minted
 * sigil that was later revoked (e.g. by cleanup-duplicates) or re-signed by a secret rotation — every
 * minted field equal and the record intact under the ring — is also unchanged, and so is one an
 * earlier version of this importer minted with its `legacy:<id>` tag cut to 50 characters (it stays
 * as it is: only its cut tag finds it). Anything else conflicts.
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
  const tags = minted.metadata.tags ?? [];
  const cutTags = tags.map((tag) => tag.slice(0, OLD_TAG_LIMIT));
  const candidates = [minted];
  if (cutTags.some((tag, i) => tag !== tags[i])) {
    candidates.push({ ...minted, metadata: { ...minted.metadata, tags: cutTags } });
  }
  const existingPart = mintedPart(existing);
  return candidates.some((c) => mintedPart(c) === existingPart) &&
    checkIntegrity(existing, existing.tenantId, keys) === null
    ? 'unchanged'
    : 'conflict';
}
