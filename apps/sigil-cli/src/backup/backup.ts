import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUPS_PATH } from '#admin';
import type { OpsConfig } from '#config';
import { StoreLockedError, type OpenStore } from '#storage';
import { RefusedError } from '../support/exit.js';
import { isEmptyOrMissing } from '../support/fs.js';
import { withOpsStore } from '../support/store.js';
import { pgDump, PG_DUMP_FILE } from './postgres-tools.js';

export interface BackupReport {
  kind: OpenStore['kind'];
  path: string;
  keys?: number;
  sigils?: number;
  takenAt: string;
  durationMs: number;
}

/** Offline backup of the configured store into `to`, which must be missing or empty. */
export async function backup(config: OpsConfig, to: string): Promise<BackupReport> {
  if (!(await isEmptyOrMissing(to))) throw new RefusedError(`backup target ${to} exists and is not empty`);
  const storage = config.storage;
  if (storage.kind === 'postgres') return dumpPostgres(storage.url, to);
  // Opening a missing path would create an empty store, and back that up.
  if (storage.kind === 'leveldb' && !existsSync(storage.path)) {
    throw new Error(`no LevelDB store at ${storage.path}`);
  }
  return snapshot(config, to);
}

/**
 * The store's own backup (StoreBackup): LevelDB copies itself through one snapshot iterator into a
 * new store; a store without one says so (UnsupportedStoreOperationError). Here that needs LevelDB's
 * LOCK, so the service must be stopped; while it runs, its admin endpoint takes the same snapshot.
 */
async function snapshot(config: OpsConfig, to: string): Promise<BackupReport> {
  try {
    return await withOpsStore(config, async ({ kind, backup }) => ({
      kind,
      ...(await backup.snapshotTo(to)),
    }));
  } catch (error) {
    if (error instanceof StoreLockedError) {
      throw new Error(
        `${error.message}\nThe service is running: take the backup through it instead, ` +
          `POST ${BACKUPS_PATH} (scope sigil:admin; written under SIGIL_BACKUP_DIR).`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** `pg_dump -Fc` into `to/sigil.pgdump`: a consistent snapshot of a live database, nothing stopped. */
async function dumpPostgres(url: string, to: string): Promise<BackupReport> {
  const started = Date.now();
  const takenAt = new Date().toISOString();
  await mkdir(to, { recursive: true, mode: 0o700 });
  const file = join(to, PG_DUMP_FILE);
  try {
    await pgDump(url, file);
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { kind: 'postgres', path: file, takenAt, durationMs: Date.now() - started };
}
