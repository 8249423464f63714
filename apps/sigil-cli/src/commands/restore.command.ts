import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { LevelSigilRepository, StoreLockedError } from '#storage';
import { withOps } from '../ops-context.js';
import { configFrom, isEmptyOrMissing, PG_DUMP_FILE, postgresBinary, runTool } from './backup.command.js';
import { scanIntegrity, type IntegrityReport } from './integrity-scan.js';

/** Refusing to overwrite: a usage problem, exit code 2 (integrity failures exit 1). */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
}

export interface RestoreReport {
  kind: 'leveldb' | 'postgres';
  from: string;
  /** The restored LevelDB folder, or the database (URL without credentials). */
  to: string;
  replaced: boolean;
  durationMs: number;
  integrity: { checked: number; intact: number; problems: IntegrityReport['problems'] };
  ok: boolean;
}

type Env = Record<string, string | undefined>;

/** The restored store through the service's own integrity rule, with the same key ring. */
async function integrityOf(env: Env): Promise<RestoreReport['integrity']> {
  const report = await withOps(
    ({ repository, keys }) => scanIntegrity(repository, keys, { progress: false }),
    env,
  );
  return { checked: report.checked, intact: report.intact, problems: report.problems };
}

async function restoreLevel(from: string, to: string, force: boolean, env: Env): Promise<RestoreReport> {
  const started = Date.now();
  if (!existsSync(join(from, 'CURRENT')))
    throw new Error(`${from} is not a LevelDB backup (no CURRENT file)`);
  if (resolve(from) === resolve(to))
    throw new RestoreRefusedError('--from and the target are the same folder');
  const replacing = !(await isEmptyOrMissing(to));
  if (replacing && !force) {
    throw new RestoreRefusedError(`target ${to} is not empty; pass --force to replace it`);
  }
  if (replacing) {
    // Never pull a store from under a running service: opening it proves nobody holds its LOCK.
    try {
      await (await LevelSigilRepository.open({ path: to })).close();
    } catch (error) {
      if (error instanceof StoreLockedError) throw new RestoreRefusedError(`${error.message} Stop it first.`);
      throw error;
    }
  }
  const source = await LevelSigilRepository.open({ path: from });
  // Copied beside the target first, then swapped in: a failed copy leaves the old store untouched.
  const staging = replacing ? `${to}.restoring-${randomBytes(4).toString('hex')}` : to;
  try {
    await source.snapshotTo(staging);
  } finally {
    await source.close();
  }
  if (replacing) {
    const aside = `${to}.replaced-${randomBytes(4).toString('hex')}`;
    await rename(to, aside);
    await rename(staging, to);
    await rm(aside, { recursive: true, force: true });
  }
  const integrity = await integrityOf({ ...env, SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: to });
  return {
    kind: 'leveldb',
    from,
    to,
    replaced: replacing,
    durationMs: Date.now() - started,
    integrity,
    ok: integrity.problems.length === 0,
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(database)';
  }
}

async function sigilRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const table = await client.query<{ present: boolean }>(
      "SELECT to_regclass('public.sigils') IS NOT NULL AS present",
    );
    if (!table.rows[0]?.present) return 0;
    const rows = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM sigils');
    return Number(rows.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function restorePostgres(from: string, url: string, force: boolean, env: Env): Promise<RestoreReport> {
  const started = Date.now();
  const file = existsSync(from) && statSync(from).isDirectory() ? join(from, PG_DUMP_FILE) : from;
  if (!existsSync(file)) throw new Error(`no Postgres dump at ${file}`);
  const existing = await sigilRows(url);
  if (existing > 0 && !force) {
    throw new RestoreRefusedError(
      `target database holds ${existing} sigils; pass --force to replace its contents`,
    );
  }
  await runTool(postgresBinary('pg_restore'), [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--single-transaction',
    '-d',
    url,
    file,
  ]);
  const integrity = await integrityOf({
    ...env,
    SIGIL_STORAGE: 'postgres',
    DATABASE_URL: url,
    SIGIL_DB_MIGRATE: 'false',
  });
  return {
    kind: 'postgres',
    from: file,
    to: redact(url),
    replaced: existing > 0,
    durationMs: Date.now() - started,
    integrity,
    ok: integrity.problems.length === 0,
  };
}

/**
 * Restores a backup made by `sigil backup` or the admin endpoint into the configured store (or
 * `--to`), refusing a non-empty target without --force, then runs the integrity check over the
 * whole restored store.
 */
export async function restore(
  options: { from: string; to?: string; force: boolean },
  env: Env,
): Promise<RestoreReport> {
  const storage = configFrom(env).storage;
  if (storage.kind === 'leveldb')
    return restoreLevel(options.from, options.to ?? storage.path, options.force, env);
  if (storage.kind === 'postgres')
    return restorePostgres(options.from, options.to ?? storage.url, options.force, env);
  throw new Error('the memory store cannot be restored into');
}

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description(
      'restore a backup into the configured store (SIGIL_DB_PATH or DATABASE_URL, or --to), then check every record’s integrity (exit 1 on any problem); refuses a non-empty target unless --force',
    )
    .requiredOption('--from <path>', 'backup folder (LevelDB) or folder/file with the pg_dump')
    .option('--to <target>', 'LevelDB folder or Postgres URL (default: the configured store)')
    .option('--force', 'replace a non-empty target', false)
    .option('--json', 'print the report as JSON', false)
    .action(async (options: { from: string; to?: string; force: boolean; json: boolean }) => {
      let report: RestoreReport;
      try {
        report = await restore(options, process.env);
      } catch (error) {
        if (error instanceof RestoreRefusedError) {
          process.stderr.write(`sigil restore: refused: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const i = report.integrity;
      process.stdout.write(
        options.json
          ? `${JSON.stringify(report)}\n`
          : [
              `restored ${report.kind} backup ${report.from} into ${report.to}${report.replaced ? ' (replaced)' : ''} in ${report.durationMs} ms`,
              `integrity: ${i.checked} checked, ${i.intact} intact, ${i.problems.length} problems`,
              ...i.problems.slice(0, 20).map((p) => `  ${p.problem} ${p.tenantId}/${p.id}`),
              report.ok ? 'result: OK' : 'result: FAILED',
            ].join('\n') + '\n',
      );
      if (!report.ok) process.exitCode = 1;
    });
}
