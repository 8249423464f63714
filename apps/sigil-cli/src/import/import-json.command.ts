import type { Command } from 'commander';
import { signingConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import { importLegacyFolder, type ImportOptions, type ImportReport } from './legacy-import.js';

const HELP = `
Accepted files: every *.json directly in --from, one sigil each:
  {"id": "<legacy id>", "timestamp": "<ISO-8601 with zone>" | <epoch ms>,
   "data": {<non-empty object>},
   "consciousnessState"?: {"phi": 0-10, "coherence": 0-1, "awareness": 0-1, "resonance"?: 0-1},
   "signature"?: "<legacy, ignored: re-signed under the active key>",
   "tenantId"?: "<tenant>" (else DEFAULT_TENANT)}
Other members make a file invalid. Sigil id = sigil_ + ULID(time = timestamp, random = first 80 bits
of SHA-256("sigil-dna/legacy-json\\0" + tenant + "\\0" + legacy id)), so re-runs are idempotent;
createdBy "legacy-import", metadata {source: "legacy-json", tags: ["legacy", "legacy:<id>" (≤ 50 chars)]}.
Writes go to the service's store (SIGIL_STORAGE / SIGIL_DB_PATH / DATABASE_URL); stop the service
first on LevelDB. Exit 1 when any file was invalid or conflicted.`;

export function registerImportJsonCommand(program: Command): void {
  program
    .command('import-json')
    .description(
      'import legacy JSON sigils (one file per sigil) into the store, re-signed under the active key',
    )
    .option('--from <dir>', 'folder of legacy JSON files', './consciousness-sigils')
    .option('--dry-run', 'report what would be imported; write nothing', false)
    .option(
      '--backup',
      'first copy the LevelDB folder to <path>.backup-<time> (under its LOCK, before writing)',
      false,
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText('after', HELP)
    .action(
      action(async (options: ImportOptions & { json: boolean }) => {
        const report = await importLegacyFolder(signingConfig(), options);
        printReport(report, options.json, reportLines);
        return report.ok;
      }),
    );
}

function reportLines(report: ImportReport): string[] {
  const t = report.totals;
  return [
    `${report.dryRun ? 'dry run: ' : ''}${plural(t.files, 'file')} from ${report.from} into ${report.store}`,
    ...(report.backup ? [`  backup: ${report.backup}`] : []),
    ...report.files.map((f) =>
      f.outcome === 'invalid'
        ? `  INVALID  ${f.file} (sha256 ${f.sha256}): ${f.errors?.join('; ')}`
        : `  ${f.outcome.padEnd(12)} ${f.file} (sha256 ${f.sha256}) ${f.tenantId}/${f.legacyId} → ${f.sigilId}`,
    ),
    report.dryRun
      ? `  would insert ${t['would-insert']}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}`
      : `  inserted ${t.inserted}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}`,
    report.ok ? 'result: OK' : 'result: FAILED',
  ];
}
