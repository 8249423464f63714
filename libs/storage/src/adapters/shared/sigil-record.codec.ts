import { CorruptRecordError, type PatternEntry, type SigilRecord } from '#sigil';

/**
 * Records are stored as JSON text by every embedded adapter: what comes back is exactly what
 * `JSON.stringify` kept, the same for LevelDB and memory, and callers never share an object
 * with the store.
 */
export function encodeRecord(record: SigilRecord): string {
  return JSON.stringify(record);
}

/**
 * Parses a stored value. The error names where the value came from, never its content: a
 * SyntaxError from JSON.parse quotes the text, which would put sigil data into logs.
 */
export function decodeStored<T>(text: string, where: string, id?: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CorruptRecordError(where, id);
  }
}

/** What patterns() yields for a stored record, and what match ranks it by, decoded from its text. */
export function decodePatternEntry(id: string, text: string, where: string): PatternEntry {
  const record = decodeStored<SigilRecord>(text, where);
  return { id, resonancePattern: record.dna.resonancePattern, revoked: record.revokedAt !== null };
}

/** A sigil stored under one tenant must claim that tenant; anything else is a caller bug. */
export function assertRecordFor(tenantId: string, record: SigilRecord): void {
  if (record.tenantId !== tenantId) {
    throw new TypeError('sigil.tenantId does not match the tenant it is stored under');
  }
  if (typeof record.id !== 'string' || record.id.length === 0) {
    throw new TypeError('sigil.id is required');
  }
}

/**
 * Whether a stored record and a record being restored are the same JSON value: compared after the
 * round trip storage applies (undefined members dropped, -0 written as 0) and with object keys in
 * any order, since a copy read back from another store (Postgres jsonb sorts keys) is still the
 * same record.
 */
export function sameRecord(stored: SigilRecord, record: SigilRecord): boolean {
  return jsonEqual(JSON.parse(JSON.stringify(stored)), JSON.parse(encodeRecord(record)));
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  return ka.every((key) => Object.hasOwn(ob, key) && jsonEqual((a as Record<string, unknown>)[key], ob[key]));
}
