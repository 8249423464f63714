import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUPS_PATH } from '#admin';
import type { SigningOpsConfig } from '#config';
import { UsageError } from '../support/exit.js';
import { keyRingOf, withOpsStore, type StoreTarget } from '../support/store.js';
import { scanIntegrity, type IntegrityReport } from './integrity-scan.js';

export interface IntegrityCheckReport extends IntegrityReport {
  /** With --live-url: the snapshot of the live store that was checked (and kept as a verified backup). */
  snapshot?: string;
}

/** A running service to check through a snapshot it takes, for a LevelDB store whose LOCK it holds. */
export interface LiveService {
  url: string;
  /** File holding a sigil:admin bearer token. */
  tokenFile: string;
}

/**
 * Every stored sigil of every tenant against the configured key ring: in the configured store, or in
 * a snapshot a running service takes of its own (`live`).
 */
export async function integrityCheck(
  config: SigningOpsConfig,
  live?: LiveService,
): Promise<IntegrityCheckReport> {
  const scan = (target?: StoreTarget) =>
    withOpsStore(config, ({ repository }) => scanIntegrity(repository, keyRingOf(config)), target);
  if (!live) return scan();
  if (!config.backupDir) {
    throw new UsageError('--live-url needs SIGIL_BACKUP_DIR, the folder the service writes snapshots to');
  }
  const path = join(config.backupDir, await snapshotOfLiveStore(live));
  return { ...(await scan({ kind: 'leveldb', path })), snapshot: path };
}

/**
 * A LevelDB store that a running service holds can't be opened here (its LOCK): the service takes a
 * snapshot under SIGIL_BACKUP_DIR instead. The snapshot is one consistent point in time, and it is
 * kept: a nightly run leaves a verified backup.
 */
async function snapshotOfLiveStore(live: LiveService): Promise<string> {
  const token = (await readFile(live.tokenFile, 'utf8')).trim();
  const response = await fetch(new URL(BACKUPS_PATH, live.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(600_000),
  });
  const body = (await response.json().catch(() => ({}))) as { name?: string; detail?: string };
  if (!response.ok || !body.name) {
    throw new Error(`the service refused the snapshot: ${response.status} ${body.detail ?? ''}`.trim());
  }
  return body.name;
}
