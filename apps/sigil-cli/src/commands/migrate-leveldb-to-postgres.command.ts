import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import {
  LevelSigilRepository,
  PostgresSigilRepository,
  recordsOf,
  tenantIdsOf,
  type RestoreOutcome,
  type SigilRecord,
  type SigilRepository,
} from '#storage';
import { startProgress } from '../progress.js';

/** Restores in flight at once: enough to hide Postgres round trips, few enough to keep the pool free. */
const CONCURRENCY = 16;

interface TenantReport {
  tenantId: string;
  source: { count: number; checksum: string };
  target: { count: number; checksum: string };
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

/** Count and SHA-256 over every record's JSON, in list order: equal only if the copies are byte-identical. */
async function fingerprint(
  repo: SigilRepository,
  tenantId: string,
): Promise<{ count: number; checksum: string }> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const record of recordsOf(repo, tenantId)) {
    hash.update(JSON.stringify(record)).update('\n');
    count++;
  }
  return { count, checksum: hash.digest('hex') };
}

/**
 * Copies every sigil of every tenant from LevelDB to Postgres verbatim (`restore`), then compares
 * count and checksum per tenant. Re-running after an interruption resumes: records already copied
 * come back 'unchanged'. Idempotency keys are not copied (they expire within 24 h).
 */
export async function migrateLevelToPostgres(
  source: SigilRepository,
  /** null in a dry run against a database without the schema yet: everything would be inserted. */
  target: SigilRepository | null,
  options: { dryRun: boolean },
): Promise<MigrationReport> {
  const tenants = await tenantIdsOf(source);
  let total = 0;
  for (const tenantId of tenants) total += (await fingerprint(source, tenantId)).count;

  const outcomes: MigrationReport['outcomes'] = { inserted: 0, unchanged: 0, conflict: 0, 'would-insert': 0 };
  const conflicts: MigrationReport['conflicts'] = [];
  const progress = startProgress(options.dryRun ? 'checking' : 'copying', total);
  const copy = async (tenantId: string, record: SigilRecord): Promise<void> => {
    let outcome: RestoreOutcome | 'would-insert';
    if (!target) {
      outcome = 'would-insert';
    } else if (options.dryRun) {
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
      const inFlight = new Set<Promise<void>>();
      for await (const record of recordsOf(source, tenantId)) {
        const task = copy(tenantId, record).finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
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
  const ok = conflicts.length === 0 && (options.dryRun || reports.every((r) => r.match));
  return { dryRun: options.dryRun, total, outcomes, conflicts, tenants: reports, ok };
}

export function registerMigrateLevelToPostgresCommand(program: Command): void {
  program
    .command('migrate-leveldb-to-postgres')
    .description(
      'copy every sigil from a LevelDB store to Postgres, verbatim and resumably, then compare counts and checksums per tenant (stop the service first: the LevelDB LOCK allows one process)',
    )
    .addOption(new Option('--from <path>', 'LevelDB folder').env('SIGIL_DB_PATH').default('./sigil-leveldb'))
    .addOption(
      new Option('--to <url>', 'Postgres URL (postgresql://…)').env('DATABASE_URL').makeOptionMandatory(),
    )
    .option('--dry-run', 'report what would be copied; write nothing', false)
    .option('--json', 'print the report as JSON on stdout', false)
    .action(async (options: { from: string; to: string; dryRun: boolean; json: boolean }) => {
      if (!existsSync(options.from)) throw new Error(`no LevelDB store at ${options.from}`);
      const source = await LevelSigilRepository.open({ path: options.from, sync: true });
      try {
        const target = await openTarget(options.to, options.dryRun);
        try {
          const report = await migrateLevelToPostgres(source, target, { dryRun: options.dryRun });
          printReport(report, options.json);
          if (!report.ok) process.exitCode = 1;
        } finally {
          await target?.close();
        }
      } finally {
        await source.close();
      }
    });
}

/**
 * The target, with migrations applied — except in a dry run, which writes nothing: there a database
 * whose schema is missing or behind is reported as empty (everything would be inserted).
 */
async function openTarget(url: string, dryRun: boolean): Promise<SigilRepository | null> {
  const options = { url, poolSize: CONCURRENCY + 2, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 };
  if (!dryRun) return PostgresSigilRepository.open({ ...options, migrate: true });
  try {
    return await PostgresSigilRepository.open({ ...options, migrate: false });
  } catch (error) {
    if (error instanceof Error && /pending migration/.test(error.message)) return null;
    throw error;
  }
}

function printReport(report: MigrationReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const o = report.outcomes;
  const lines = [
    `${report.dryRun ? 'dry run: ' : ''}${report.total} sigils in ${report.tenants.length} tenant${report.tenants.length === 1 ? '' : 's'}`,
    report.dryRun
      ? `  would insert ${o['would-insert']}, already there ${o.unchanged}, conflicting ${o.conflict}`
      : `  inserted ${o.inserted}, already there ${o.unchanged}, conflicting ${o.conflict}`,
    ...report.conflicts.map(
      (c) => `  CONFLICT ${c.tenantId}/${c.id}: Postgres holds a different record with this id`,
    ),
    ...(report.dryRun
      ? []
      : report.tenants.map(
          (t) =>
            `  ${t.match ? 'ok      ' : 'MISMATCH'} ${t.tenantId}: ${t.source.count} → ${t.target.count} sigils, checksum ${t.source.checksum.slice(0, 12)} → ${t.target.checksum.slice(0, 12)}`,
        )),
    report.ok ? 'result: OK' : 'result: FAILED',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
