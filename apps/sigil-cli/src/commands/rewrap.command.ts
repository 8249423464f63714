import type { Command } from 'commander';
import { authHash, checkIntegrity, type IntegrityProblem, type KeyRing, signingInput } from '#sigil';
import { recordsOf, tenantIdsOf, type SigilRecord, type SigilRepository } from '#storage';
import { withOps } from '../ops-context.js';
import { startProgress } from '../progress.js';

/** Rewraps in flight at once: LevelDB commits them in shared batches, Postgres over the pool. */
const CONCURRENCY = 16;

export interface RewrapOptions {
  /** Only records signed under this kid (default: every kid that is not the active one). */
  fromKid?: string;
  dryRun: boolean;
  /** Called once per scanned record (progress). */
  onRecord?: () => void;
}

export interface RewrapReport {
  dryRun: boolean;
  activeKid: string;
  fromKid: string | null;
  /** Every record read, in every tenant. */
  scanned: number;
  /** Re-signed under the active kid (in a dry run: would be). */
  rewrapped: number;
  alreadyActive: number;
  /** With --from-kid: records under some other old kid, left alone. */
  otherKid: number;
  /** Failed the integrity check (never re-signed): see `skipped`. */
  skippedTampered: number;
  /** Signed under a kid the ring does not hold: cannot be verified, so cannot be re-signed. */
  skippedUnknownKey: number;
  /** Deleted or re-signed by someone else between read and write (compare-and-set lost): left as is. */
  raced: number;
  skipped: { tenantId: string; id: string; kid: string; problem: IntegrityProblem }[];
  tenants: number;
  /** False when anything was skipped for integrity: those sigils still need the old secret (or are tampered). */
  ok: boolean;
}

export async function countSigils(repo: SigilRepository): Promise<number> {
  let total = 0;
  for await (const tenantId of repo.tenants()) {
    for await (const _ of repo.patterns(tenantId)) total++;
  }
  return total;
}

/**
 * Re-signs, under the active kid, every sigil still signed under an older one, so that older secret
 * can be dropped from SPIRAL_EVENT_SECRET_PREVIOUS. A record is re-signed only after it passes the
 * integrity check under its current kid, and the new signature covers exactly the fields just
 * verified: a record tampered with meanwhile keeps failing verification. The write is a
 * compare-and-set on the old kid+signature, so it is safe beside a running service (Postgres) and
 * against itself; re-running after an interruption only touches what is left.
 */
export async function rewrapSigils(
  repo: SigilRepository,
  keys: KeyRing,
  options: RewrapOptions,
): Promise<RewrapReport> {
  const activeKid = keys.activeKid;
  const report: RewrapReport = {
    dryRun: options.dryRun,
    activeKid,
    fromKid: options.fromKid ?? null,
    scanned: 0,
    rewrapped: 0,
    alreadyActive: 0,
    otherKid: 0,
    skippedTampered: 0,
    skippedUnknownKey: 0,
    raced: 0,
    skipped: [],
    tenants: 0,
    ok: true,
  };

  const rewrapOne = async (tenantId: string, record: SigilRecord): Promise<void> => {
    const problem = checkIntegrity(record, tenantId, keys);
    if (problem !== null) {
      if (problem === 'unknown_key') report.skippedUnknownKey++;
      else report.skippedTampered++;
      report.skipped.push({ tenantId, id: record.id, kid: String(record.kid), problem });
      return;
    }
    const signature = keys.sign(activeKid, tenantId, signingInput(record));
    const next = { kid: activeKid, signature, authHash: authHash(record.id, signature) };
    if (options.dryRun) {
      report.rewrapped++;
      return;
    }
    const won = await repo.rewrap(
      tenantId,
      record.id,
      { kid: record.kid, signature: record.signature },
      next,
    );
    if (won) report.rewrapped++;
    else report.raced++;
  };

  const tenants = await tenantIdsOf(repo);
  report.tenants = tenants.length;
  for (const tenantId of tenants) {
    const inFlight = new Set<Promise<void>>();
    for await (const record of recordsOf(repo, tenantId)) {
      report.scanned++;
      options.onRecord?.();
      if (record.kid === activeKid) {
        report.alreadyActive++;
        continue;
      }
      if (options.fromKid !== undefined && record.kid !== options.fromKid) {
        report.otherKid++;
        continue;
      }
      const task = rewrapOne(tenantId, record).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
  report.skipped.sort((x, y) =>
    x.tenantId === y.tenantId ? (x.id < y.id ? -1 : 1) : x.tenantId < y.tenantId ? -1 : 1,
  );
  report.ok = report.skippedTampered === 0 && report.skippedUnknownKey === 0;
  return report;
}

export function registerRewrapCommand(program: Command): void {
  program
    .command('rewrap')
    .description(
      're-sign every sigil still under an older secret with the active one (SPIRAL_EVENT_SECRET), so the old secret can be dropped from SPIRAL_EVENT_SECRET_PREVIOUS; tampered records are skipped and reported (exit 1). Uses the service configuration; on LevelDB stop the service first (its LOCK allows one process)',
    )
    .option('--from-kid <kid>', 'only sigils signed under this kid (default: every kid but the active one)')
    .option('--dry-run', 'check and count what would be re-signed; write nothing', false)
    .option('--json', 'print the report as JSON on stdout', false)
    .action(async (options: { fromKid?: string; dryRun: boolean; json: boolean }) => {
      const report = await withOps(async ({ repository, keys }) => {
        if (options.fromKid !== undefined && !keys.has(options.fromKid)) {
          throw new Error(
            `--from-kid ${options.fromKid} is not in the key ring (add its secret to SPIRAL_EVENT_SECRET_PREVIOUS to verify and re-sign its sigils)`,
          );
        }
        if (options.fromKid === keys.activeKid) {
          throw new Error(`--from-kid ${options.fromKid} is the active kid: nothing to re-sign`);
        }
        const total = await countSigils(repository);
        const progress = startProgress(options.dryRun ? 'checking' : 'rewrapping', total);
        try {
          return await rewrapSigils(repository, keys, {
            fromKid: options.fromKid,
            dryRun: options.dryRun,
            onRecord: () => progress.increment(),
          });
        } finally {
          progress.stop();
        }
      });
      printReport(report, options.json);
      if (!report.ok) process.exitCode = 1;
    });
}

function printReport(report: RewrapReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [
    `${report.dryRun ? 'dry run: ' : ''}${report.scanned} sigils in ${report.tenants} tenant${report.tenants === 1 ? '' : 's'}, active kid ${report.activeKid}${report.fromKid ? `, from kid ${report.fromKid}` : ''}`,
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
  process.stdout.write(`${lines.join('\n')}\n`);
}
