import { existsSync } from 'node:fs';
import type { OpsConfig } from '#config';
import { recordsOf, tenantIdsOf, type RestoreOutcome, type SigilRecord, type SigilRepository } from '#sigil';
import { SchemaBehindError } from '#storage';
import { forEachConcurrently } from '../support/concurrency.js';
import { startProgress } from '../support/progress.js';
import { countRecords, fingerprint, type Fingerprint } from '../support/records.js';
import { withOpsStore } from '../support/store.js';

interface TenantReport {
  tenantId: string;
  source: Fingerprint;
  target: Fingerprint;
  match: boolean;
}

export interface MigrationReport {
  dryRun: boolean;
  total: number;
  outcomes: Record<RestoreOutcome | 'would-insert', number>;
  conflicts: { tenantId: string; id: string }[];
  tenants: TenantReport[];
  ok: boolean;
}

export interface MigrationOptions {
  /** The LevelDB folder. */
  from: string;
  /** The Postgres URL. */
  to: string;
  dryRun: boolean;
}

/** Every sigil of the LevelDB store at `from` into the Postgres database at `to` (see migrateRecords). */
export async function migrateLevelToPostgres(
  config: OpsConfig,
  options: MigrationOptions,
): Promise<MigrationReport> {
  if (!existsSync(options.from)) throw new Error(`no LevelDB store at ${options.from}`);
  return withOpsStore(
    config,
    ({ repository: source }) =>
      withTarget(config, options, (target) => migrateRecords(source, target, options.dryRun)),
    { kind: 'leveldb', path: options.from },
  );
}

/**
 * The target, with migrations applied — except in a dry run, which writes nothing: there a database
 * whose schema is missing or behind counts as empty (everything would be inserted).
 */
async function withTarget<T>(
  config: OpsConfig,
  options: MigrationOptions,
  work: (target: SigilRepository | null) => Promise<T>,
): Promise<T> {
  try {
    return await withOpsStore(config, ({ repository }) => work(repository), {
      kind: 'postgres',
      url: options.to,
      migrate: !options.dryRun,
    });
  } catch (error) {
    // Only opening the target raises it: `work` never opens a store.
    if (options.dryRun && error instanceof SchemaBehindError) return work(null);
    throw error;
  }
}

/**
 * Copies every sigil of every tenant verbatim (`restore`), then compares count and checksum per
 * tenant. Re-running after an interruption resumes: records already copied come back 'unchanged'.
 * Idempotency keys are not copied (they expire within 24 h).
 */
async function migrateRecords(
  source: SigilRepository,
  target: SigilRepository | null,
  dryRun: boolean,
): Promise<MigrationReport> {
  const tenants = await tenantIdsOf(source);
  const total = await countRecords(source);

  const outcomes: MigrationReport['outcomes'] = { inserted: 0, unchanged: 0, conflict: 0, 'would-insert': 0 };
  const conflicts: MigrationReport['conflicts'] = [];
  const progress = startProgress(dryRun ? 'checking' : 'copying', total);
  const copy = async (tenantId: string, record: SigilRecord): Promise<void> => {
    let outcome: RestoreOutcome | 'would-insert';
    if (!target) {
      outcome = 'would-insert';
    } else if (dryRun) {
      const existing = await target.findById(tenantId, record.id);
      outcome = !existing
        ? 'would-insert'
        : JSON.stringify(existing) === JSON.stringify(record)
          ? 'unchanged'
          : 'conflict';
    } else {
      outcome = await target.restore(tenantId, record);
    }
    outcomes[outcome]++;
    if (outcome === 'conflict') conflicts.push({ tenantId, id: record.id });
    progress.increment();
  };
  try {
    for (const tenantId of tenants) {
      await forEachConcurrently(recordsOf(source, tenantId), (record) => copy(tenantId, record));
    }
  } finally {
    progress.stop();
  }

  const reports: TenantReport[] = [];
  for (const tenantId of tenants) {
    const s = await fingerprint(source, tenantId);
    const t = target ? await fingerprint(target, tenantId) : { count: 0, checksum: '' };
    reports.push({ tenantId, source: s, target: t, match: s.count === t.count && s.checksum === t.checksum });
  }
  const ok = conflicts.length === 0 && (dryRun || reports.every((r) => r.match));
  return { dryRun, total, outcomes, conflicts, tenants: reports, ok };
}
