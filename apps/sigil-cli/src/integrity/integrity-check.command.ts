import type { Command } from 'commander';
import { signingConfig } from '../support/config.js';
import { action, UsageError } from '../support/exit.js';
import { writeFileAtomic } from '../support/fs.js';
import { plural } from '../support/output.js';
import { integrityCheck, type IntegrityCheckReport, type LiveService } from './integrity-check.js';
import { integrityMetrics } from './integrity-metrics.js';

interface Options {
  json: boolean;
  report?: string;
  textfile?: string;
  liveUrl?: string;
  tokenFile?: string;
}

/** `sigil integrity-check`: exit 0 all intact, 1 any problem, 2 could not run (a check). */
export function registerIntegrityCheckCommand(program: Command): void {
  program
    .command('integrity-check')
    .description(
      'check every stored sigil of every tenant (shape, kid, tenant, digest, HMAC, authHash) with the configured store and secrets; exit 0 all intact, 1 problems found, 2 could not run (LevelDB: stop the service first, its LOCK allows one process)',
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .option('--report <file>', 'also write the JSON report to this file')
    .option('--textfile <file>', 'write Prometheus textfile-collector metrics here (atomically)')
    .option(
      '--live-url <url>',
      'check a running service: take a snapshot through its admin backup endpoint, then check the snapshot',
    )
    .option('--token-file <file>', 'with --live-url: file holding a sigil:admin bearer token')
    .action(
      action(
        async (options: Options) => {
          const report = await integrityCheck(signingConfig(), liveServiceOf(options));
          const json = `${JSON.stringify(report, null, 2)}\n`;
          if (options.report) await writeFileAtomic(options.report, json);
          if (options.textfile) await writeFileAtomic(options.textfile, integrityMetrics(report));
          process.stdout.write(options.json ? json : summary(report));
          return report.problems.length === 0;
        },
        () => true,
      ),
    );
}

function liveServiceOf(options: Options): LiveService | undefined {
  if (!options.liveUrl) return undefined;
  if (!options.tokenFile) throw new UsageError('--live-url needs --token-file (a sigil:admin token)');
  return { url: options.liveUrl, tokenFile: options.tokenFile };
}

function summary(report: IntegrityCheckReport): string {
  const lines = [
    ...(report.snapshot ? [`snapshot of the live store: ${report.snapshot}`] : []),
    `${report.checked} sigils in ${plural(report.tenants, 'tenant')} checked at ${report.checkedAt}: ${report.intact} intact`,
    ...report.problems.map((p) => `  PROBLEM ${p.tenantId}/${p.id}: ${p.problem}`),
    ...Object.entries(report.byProblem).map(([problem, count]) => `  ${problem}: ${count}`),
    report.problems.length === 0 ? 'result: OK' : 'result: FAILED',
  ];
  return `${lines.join('\n')}\n`;
}
