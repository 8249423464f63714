import type { Command } from 'commander';
import { BACKUPS_PATH } from '#admin';
import { storeConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { printReport } from '../support/output.js';
import { backup, type BackupReport } from './backup.js';

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description(
      `consistent backup of the configured store into a new folder: LevelDB (service stopped; while it runs use POST ${BACKUPS_PATH}) or Postgres (pg_dump -Fc)`,
    )
    .requiredOption('--to <dir>', 'backup folder (must not exist, or be empty)')
    .option('--json', 'print the report as JSON', false)
    .action(
      action(async (options: { to: string; json: boolean }) => {
        printReport(await backup(storeConfig(), options.to), options.json, reportLines, 0);
      }),
    );
}

function reportLines(report: BackupReport): string[] {
  return [
    `backup (${report.kind}) written to ${report.path}` +
      (report.sigils === undefined ? '' : `: ${report.sigils} sigils, ${report.keys} keys`) +
      ` in ${report.durationMs} ms (snapshot at ${report.takenAt})`,
  ];
}
