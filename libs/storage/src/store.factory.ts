import {
  StoreBackup,
  UnsupportedStoreOperationError,
  type SigilRepository,
  type SnapshotReport,
} from '#sigil';
import { LevelSigilRepository } from './adapters/level/level-sigil.repository.js';
import { MemorySigilRepository } from './adapters/memory/memory-sigil.repository.js';
import { PostgresSigilRepository } from './adapters/postgres/postgres-sigil.repository.js';
import type { StorageOptions } from './storage.options.js';

/** An open store: the repository port, the capabilities its backend declares, and one way to close it. */
export interface OpenStore {
  readonly kind: StorageOptions['kind'];
  readonly repository: SigilRepository;
  readonly backup: StoreBackup;
  /** Releases the store (LevelDB's LOCK, the Postgres pool); in-flight operations finish first. */
  close(): Promise<void>;
}

/** Online backups read the live LevelDB through one snapshot iterator (see level-snapshot.ts). */
class LevelStoreBackup extends StoreBackup {
  readonly kind = 'leveldb';
  constructor(private readonly repository: LevelSigilRepository) {
    super();
  }
  assertSupported(): void {}
  snapshotTo(target: string): Promise<SnapshotReport> {
    return this.repository.snapshotTo(target);
  }
}

/** A backend without in-process backups says what to use instead. */
class UnsupportedStoreBackup extends StoreBackup {
  constructor(
    readonly kind: 'postgres' | 'memory',
    private readonly hint: string,
  ) {
    super();
  }
  assertSupported(): never {
    throw new UnsupportedStoreOperationError('online backup', this.kind, this.hint);
  }
  snapshotTo(): Promise<SnapshotReport> {
    return Promise.reject(new UnsupportedStoreOperationError('online backup', this.kind, this.hint));
  }
}

/**
 * Opens the configured store: the one way the app (through StorageModule) and every CLI command get
 * a store. Open errors (StoreLockedError, SchemaBehindError, an unreachable Postgres as
 * StorageUnavailableError) propagate unchanged, so they stop the app at start.
 */
export async function openStore(options: StorageOptions): Promise<OpenStore> {
  switch (options.kind) {
    case 'leveldb': {
      const repository = await LevelSigilRepository.open({ path: options.path, sync: options.sync });
      return store('leveldb', repository, new LevelStoreBackup(repository));
    }
    case 'memory':
      return store(
        'memory',
        new MemorySigilRepository(),
        new UnsupportedStoreBackup('memory', 'the memory store keeps nothing worth backing up'),
      );
    case 'postgres': {
      const repository = await PostgresSigilRepository.open({
        url: options.url,
        poolSize: options.poolSize,
        connectTimeoutMs: options.connectTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        migrate: options.migrate,
      });
      return store(
        'postgres',
        repository,
        new UnsupportedStoreBackup('postgres', 'back up Postgres with `sigil backup` (pg_dump)'),
      );
    }
    default: {
      // Adding a kind to StorageOptions without a case here fails to compile.
      const unknownKind: never = options;
      throw new Error(`Unknown storage kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}

function store(kind: OpenStore['kind'], repository: SigilRepository, backup: StoreBackup): OpenStore {
  return { kind, repository, backup, close: () => repository.close() };
}

/**
 * Runs `work` with the store open and closes it afterwards, even on failure (releasing LevelDB's
 * LOCK), so a command can never leave a store held.
 */
export async function withStore<T>(
  options: StorageOptions,
  work: (store: OpenStore) => Promise<T>,
): Promise<T> {
  const opened = await openStore(options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
