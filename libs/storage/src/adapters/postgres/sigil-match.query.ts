import type { EntityManager } from 'typeorm';

import { type MatchHit, type MatchQuery, RESONANCE_LENGTH } from '#sigil';

export interface SqlQuery {
  sql: string;
  parameters: unknown[];
}

/**
 * Query components and squared norms outside these bounds could make Postgres raise an overflow or
 * underflow error where JavaScript quietly produces Infinity or 0; such queries (never a real
 * resonance pattern: 16 numbers in [0, 1] with 6 decimals) are ranked in JavaScript instead. Stored
 * patterns are taken to be real ones (the service writes them).
 */
const SAFE_MAX = 1e100;
const SAFE_MIN = 1e-100;

function safeForSql(x: number): boolean {
  const magnitude = Math.abs(x);
  return magnitude === 0 || (magnitude >= SAFE_MIN && magnitude <= SAFE_MAX);
}

/** The query's own squared norm, summed in index order as `similarity` sums it. */
export function squaredNorm(pattern: readonly number[]): number {
  let na = 0;
  for (let i = 0; i < pattern.length; i++) na += pattern[i] * pattern[i];
  return na;
}

export function matchRunsInSql(query: MatchQuery): boolean {
  return query.pattern.every(safeForSql) && safeForSql(squaredNorm(query.pattern));
}

/**
 * `rankMatches` as one SQL statement, bit for bit. Postgres float8 arithmetic is IEEE double
 * arithmetic like JavaScript's, so the same operations in the same order give the same bits:
 *
 * - dot = ((0 + q0·rp0) + q1·rp1) + … + q15·rp15, left to right as `similarity` accumulates it;
 *   |q|² is computed here, |p|² was accumulated the same way at write time (rp_sumsq);
 * - cosine = dot / sqrt(|q|² · |p|²), and 0 when either norm is 0 (the ELSE never runs then);
 * - round6 = Math.round(cosine · 1e6) / 1e6, where Math.round rounds halves up: floor, plus one when
 *   the fraction is at least .5 (Postgres' round() would round halves to even);
 * - threshold, revoked, excludeId, ORDER BY similarity DESC, id DESC (the C collation compares like
 *   JavaScript), LIMIT topN.
 *
 * `OFFSET 0` keeps the planner from inlining the inner query: inlined, the 16-term dot product would
 * be evaluated once per reference to `y` (six times a row) instead of once. The inner query reads only
 * columns of sigils_match_idx, so it is an index-only scan over one tenant's unrevoked sigils.
 */
export function matchQuery(tenantId: string, query: MatchQuery): SqlQuery {
  const parameters: unknown[] = [];
  const param = (value: unknown, type = ''): string => {
    parameters.push(value);
    return `$${parameters.length}${type}`;
  };
  const tenant = param(tenantId);
  const na = squaredNorm(query.pattern);
  let cosine: string;
  if (na === 0) {
    // A zero query vector makes every similarity 0, even against a pattern whose norm is NaN.
    cosine = '0::float8';
  } else {
    const terms = query.pattern.slice(0, RESONANCE_LENGTH).map((q, i) => `${param(q, '::float8')} * rp${i}`);
    cosine =
      `CASE WHEN rp_sumsq = 0 THEN 0::float8 ` +
      `ELSE (0::float8 + ${terms.join(' + ')}) / sqrt(${param(na, '::float8')} * rp_sumsq) END`;
  }
  const exclude = query.excludeId === undefined ? '' : ` AND id <> ${param(query.excludeId)}`;
  const threshold = param(query.threshold, '::float8');
  const limit = param(Math.min(query.topN, Number.MAX_SAFE_INTEGER), '::bigint');
  const sql =
    `SELECT id, similarity FROM (` +
    `SELECT id, (CASE WHEN y - floor(y) >= 0.5::float8 THEN ceil(y) ELSE floor(y) END) / 1000000::float8 AS similarity ` +
    `FROM (SELECT id, (${cosine}) * 1000000::float8 AS y FROM sigils ` +
    `WHERE tenant_id = ${tenant} AND revoked_at IS NULL${exclude} OFFSET 0) AS scaled` +
    `) AS ranked WHERE similarity >= ${threshold} ORDER BY similarity DESC, id DESC LIMIT ${limit}`;
  return { sql, parameters };
}

/** Runs `matchQuery`; only for queries `matchRunsInSql` accepts. */
export async function matchSigils(
  manager: EntityManager,
  tenantId: string,
  query: MatchQuery,
): Promise<MatchHit[]> {
  const { sql, parameters } = matchQuery(tenantId, query);
  const rows: { id: string; similarity: number }[] = await manager.query(sql, parameters);
  return rows.map((row) => ({ id: row.id, similarity: row.similarity }));
}
