/** A second process opened a LevelDB path that another holds. Fatal at start. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(readonly path: string) {
    super(
      `LevelDB at ${path} is locked by another process (${path}/LOCK is held). ` +
        'Only one Sigil-DNA process may open an embedded store; stop the other process, ' +
        'or use Postgres (DATABASE_URL) to run several replicas. Do not delete the LOCK file.',
    );
  }
}

/**
 * The Postgres schema is behind the code (migrations pending) and this open was asked not to migrate.
 * Tools that only read (a dry run) treat it as "nothing there yet"; the service refuses to start.
 */
export class SchemaBehindError extends Error {
  override readonly name = 'SchemaBehindError';
  constructor(
    readonly pending: string[],
    /** Migrations already applied: when any are, the database holds an older schema, maybe with data. */
    readonly applied: string[],
  ) {
    super(
      `Postgres schema is behind: ${pending.length} pending migration(s) (${pending.join(', ')}). ` +
        'Apply them (`npm run migration:run`, i.e. `sigil db:migrate`) or start with SIGIL_DB_MIGRATE=true.',
    );
  }
}
