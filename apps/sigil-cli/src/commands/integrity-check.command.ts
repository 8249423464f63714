import type { Command } from 'commander';
import { withOps } from '../ops-context.js';
import { describeError, usageExit } from './cli-exit.js';
import { scanIntegrity, type IntegrityReport } from './integrity-scan.js';
import { integrityMetrics, writeFileAtomic } from './prometheus-textfile.js';

interface Options {
  json: boolean;
  report?: string;
  textfile?: string;
}

/**
 * `sigil integrity-check`: every stored sigil of every tenant against checkIntegrity under the
 * configured key ring. Exit 0 all intact, 1 any problem, 2 usage/config/connection error.
 */
export function registerIntegrityCheckCommand(program: Command): void {
  program
    .command('integrity-check')
    .description(
      'check every stored sigil of every tenant (shape, kid, tenant, digest, HMAC, authHash) with the configured store and secrets; exit 0 all intact, 1 problems found, 2 could not run (LevelDB: stop the service first, its LOCK allows one process)',
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .option('--report <file>', 'also write the JSON report to this file')
    .option('--textfile <file>', 'write Prometheus textfile-collector metrics here (atomically)')
    .exitOverride(usageExit)
    .action(async (options: Options) => {
      let report: IntegrityReport;
      try {
        report = await withOps(({ repository, keys }) => scanIntegrity(repository, keys));
      } catch (error) {
        process.stderr.write(`sigil integrity-check: ${describeError(error)}\n`);
        process.exitCode = 2;
        return;
      }
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (options.report) await writeFileAtomic(options.report, json);
      if (options.textfile) await writeFileAtomic(options.textfile, integrityMetrics(report));
      process.stdout.write(options.json ? json : summary(report));
      process.exitCode = report.problems.length === 0 ? 0 : 1;
    });
}

function summary(report: IntegrityReport): string {
  const lines = [
    `${report.checked} sigils in ${report.tenants} tenant${report.tenants === 1 ? '' : 's'} checked at ${report.checkedAt}: ${report.intact} intact`,
    ...report.problems.map((p) => `  PROBLEM ${p.tenantId}/${p.id}: ${p.problem}`),
    ...Object.entries(report.byProblem).map(([problem, count]) => `  ${problem}: ${count}`),
    report.problems.length === 0 ? 'result: OK' : 'result: FAILED',
  ];
  return `${lines.join('\n')}\n`;
}
