/** The store cannot serve requests right now (down, full, closed). Maps to 503 STORAGE_UNAVAILABLE. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

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

export function assertTenant(tenantId: string): void {
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new TypeError('tenantId is required for every storage operation');
  }
}

/**
 * A stored record that cannot be decoded (bytes damaged on disk). Carries the id when the adapter
 * knows it, so whole-store tools can report the record and read past it.
 */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly where: string,
    readonly id?: string,
  ) {
    super(`Stored value at ${where} is not valid JSON`);
  }
}
