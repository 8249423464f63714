import type { Command } from 'commander';
import { signingConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import { rewrapStore, type RewrapReport } from './rewrap-sigils.js';

export function registerRewrapCommand(program: Command): void {
  program
    .command('rewrap')
    .description(
      're-sign every sigil still under an older secret with the active one (SPIRAL_EVENT_SECRET), so the old secret can be dropped from SPIRAL_EVENT_SECRET_PREVIOUS; tampered records are skipped and reported (exit 1). Uses the service configuration; on LevelDB stop the service first (its LOCK allows one process)',
    )
    .option('--from-kid <kid>', 'only sigils signed under this kid (default: every kid but the active one)')
    .option('--dry-run', 'check and count what would be re-signed; write nothing', false)
    .option('--json', 'print the report as JSON on stdout', false)
    .action(
      action(async (options: { fromKid?: string; dryRun: boolean; json: boolean }) => {
        const report = await rewrapStore(signingConfig(), {
          fromKid: options.fromKid,
          dryRun: options.dryRun,
        });
        printReport(report, options.json, reportLines);
        return report.ok;
      }),
    );
}

function reportLines(report: RewrapReport): string[] {
  return [
    `${report.dryRun ? 'dry run: ' : ''}${report.scanned} sigils in ${plural(report.tenants, 'tenant')}, active kid ${report.activeKid}${report.fromKid ? `, from kid ${report.fromKid}` : ''}`,
    `  ${report.dryRun ? 'would rewrap' : 'rewrapped'} ${report.rewrapped}, already active ${report.alreadyActive}` +
      `${report.fromKid ? `, other kids ${report.otherKid}` : ''}, raced ${report.raced}`,
    `  skipped: tampered ${report.skippedTampered}, unknown key ${report.skippedUnknownKey}`,
    ...report.skipped.map(
      (s) =>
        `  ${s.problem === 'unknown_key' ? 'UNKNOWN KEY' : 'TAMPERED'} ${s.tenantId}/${s.id} (kid ${s.kid}): ${s.problem}`,
    ),
    report.ok
      ? 'result: OK'
      : 'result: FAILED (skipped sigils were not re-signed; keep their secret until they are dealt with)',
  ];
}
