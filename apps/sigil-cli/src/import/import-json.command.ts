import type { Command } from 'commander';
import { signingConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import {
  importLegacyFolder,
  MAX_PROBLEMS,
  type ImportFileReport,
  type ImportOptions,
  type ImportReport,
} from './legacy-import.js';

/** Problems printed for people; --json lists up to MAX_PROBLEMS, --report every file. */
const PRINTED_PROBLEMS = 20;

const HELP = `
Files: every *.json directly in --from, one JSON object = one sigil. Other entries (.svg siblings,
READMEs, folders) are counted as skipped. Identity members:
  "id"?:        "<legacy id>" (1–200 chars; missing: the file name without .json)
  "timestamp":  "<ISO-8601 with zone>" | "<ISO-8601 without zone, read as UTC>" | <epoch ms> | "<epoch ms digits>"
  "tenantId"?:  "<tenant>" (else DEFAULT_TENANT)
Data, by shape (the report's "shape"; no file is refused for members the importer doesn't know):
  data       only id, timestamp, data, consciousnessState, signature, tenantId, and "data" an object:
             data = "data"; "consciousnessState" {phi: 0-10, coherence: 0-1, awareness: 0-1,
             resonance?: 0-1} is the sigil's state (invalid: file reported); "signature" is ignored
  members    anything else (the old HTTP endpoint's {...body, id, timestamp}, the identity subsystem's
             files, or the explicit shape with extra members): data = every member except id,
             timestamp and tenantId, verbatim; a valid "consciousnessState" member is also the state
data ≤ SIGIL_MAX_DATA_BYTES as canonical JSON. A file that is not JSON, not an object, without a
usable timestamp or with data over the limit is reported and nothing of it written.
Sigil id = sigil_ + ULID(time = timestamp, random = first 80 bits of
SHA-256("sigil-dna/legacy-json\\0" + tenant + "\\0" + legacy id)), so re-runs (and a run resumed after a
kill) import nothing twice; createdBy "legacy-import", metadata {source: "legacy-json",
tags: ["legacy", "legacy:<full legacy id>"]}.
The folder is streamed: stdout gets totals and the first problems (--json: up to ${MAX_PROBLEMS}), --report
a JSON line per entry with its outcome and SHA-256. Writes go to the service's store (SIGIL_STORAGE /
SIGIL_DB_PATH / DATABASE_URL); stop the service first on LevelDB. Exit 1 when any file was invalid
or conflicted.`;

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
    .option('--report <file>', 'write one JSON line per directory entry (outcome, SHA-256) to <file>')
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

function problemLine(f: ImportFileReport): string {
  const what = f.outcome === 'invalid' ? 'INVALID ' : 'CONFLICT';
  const who = f.sigilId ? ` ${f.tenantId}/${f.legacyId} → ${f.sigilId}` : '';
  return `  ${what} ${f.file} (sha256 ${f.sha256 ?? 'unread'})${who}: ${f.errors?.join('; ')}`;
}

function reportLines(report: ImportReport): string[] {
  const t = report.totals;
  const more = report.problems.length - PRINTED_PROBLEMS + report.problemsOmitted;
  return [
    `${report.dryRun ? 'dry run: ' : ''}${plural(t.files, 'file')} from ${report.from} into ${report.store}`,
    ...(report.backup ? [`  backup: ${report.backup}`] : []),
    ...(report.report ? [`  report: ${report.report}`] : []),
    ...report.problems.slice(0, PRINTED_PROBLEMS).map(problemLine),
    ...(more > 0 ? [`  … and ${plural(more, 'more problem')} (--report lists every file)`] : []),
    report.dryRun
      ? `  would insert ${t['would-insert']}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}, skipped ${t.skipped}`
      : `  inserted ${t.inserted}, already there ${t.unchanged}, conflicting ${t.conflict}, invalid ${t.invalid}, skipped ${t.skipped}`,
    report.ok ? 'result: OK' : 'result: FAILED',
  ];
}
