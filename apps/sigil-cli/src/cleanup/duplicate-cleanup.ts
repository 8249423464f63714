import { recordsOf, tenantIdsOf, type SigilRepository } from '#sigil';

const CLEANUP_REVOKED_BY = 'cleanup-duplicates';
const CLEANUP_REASON = 'duplicate';

/** What one duplicate group needs: ids only. */
export interface GroupPlan {
  tenantId: string;
  digest: string;
  keep: string | null;
  /** Unrevoked duplicates: revoked (or, with --purge, deleted). */
  revoke: string[];
  /** With --purge: duplicates an earlier run of this command already revoked. */
  purgeRevoked: string[];
}

export interface CleanupReport {
  dryRun: boolean;
  purge: boolean;
  /** Tenants scanned. */
  tenants: number;
  /** Digest groups with two or more sigils (in any state). */
  groups: number;
  /** Groups with a kept, unrevoked sigil. */
  kept: number;
  revoked: number;
  wouldRevoke: number;
  purged: number;
  wouldPurge: number;
  /** Groups with something to do, in (tenant, digest) order. */
  plans: GroupPlan[];
}

interface Entry {
  id: string;
  createdAt: string;
  revoked: boolean;
  expired: boolean;
  byCleanup: boolean;
}

/** Oldest first: smallest createdAt, then id. */
const oldestFirst = (a: Entry, b: Entry) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Per tenant, sigils sharing a `dna.digest` (the same data) form a group. Kept: the oldest unrevoked
 * one (smallest createdAt, then id), preferring one that has not expired so a still-valid sigil is
 * never revoked in favour of an expired one. Every other unrevoked member is a duplicate. Already
 * revoked members are left alone — except, with --purge, those this command itself revoked.
 */
async function planCleanup(
  repo: SigilRepository,
  purge: boolean,
  now: number,
): Promise<{ tenants: number; groups: number; kept: number; plans: GroupPlan[] }> {
  const tenants = await tenantIdsOf(repo);
  let groups = 0;
  let kept = 0;
  const plans: GroupPlan[] = [];
  for (const tenantId of tenants) {
    const byDigest = new Map<string, Entry[]>();
    for await (const r of recordsOf(repo, tenantId)) {
      const entry: Entry = {
        id: r.id,
        createdAt: r.createdAt,
        revoked: r.revokedAt !== null,
        expired: r.expiresAt !== null && Date.parse(r.expiresAt) <= now,
        byCleanup: r.revokedBy === CLEANUP_REVOKED_BY && r.revocationReason === CLEANUP_REASON,
      };
      const list = byDigest.get(r.dna.digest);
      if (list) list.push(entry);
      else byDigest.set(r.dna.digest, [entry]);
    }
    for (const digest of [...byDigest.keys()].sort()) {
      const members = byDigest.get(digest)!.sort(oldestFirst);
      if (members.length < 2) continue;
      groups++;
      const live = members.filter((m) => !m.revoked);
      const keep = live.find((m) => !m.expired) ?? live[0] ?? null;
      if (keep) kept++;
      const revoke = live.filter((m) => m !== keep).map((m) => m.id);
      const purgeRevoked = purge ? members.filter((m) => m.revoked && m.byCleanup).map((m) => m.id) : [];
      if (revoke.length > 0 || purgeRevoked.length > 0) {
        plans.push({ tenantId, digest, keep: keep?.id ?? null, revoke, purgeRevoked });
      }
    }
  }
  return { tenants: tenants.length, groups, kept, plans };
}

export async function cleanupDuplicates(
  repo: SigilRepository,
  options: { execute: boolean; purge: boolean },
  now = Date.now(),
): Promise<CleanupReport> {
  const plan = await planCleanup(repo, options.purge, now);
  const report: CleanupReport = {
    dryRun: !options.execute,
    purge: options.purge,
    tenants: plan.tenants,
    groups: plan.groups,
    kept: plan.kept,
    revoked: 0,
    wouldRevoke: 0,
    purged: 0,
    wouldPurge: 0,
    plans: plan.plans,
  };
  for (const group of plan.plans) {
    if (!options.execute) {
      if (options.purge) report.wouldPurge += group.revoke.length + group.purgeRevoked.length;
      else report.wouldRevoke += group.revoke.length;
      continue;
    }
    if (options.purge) {
      for (const id of [...group.revoke, ...group.purgeRevoked]) {
        if (await repo.delete(group.tenantId, id)) report.purged++;
      }
      continue;
    }
    const revokedAt = new Date(now).toISOString();
    for (const id of group.revoke) {
      const revoked = await repo.revoke(group.tenantId, id, {
        revokedAt,
        revokedBy: CLEANUP_REVOKED_BY,
        reason: CLEANUP_REASON,
      });
      // Someone else may have revoked it meanwhile (Postgres, service running): that one stays theirs.
      if (revoked?.revokedBy === CLEANUP_REVOKED_BY && revoked.revokedAt === revokedAt) report.revoked++;
    }
  }
  return report;
}
