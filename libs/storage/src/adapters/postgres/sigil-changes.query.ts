import type { EntityManager } from 'typeorm';

import { RESONANCE_LENGTH } from '#sigil';

const RP = Array.from({ length: RESONANCE_LENGTH }, (_, i) => `rp${i}`);

/** A sigil's match columns as read: rp0..rp15 (NULL where the stored component is not a number). */
export type MatchColumns = Record<`rp${number}`, number | null>;

export interface MatchRow extends MatchColumns {
  id: string;
}

/** What changed for a tenant since a horizon, read in one snapshot. */
export interface ChangeBatch {
  /** That snapshot's xmin: the horizon to catch up from next time. */
  horizon: bigint;
  /** The log has been pruned below this transaction id. */
  prunedBelow: bigint;
  /** Each changed sigil as it is now: its match columns when it exists unrevoked, else `null`. */
  changes: { id: string; row: MatchRow | null }[];
}

/** The first 16 components as the index takes them: NULL (no usable component) back to NaN. */
export function patternOf(row: MatchColumns): number[] {
  return RP.map((column) => row[column as `rp${number}`] ?? Number.NaN);
}

/**
 * The xmin of a fresh snapshot: every transaction below it has ended, every one at or above it
 * may still commit. A match index that has seen everything visible to this snapshot catches up
 * from here.
 */
export async function changeHorizon(manager: EntityManager): Promise<bigint> {
  const rows: { xmin: string }[] = await manager.query(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
  );
  return BigInt(rows[0].xmin);
}

/**
 * Up to `limit` of the tenant's unrevoked sigils above `after`, in id order: their match columns
 * only, so it is an index-only scan of sigils_match_idx.
 */
export function matchPage(
  manager: EntityManager,
  tenantId: string,
  after: string,
  limit: number,
): Promise<MatchRow[]> {
  return manager.query(
    `SELECT id, ${RP.join(', ')} FROM sigils WHERE tenant_id = $1 AND revoked_at IS NULL AND id > $2 ` +
      `ORDER BY id LIMIT $3`,
    [tenantId, after, limit],
  );
}

/**
 * The tenant's sigils changed by transactions at or above `horizon`, each joined to its current
 * row, plus the next horizon and the pruning mark: one statement, so all from one snapshot.
 */
export async function changesSince(
  manager: EntityManager,
  tenantId: string,
  horizon: bigint,
): Promise<ChangeBatch> {
  const rows: (Partial<MatchRow> & { xmin: string; pruned: string; changed: string | null })[] =
    await manager.query(
      `WITH snap AS (
         SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
                (SELECT coalesce(max(below), 0)::text FROM sigil_changes_pruned) AS pruned)
       SELECT snap.xmin, snap.pruned, c.sigil_id AS changed, s.id, ${RP.map((c) => `s.${c}`).join(', ')}
       FROM snap
       LEFT JOIN sigil_changes c ON c.tenant_id = $1 AND c.xid >= $2::bigint
       LEFT JOIN sigils s ON s.tenant_id = c.tenant_id AND s.id = c.sigil_id AND s.revoked_at IS NULL`,
      [tenantId, horizon.toString()],
    );
  const changes: ChangeBatch['changes'] = [];
  for (const row of rows) {
    if (row.changed === null) continue;
    changes.push({ id: row.changed, row: row.id == null ? null : (row as MatchRow) });
  }
  return { horizon: BigInt(rows[0].xmin), prunedBelow: BigInt(rows[0].pruned), changes };
}

/** Deletes log rows below `below` and records the mark, in one transaction. */
export async function pruneChanges(manager: EntityManager, below: bigint): Promise<void> {
  await manager.transaction(async (tx) => {
    await tx.query(`DELETE FROM sigil_changes WHERE xid < $1::bigint`, [below.toString()]);
    await tx.query(
      `INSERT INTO sigil_changes_pruned AS p (id, below) VALUES (1, $1::bigint)
       ON CONFLICT (id) DO UPDATE SET below = greatest(p.below, excluded.below)`,
      [below.toString()],
    );
  });
}
