/** What a consistent copy of the store holds and when it was taken. */
export interface SnapshotReport {
  /** Path of the finished copy, as given. */
  path: string;
  /** Every key copied (records, index entries, claims, tenant registry). */
  keys: number;
  /** Sigil records among them. */
  sigils: number;
  /** When the snapshot was taken (ISO): every write acknowledged before this is in the copy. */
  takenAt: string;
  durationMs: number;
}

/**
 * A store capability beside the repository port: a consistent copy of the whole live store into a
 * new folder. Each backend declares whether it can: one that cannot throws
 * UnsupportedStoreOperationError from both methods, saying what to use instead (Postgres:
 * `sigil backup`, which runs pg_dump).
 * Provided by StorageModule, so the admin surface and the CLI reach it through DI or the factory.
 */
export abstract class StoreBackup {
  /** The backend's kind, for reports and messages. */
  abstract readonly kind: 'leveldb' | 'postgres' | 'memory';
  /** Throws UnsupportedStoreOperationError when this backend has no online backup; else nothing. */
  abstract assertSupported(): void;
  /**
   * Copies the store as of one instant into `target` (missing or an empty folder) while writes go
   * on; a target that exists afterwards is complete.
   */
  abstract snapshotTo(target: string): Promise<SnapshotReport>;
}
