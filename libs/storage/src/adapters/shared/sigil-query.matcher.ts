import type { ListQuery, SigilRecord } from '#sigil';

/**
 * The full filter of a list query. Adapters that drive a listing from an index still apply all of
 * it, so an index entry that disagrees with its record (a stored record edited by hand) can never
 * leak a non-matching sigil into a page.
 */
export function matchesListQuery(record: SigilRecord, query: ListQuery): boolean {
  if (query.tag !== undefined && !(record.metadata.tags ?? []).includes(query.tag)) return false;
  if (query.source !== undefined && record.metadata.source !== query.source) return false;
  if (query.revoked !== undefined && (record.revokedAt !== null) !== query.revoked) return false;
  return true;
}

/** Tags as index entries: a tag listed twice is still one entry. */
export function distinctTags(record: SigilRecord): string[] {
  return [...new Set(record.metadata.tags ?? [])];
}

/** The caller validates limits; this only stops a bad one from turning into an unbounded scan. */
export function assertListLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`list limit must be a positive integer, got ${String(limit)}`);
  }
}
