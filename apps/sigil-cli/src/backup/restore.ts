import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SigningOpsConfig } from '#config';
import { SchemaBehindError, StoreLockedError } from '#storage';
import { scanIntegrity, type IntegrityReport } from '../integrity/integrity-scan.js';
import { RefusedError } from '../support/exit.js';
import { isEmptyOrMissing } from '../support/fs.js';
import { countRecords } from '../support/records.js';
import { keyRingOf, withOpsStore, type StoreTarget } from '../support/store.js';
import { PG_DUMP_FILE, pgRestore } from './postgres-tools.js';

export interface RestoreOptions {
  from: string;
  /** A LevelDB folder or a Postgres URL, for the configured kind; default: the configured store. */
  to?: string;
  force: boolean;
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

/**
 * Restores a backup made by `sigil backup` or the admin endpoint into the configured store (or
 * `to`), refusing a non-empty target without `force`, then runs the integrity check over the
 * whole restored store.
 */
export async function restore(config: SigningOpsConfig, options: RestoreOptions): Promise<RestoreReport> {
  const storage = config.storage;
  switch (storage.kind) {
    case 'leveldb':
      return restoreLevel(config, options.from, options.to ?? storage.path, options.force);
    case 'postgres':
      return restorePostgres(config, options.from, options.to ?? storage.url, options.force);
    case 'memory':
      throw new Error('the memory store cannot be restored into');
  }
}

/** The restored store through the service's own integrity rule, with the same key ring. */
async function integrityOf(
  config: SigningOpsConfig,
  target: StoreTarget,
): Promise<RestoreReport['integrity']> {
  const keys = keyRingOf(config);
  const report = await withOpsStore(
    config,
    ({ repository }) => scanIntegrity(repository, keys, { progress: false }),
    target,
  );
  return { checked: report.checked, intact: report.intact, problems: report.problems };
}

async function restoreLevel(
  config: SigningOpsConfig,
  from: string,
  to: string,
  force: boolean,
): Promise<RestoreReport> {
  const started = Date.now();
  if (!existsSync(join(from, 'CURRENT')))
    throw new Error(`${from} is not a LevelDB backup (no CURRENT file)`);
  if (resolve(from) === resolve(to)) throw new RefusedError('--from and the target are the same folder');
  const replacing = !(await isEmptyOrMissing(to));
  if (replacing && !force) throw new RefusedError(`target ${to} is not empty; pass --force to replace it`);
  const target: StoreTarget = { kind: 'leveldb', path: to };
  if (replacing) {
    // Never pull a store from under a running service: opening it proves nobody holds its LOCK.
    try {
      await withOpsStore(config, async () => undefined, target);
    } catch (error) {
      if (error instanceof StoreLockedError) throw new RefusedError(`${error.message} Stop it first.`);
      throw error;
    }
  }
  // Copied beside the target first, then swapped in: a failed copy leaves the old store untouched.
  const staging = replacing ? `${to}.restoring-${randomBytes(4).toString('hex')}` : to;
  await withOpsStore(config, ({ backup }) => backup.snapshotTo(staging), { kind: 'leveldb', path: from });
  if (replacing) {
    const aside = `${to}.replaced-${randomBytes(4).toString('hex')}`;
    await rename(to, aside);
    await rename(staging, to);
    await rm(aside, { recursive: true, force: true });
  }
  const integrity = await integrityOf(config, target);
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

/**
 * The sigils a database holds, read through the port without migrating it. A database without the
 * schema holds none; one with an older schema (migrations pending) may hold sigils this version
 * cannot count: 'unknown', which only --force may replace.
 */
async function sigilsIn(config: SigningOpsConfig, url: string): Promise<number | 'unknown'> {
  try {
    return await withOpsStore(config, ({ repository }) => countRecords(repository), {
      kind: 'postgres',
      url,
      migrate: false,
    });
  } catch (error) {
    if (error instanceof SchemaBehindError) return error.applied.length > 0 ? 'unknown' : 0;
    throw error;
  }
}

async function restorePostgres(
  config: SigningOpsConfig,
  from: string,
  url: string,
  force: boolean,
): Promise<RestoreReport> {
  const started = Date.now();
  const file = existsSync(from) && statSync(from).isDirectory() ? join(from, PG_DUMP_FILE) : from;
  if (!existsSync(file)) throw new Error(`no Postgres dump at ${file}`);
  const existing = await sigilsIn(config, url);
  if (existing !== 0 && !force) {
    throw new RefusedError(
      existing === 'unknown'
        ? 'target database holds an older Sigil-DNA schema (migrations pending) and may hold sigils; pass --force to replace its contents'
        : `target database holds ${existing} sigils; pass --force to replace its contents`,
    );
  }
  await pgRestore(url, file);
  const integrity = await integrityOf(config, { kind: 'postgres', url, migrate: false });
  return {
    kind: 'postgres',
    from: file,
    to: redact(url),
    replaced: existing !== 0,
    durationMs: Date.now() - started,
    integrity,
    ok: integrity.problems.length === 0,
  };
}
