import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';

/**
 * Fixed key of the session advisory lock that serialises migrations: replicas starting together take
 * it in turn, so one applies the pending migrations and the others then find none left. 'SIGL' in the
 * high 32 bits, 1 in the low ones: pg_locks shows it as classid 1397311308, objid 1.
 */
export const MIGRATION_LOCK_KEY = '6001406370190983169';

/**
 * Applies pending migrations under the advisory lock, all in one transaction. The lock and the
 * migrations share one connection (the executor is given the lock's query runner), so a pool of
 * size 1 cannot deadlock against itself, and a crashed migrator's lock dies with its session.
 * The statement timeout is lifted for the duration: waiting for another replica's migration, or a
 * long index build, is not a stuck query.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  try {
    // Put back afterwards exactly as it was (RESET would fall back to the server default, not ours).
    const shown = (await runner.query('SHOW statement_timeout')) as { statement_timeout: string }[];
    const timeout = shown[0].statement_timeout;
    await runner.query(`SET statement_timeout = 0`);
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      return await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await runner.query(`SELECT set_config('statement_timeout', $1, false)`, [timeout]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * The SQL a migration generated from the entities would contain right now (TypeORM's schema builder
 * in dry-run mode). Empty after all migrations ran means the entities and the committed migrations
 * describe the same schema; CI asserts exactly that.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

/** Names of the migrations this database has applied. */
export async function appliedMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await new MigrationExecutor(dataSource).getExecutedMigrations();
  return applied.map((migration) => migration.name);
}

/** Names of the committed migrations this database has not applied yet. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  return pending.map((migration) => migration.name);
}
