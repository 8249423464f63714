import { Option, type Command } from 'commander';
import { storeConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import { migrateLevelToPostgres, type MigrationOptions, type MigrationReport } from './level-to-postgres.js';

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
    .action(
      action(async (options: MigrationOptions & { json: boolean }) => {
        const report = await migrateLevelToPostgres(storeConfig(), options);
        printReport(report, options.json, reportLines);
        return report.ok;
      }),
    );
}

function reportLines(report: MigrationReport): string[] {
  const o = report.outcomes;
  return [
    `${report.dryRun ? 'dry run: ' : ''}${report.total} sigils in ${plural(report.tenants.length, 'tenant')}`,
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
}
