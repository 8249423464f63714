import type { SigilRecord } from '../../sigil-record.js';

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
export function decodeStored<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`Stored value at ${where} is not valid JSON`);
  }
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
