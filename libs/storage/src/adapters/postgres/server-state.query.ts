import type { EntityManager } from 'typeorm';

export interface ServerState {
  /** A standby (in recovery) or a read-only session: reads work, writes would fail. */
  readOnly: boolean;
  /** The schema exists (the migrations ran). */
  migrated: boolean;
}

/** One round trip, writing nothing: whether Postgres would accept this adapter's writes right now. */
export async function serverState(manager: EntityManager): Promise<ServerState> {
  const [state] = await manager.query<{ recovery: boolean; read_only: boolean; migrated: boolean }[]>(
    `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') = 'on' AS read_only, ` +
      `to_regclass('sigils') IS NOT NULL AS migrated`,
  );
  return { readOnly: state.recovery || state.read_only, migrated: state.migrated };
}
