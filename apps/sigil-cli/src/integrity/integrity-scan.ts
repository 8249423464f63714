import {
  checkIntegrity,
  recordsOf,
  tenantIdsOf,
  type IntegrityProblem,
  type KeyRing,
  type SigilRepository,
} from '#sigil';
import { startProgress } from '../support/progress.js';

/** checkIntegrity's problems, plus a record the store could not even decode. */
export type ScanProblem = IntegrityProblem | 'unreadable';

export interface IntegrityReport {
  checkedAt: string;
  tenants: number;
  checked: number;
  intact: number;
  problems: { tenantId: string; id: string; problem: ScanProblem }[];
  byProblem: Partial<Record<ScanProblem, number>>;
}

/**
 * Every record of every tenant through `checkIntegrity` (the one rule the API's verify uses too),
 * a page at a time. The progress bar counts tenants: the number of records is not known ahead.
 */
export async function scanIntegrity(
  repository: SigilRepository,
  keys: KeyRing,
  options: { progress: boolean } = { progress: true },
): Promise<IntegrityReport> {
  const checkedAt = new Date().toISOString();
  const tenants = await tenantIdsOf(repository);

  const report: IntegrityReport = {
    checkedAt,
    tenants: tenants.length,
    checked: 0,
    intact: 0,
    problems: [],
    byProblem: {},
  };
  const progress = options.progress ? startProgress('checking tenants', tenants.length) : undefined;
  try {
    for (const tenantId of tenants) {
      for await (const record of recordsOf(repository, tenantId, 200, 'yield')) {
        report.checked++;
        // A record damaged past decoding is reported, and the scan reads on past it.
        const problem = 'unreadable' in record ? 'unreadable' : checkIntegrity(record, tenantId, keys);
        if (problem === null) {
          report.intact++;
        } else {
          report.problems.push({ tenantId, id: idOf(record), problem });
          report.byProblem[problem] = (report.byProblem[problem] ?? 0) + 1;
        }
      }
      progress?.increment();
    }
  } finally {
    progress?.stop();
  }
  return report;
}

function idOf(record: unknown): string {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '(no id)';
}
