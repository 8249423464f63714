import type { Command } from 'commander';
import { signingConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { printReport } from '../support/output.js';
import { restore, type RestoreOptions, type RestoreReport } from './restore.js';

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
    .action(
      action(async (options: RestoreOptions & { json: boolean }) => {
        const report = await restore(signingConfig(), options);
        printReport(report, options.json, reportLines, 0);
        return report.ok;
      }),
    );
}

function reportLines(report: RestoreReport): string[] {
  const i = report.integrity;
  return [
    `restored ${report.kind} backup ${report.from} into ${report.to}${report.replaced ? ' (replaced)' : ''} in ${report.durationMs} ms`,
    `integrity: ${i.checked} checked, ${i.intact} intact, ${i.problems.length} problems`,
    ...i.problems.slice(0, 20).map((p) => `  ${p.problem} ${p.tenantId}/${p.id}`),
    report.ok ? 'result: OK' : 'result: FAILED',
  ];
}
