import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type AppConfig, ensureDevMaterial, parseConfig } from '#config';
import { LevelSigilRepository, StoreLockedError } from '#storage';

/** The file a Postgres backup folder holds (pg_dump custom format). */
export const PG_DUMP_FILE = 'sigil.pgdump';

export function configFrom(env: Record<string, string | undefined>): AppConfig {
  return parseConfig(env, ensureDevMaterial);
}

/** True when `path` is missing or an empty directory. */
export async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.isDirectory() && (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** A PostgreSQL client binary: from PATH if there, else the newest Debian one under /usr/lib/postgresql. */
export function postgresBinary(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length > 0 ? join(root, versions[0], 'bin', name) : name;
}

/** Runs a binary, failing with its stderr; the URL travels in argv only to the local child. */
export function runTool(binary: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', (error) => reject(new Error(`${binary}: ${error.message}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} exited with ${String(code)}: ${stderr.trim()}`)),
    );
  });
}

export interface BackupReport {
  kind: 'leveldb' | 'postgres';
  path: string;
  keys?: number;
  sigils?: number;
  takenAt: string;
  durationMs: number;
}

/**
 * Offline backup. LevelDB: opens the store (so the service must be stopped — its LOCK says so) and
 * copies it through one snapshot iterator into a new store at `to`. Postgres: `pg_dump -Fc` into
 * `to/sigil.pgdump` (a consistent snapshot of a live database; no need to stop anything).
 */
export async function backup(config: AppConfig, to: string): Promise<BackupReport> {
  if (!(await isEmptyOrMissing(to))) throw new Error(`backup target ${to} exists and is not empty`);
  const storage = config.storage;
  if (storage.kind === 'leveldb') {
    if (!existsSync(storage.path)) throw new Error(`no LevelDB store at ${storage.path}`);
    let repository: LevelSigilRepository;
    try {
      repository = await LevelSigilRepository.open({ path: storage.path, sync: true });
    } catch (error) {
      if (error instanceof StoreLockedError) {
        throw new Error(
          `${error.message}\nThe service is running: take the backup through it instead, ` +
            'POST /api/v1/admin/backups (scope sigil:admin; written under SIGIL_BACKUP_DIR).',
          { cause: error },
        );
      }
      throw error;
    }
    try {
      const report = await repository.snapshotTo(to);
      return { kind: 'leveldb', ...report };
    } finally {
      await repository.close();
    }
  }
  if (storage.kind === 'postgres') {
    const started = Date.now();
    const takenAt = new Date().toISOString();
    await mkdir(to, { recursive: true, mode: 0o700 });
    const file = join(to, PG_DUMP_FILE);
    try {
      await runTool(postgresBinary('pg_dump'), ['-Fc', '--no-owner', '-f', file, '-d', storage.url]);
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return { kind: 'postgres', path: file, takenAt, durationMs: Date.now() - started };
  }
  throw new Error('the memory store has nothing to back up');
}

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description(
      'consistent backup of the configured store into a new folder: LevelDB (service stopped; while it runs use POST /api/v1/admin/backups) or Postgres (pg_dump -Fc)',
    )
    .requiredOption('--to <dir>', 'backup folder (must not exist, or be empty)')
    .option('--json', 'print the report as JSON', false)
    .action(async (options: { to: string; json: boolean }) => {
      const report = await backup(configFrom(process.env), options.to);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(report)}\n`
          : `backup (${report.kind}) written to ${report.path}` +
              (report.sigils === undefined ? '' : `: ${report.sigils} sigils, ${report.keys} keys`) +
              ` in ${report.durationMs} ms (snapshot at ${report.takenAt})\n`,
      );
    });
}
