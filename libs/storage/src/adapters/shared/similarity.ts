import type { MatchHit, MatchQuery, PatternEntry } from '../../sigil.repository.js';

/**
 * The one definition of match similarity every adapter must reproduce: cosine similarity
 * dot(a, b) / (|a|·|b|) (0 when either vector is all zeros), rounded to 6 decimals; hits below the
 * threshold, revoked sigils and `excludeId` are left out; order is similarity desc, then id desc.
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
  if (na === 0 || nb === 0) return 0;
  return round6(dot / Math.sqrt(na * nb));
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
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
