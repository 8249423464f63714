import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SigningOpsConfig } from '#config';
import type { KeyRing, RestoreOutcome, SigilRecord, SigilRepository } from '#sigil';
import { describeError, UsageError } from '../support/exit.js';
import { startProgress } from '../support/progress.js';
import { countRecords } from '../support/records.js';
import { keyRingOf, withOpsStore } from '../support/store.js';
import { judgeExisting, legacySigilId, mintLegacy, parseLegacy } from './legacy-sigil.js';

export type ImportOutcome = RestoreOutcome | 'would-insert' | 'invalid';

export interface ImportFileReport {
  file: string;
  /** SHA-256 (hex) of the file's bytes, as `sha256sum` prints it. */
  sha256: string;
  legacyId: string | null;
  tenantId: string | null;
  sigilId: string | null;
  outcome: ImportOutcome;
  errors?: string[];
}

export interface ImportReport {
  dryRun: boolean;
  from: string;
  store: string;
  backup: string | null;
  files: ImportFileReport[];
  totals: Record<ImportOutcome, number> & { files: number };
  ok: boolean;
}

export interface ImportOptions {
  from: string;
  dryRun: boolean;
  backup: boolean;
}

interface LoadedFile {
  file: string;
  sha256: string;
  parsed: ReturnType<typeof parseLegacy>;
}

/**
 * Imports every legacy file in `options.from` into the configured store (see legacy-sigil.ts for
 * the format and the id rule). A dry run reads only, and never creates a store that isn't there.
 */
export async function importLegacyFolder(
  config: SigningOpsConfig,
  options: ImportOptions,
): Promise<ImportReport> {
  const from = resolve(options.from);
  if (!existsSync(from)) throw new Error(`no legacy folder at ${from}`);
  const files = await loadFolder(from, config.tenancy.defaultTenant, config.sigil.maxDataBytes);
  const storage = config.storage;
  const store = storage.kind === 'leveldb' ? `leveldb:${resolve(storage.path)}` : storage.kind;
  if (options.backup && storage.kind !== 'leveldb') {
    throw new UsageError(
      '--backup copies a LevelDB folder; this store is ' + storage.kind + ' (back it up with its own tools)',
    );
  }
  const finish = (reports: ImportFileReport[], backup: string | null): ImportReport => {
    const totals = totalsOf(reports);
    return {
      dryRun: options.dryRun,
      from,
      store,
      backup,
      files: reports,
      totals,
      ok: totals.invalid === 0 && totals.conflict === 0,
    };
  };
  if (options.dryRun && storage.kind === 'leveldb' && !existsSync(storage.path)) {
    return finish(await importLegacy(files, null, null, true), null);
  }
  const keys = keyRingOf(config);
  return withOpsStore(config, async ({ repository }) => {
    const backup =
      options.backup && !options.dryRun && storage.kind === 'leveldb'
        ? await backupLevel(config, repository, storage.path)
        : null;
    return finish(await importLegacy(files, repository, keys, options.dryRun), backup);
  });
}

async function loadFolder(
  folder: string,
  defaultTenant: string,
  maxDataBytes: number,
): Promise<LoadedFile[]> {
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json'))
    .map((e) => e.name)
    .sort();
  const loaded: LoadedFile[] = [];
  for (const name of names) {
    const bytes = await readFile(join(folder, name));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      const why = error instanceof SyntaxError ? 'not valid JSON' : 'not valid UTF-8';
      loaded.push({ file: name, sha256, parsed: { ok: false, errors: [why], legacyId: null } });
      continue;
    }
    loaded.push({ file: name, sha256, parsed: parseLegacy(value, defaultTenant, maxDataBytes) });
  }
  return loaded;
}

/**
 * Imports the files into `repo` (null in a dry run against a store that doesn't exist yet: everything
 * would be inserted). A dry run reads only.
 */
async function importLegacy(
  files: LoadedFile[],
  repo: SigilRepository | null,
  keys: KeyRing | null,
  dryRun: boolean,
): Promise<ImportFileReport[]> {
  const reports: ImportFileReport[] = [];
  /** Ids minted earlier in this dry run, so two files for one sigil report like a real run would. */
  const seen = new Map<string, SigilRecord | null>();
  const progress = startProgress(dryRun ? 'checking' : 'importing', files.length);
  try {
    for (const { file, sha256, parsed } of files) {
      if (!parsed.ok) {
        reports.push({
          file,
          sha256,
          legacyId: parsed.legacyId,
          tenantId: null,
          sigilId: null,
          outcome: 'invalid',
          errors: parsed.errors,
        });
        progress.increment();
        continue;
      }
      const legacy = parsed.sigil;
      const sigilId = legacySigilId(legacy.tenantId, legacy.legacyId, legacy.createdAtMs);
      const base = { file, sha256, legacyId: legacy.legacyId, tenantId: legacy.tenantId, sigilId };
      let outcome: ImportOutcome;
      const minted = keys ? mintLegacy(legacy, keys) : null;
      if (!repo || !minted || !keys) {
        outcome = seen.has(sigilId) ? 'unchanged' : 'would-insert';
        seen.set(sigilId, null);
      } else if (dryRun) {
        const existing = seen.get(sigilId) ?? (await repo.findById(legacy.tenantId, sigilId));
        outcome = existing ? judgeExisting(existing, minted, keys) : 'would-insert';
        if (!existing) seen.set(sigilId, minted);
      } else {
        outcome = await repo.restore(legacy.tenantId, minted);
        if (outcome === 'conflict') {
          const existing = await repo.findById(legacy.tenantId, sigilId);
          if (existing) outcome = judgeExisting(existing, minted, keys);
        }
      }
      reports.push({ ...base, outcome });
      progress.increment();
    }
  } finally {
    progress.stop();
  }
  return reports;
}

function totalsOf(files: ImportFileReport[]): ImportReport['totals'] {
  const totals: ImportReport['totals'] = {
    files: files.length,
    inserted: 0,
    unchanged: 0,
    conflict: 0,
    'would-insert': 0,
    invalid: 0,
  };
  for (const f of files) totals[f.outcome]++;
  return totals;
}

/**
 * Copies the LevelDB folder while this process holds its LOCK and before anything is written, so the
 * copy is a consistent store. A file LevelDB's background compaction removes mid-copy makes the copy
 * start over; the copy is then opened and its record count checked against the live store.
 */
async function backupLevel(config: SigningOpsConfig, live: SigilRepository, path: string): Promise<string> {
  const target = `${resolve(path)}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await cp(path, target, { recursive: true, errorOnExist: true, force: false });
      break;
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (attempt >= 3)
        throw new Error(`backup to ${target} failed: ${describeError(error)}`, { cause: error });
    }
  }
  const [stored, copied] = [
    await countRecords(live),
    await withOpsStore(config, ({ repository }) => countRecords(repository), {
      kind: 'leveldb',
      path: target,
    }),
  ];
  if (stored !== copied) throw new Error(`backup ${target} holds ${copied} sigils, the store ${stored}`);
  return target;
}
