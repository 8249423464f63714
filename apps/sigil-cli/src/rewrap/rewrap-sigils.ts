import type { SigningOpsConfig } from '#config';
import {
  authHash,
  checkIntegrity,
  recordsOf,
  signingInput,
  tenantIdsOf,
  type IntegrityProblem,
  type KeyRing,
  type SigilRecord,
  type SigilRepository,
} from '#sigil';
import { forEachConcurrently } from '../support/concurrency.js';
import { UsageError } from '../support/exit.js';
import { startProgress } from '../support/progress.js';
import { countRecords } from '../support/records.js';
import { keyRingOf, withOpsStore } from '../support/store.js';

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

/** `rewrap` on the configured store, with a progress bar over every stored sigil. */
export async function rewrapStore(
  config: SigningOpsConfig,
  options: Omit<RewrapOptions, 'onRecord'>,
): Promise<RewrapReport> {
  const keys = keyRingOf(config);
  if (options.fromKid !== undefined && !keys.has(options.fromKid)) {
    throw new UsageError(
      `--from-kid ${options.fromKid} is not in the key ring (add its secret to SPIRAL_EVENT_SECRET_PREVIOUS to verify and re-sign its sigils)`,
    );
  }
  if (options.fromKid === keys.activeKid) {
    throw new UsageError(`--from-kid ${options.fromKid} is the active kid: nothing to re-sign`);
  }
  return withOpsStore(config, async ({ repository }) => {
    const progress = startProgress(
      options.dryRun ? 'checking' : 'rewrapping',
      await countRecords(repository),
    );
    try {
      return await rewrapSigils(repository, keys, { ...options, onRecord: () => progress.increment() });
    } finally {
      progress.stop();
    }
  });
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
    report.scanned++;
    options.onRecord?.();
    if (record.kid === activeKid) {
      report.alreadyActive++;
      return;
    }
    if (options.fromKid !== undefined && record.kid !== options.fromKid) {
      report.otherKid++;
      return;
    }
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
    await forEachConcurrently(recordsOf(repo, tenantId), (record) => rewrapOne(tenantId, record));
  }
  report.skipped.sort((x, y) =>
    x.tenantId === y.tenantId ? (x.id < y.id ? -1 : 1) : x.tenantId < y.tenantId ? -1 : 1,
  );
  report.ok = report.skippedTampered === 0 && report.skippedUnknownKey === 0;
  return report;
}
