import type { IntegrityReport } from './integrity-scan.js';

/** Every problem kind the scan can name (checkIntegrity's and 'unreadable'), so each series exists (0) even on a clean run. */
const PROBLEMS = [
  'bad_shape',
  'unknown_key',
  'tenant_mismatch',
  'digest_mismatch',
  'signature_mismatch',
  'auth_hash_mismatch',
  'unreadable',
] as const;

/** The report in Prometheus text exposition format, for node_exporter's textfile collector. */
export function integrityMetrics(report: IntegrityReport): string {
  const lines = [
    '# HELP sigil_integrity_last_status Whether the last integrity check found every sigil intact (1) or not (0).',
    '# TYPE sigil_integrity_last_status gauge',
    `sigil_integrity_last_status ${report.problems.length === 0 ? 1 : 0}`,
    '# HELP sigil_integrity_records_checked Sigils checked by the last integrity check.',
    '# TYPE sigil_integrity_records_checked gauge',
    `sigil_integrity_records_checked ${report.checked}`,
    '# HELP sigil_integrity_problems Sigils failing the last integrity check, by problem.',
    '# TYPE sigil_integrity_problems gauge',
    ...PROBLEMS.map((p) => `sigil_integrity_problems{problem="${p}"} ${report.byProblem[p] ?? 0}`),
    '# HELP sigil_integrity_last_run_timestamp_seconds When the last integrity check ran (Unix time).',
    '# TYPE sigil_integrity_last_run_timestamp_seconds gauge',
    `sigil_integrity_last_run_timestamp_seconds ${Math.floor(Date.parse(report.checkedAt) / 1000)}`,
  ];
  return `${lines.join('\n')}\n`;
}
