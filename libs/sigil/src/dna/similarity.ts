import type { MatchHit, MatchQuery, PatternEntry } from '../domain/sigil.repository.js';
import { RESONANCE_LENGTH, round6 } from './dna.js';

/**
 * The one definition of match similarity every adapter must reproduce: cosine similarity
 * dot(a, b) / (|a|·|b|) (0 when either vector is all zeros), rounded to 6 decimals; hits below the
 * threshold, revoked sigils and `excludeId` are left out; order is similarity desc, then id desc.
 *
 * Adapters that compute it elsewhere (an in-process index) accumulate the three sums in the same
 * index order and finish with `cosineOf`, so every result is bit-identical, not merely close: a
 * difference in the last bit could move a hit across the threshold or a rounding boundary.
 */
export function similarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return cosineOf(dot, na, nb);
}

/** The last step of `similarity`, from the dot product and the two squared norms. */
export function cosineOf(dot: number, na: number, nb: number): number {
  if (na === 0 || nb === 0) return 0;
  return round6(dot / Math.sqrt(na * nb));
}

export function compareHits(a: MatchHit, b: MatchHit): number {
  return b.similarity - a.similarity || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Reference implementation (and the memory adapter's): a full scan. */
export function rankMatches(entries: Iterable<PatternEntry>, query: MatchQuery): MatchHit[] {
  const hits: MatchHit[] = [];
  for (const entry of entries) {
    if (entry.revoked || entry.id === query.excludeId) continue;
    const s = similarity(query.pattern, entry.resonancePattern);
    if (s >= query.threshold) hits.push({ id: entry.id, similarity: s });
  }
  return hits.sort(compareHits).slice(0, query.topN);
}

/**
 * The caller (the match DTO) validates queries; this only stops a malformed one from meaning
 * something different per adapter: a short pattern, a NaN threshold or a topN of 0 would each be
 * answered differently by a scan, an index and SQL.
 */
export function assertMatchQuery(query: MatchQuery): void {
  const { pattern, threshold, topN } = query;
  if (!Array.isArray(pattern) || pattern.length !== RESONANCE_LENGTH) {
    throw new RangeError(`match pattern must have ${RESONANCE_LENGTH} numbers`);
  }
  if (!pattern.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new RangeError('match pattern must contain finite numbers only');
  }
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new RangeError('match threshold must be a number');
  }
  if (!Number.isInteger(topN) || topN < 1) {
    throw new RangeError(`match topN must be a positive integer, got ${String(topN)}`);
  }
}
