import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ensureDevMaterial, parseConfig } from '#config';
import { withOps } from '../ops-context.js';
import { describeError, usageExit } from './cli-exit.js';
import { scanIntegrity, type IntegrityReport } from './integrity-scan.js';
import { integrityMetrics, writeFileAtomic } from './prometheus-textfile.js';

interface Options {
  json: boolean;
  report?: string;
  textfile?: string;
  liveUrl?: string;
  tokenFile?: string;
}

/**
 * A LevelDB store that a running service holds can't be opened here (its LOCK): ask the service for a
 * snapshot (POST /api/v1/admin/backups, written under SIGIL_BACKUP_DIR) and check that instead. The
 * snapshot is one consistent point in time, and it is kept: a nightly run leaves a verified backup.
 */
async function snapshotOfLiveStore(url: string, tokenFile: string): Promise<string> {
  const token = (await readFile(tokenFile, 'utf8')).trim();
  const response = await fetch(new URL('/api/v1/admin/backups', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(600_000),
  });
  const body = (await response.json().catch(() => ({}))) as { name?: string; detail?: string };
  if (!response.ok || !body.name) {
    throw new Error(`the service refused the snapshot: ${response.status} ${body.detail ?? ''}`.trim());
  }
  return body.name;
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
    .option(
      '--live-url <url>',
      'check a running service: take a snapshot through its admin backup endpoint, then check the snapshot',
    )
    .option('--token-file <file>', 'with --live-url: file holding a sigil:admin bearer token')
    .exitOverride(usageExit)
    .action(async (options: Options) => {
      let report: IntegrityReport & { snapshot?: string };
      try {
        if (options.liveUrl) {
          if (!options.tokenFile) throw new Error('--live-url needs --token-file (a sigil:admin token)');
          const backupDir = parseConfig(process.env, ensureDevMaterial).backupDir;
          if (!backupDir)
            throw new Error('--live-url needs SIGIL_BACKUP_DIR, the folder the service writes snapshots to');
          const name = await snapshotOfLiveStore(options.liveUrl, options.tokenFile);
          const path = join(backupDir, name);
          const env = { ...process.env, SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: path };
          report = {
            ...(await withOps(({ repository, keys }) => scanIntegrity(repository, keys), env)),
            snapshot: path,
          };
        } else {
          report = await withOps(({ repository, keys }) => scanIntegrity(repository, keys));
        }
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

function summary(report: IntegrityReport & { snapshot?: string }): string {
  const lines = [
    ...(report.snapshot ? [`snapshot of the live store: ${report.snapshot}`] : []),
    `${report.checked} sigils in ${report.tenants} tenant${report.tenants === 1 ? '' : 's'} checked at ${report.checkedAt}: ${report.intact} intact`,
    ...report.problems.map((p) => `  PROBLEM ${p.tenantId}/${p.id}: ${p.problem}`),
    ...Object.entries(report.byProblem).map(([problem, count]) => `  ${problem}: ${count}`),
    report.problems.length === 0 ? 'result: OK' : 'result: FAILED',
  ];
  return `${lines.join('\n')}\n`;
}
