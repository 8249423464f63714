import type { MatchHit, MatchQuery } from '#sigil';
import { PatternIndex } from '../shared/pattern.index.js';
import { type ChangeBatch, type MatchRow, patternOf } from './sigil-changes.query.js';

/** What the cache reads from Postgres (sigil-changes.query.ts, bound to the adapter's pool). */
export interface MatchIndexSource {
  horizon(): Promise<bigint>;
  page(tenantId: string, after: string, limit: number): Promise<MatchRow[]>;
  changesSince(tenantId: string, horizon: bigint): Promise<ChangeBatch>;
}

/** Rows per statement while building: few round trips, each well inside the statement timeout. */
const BUILD_PAGE = 20_000;

/**
 * One tenant's index and how far it has caught up. `horizon` is the xmin of the last snapshot whose
 * every visible change the index reflects.
 */
class TenantMatchIndex {
  readonly index = new PatternIndex();
  private inFlight: Promise<boolean> | null = null;
  private queued: Promise<boolean> | null = null;

  constructor(
    private readonly source: MatchIndexSource,
    readonly tenantId: string,
    private horizon: bigint,
  ) {}

  /**
   * Applies every change committed before this call (on any replica). False when the log has been
   * pruned past this index's horizon: it can no longer be caught up and must be rebuilt.
   *
   * A catch-up already running may have taken its snapshot before the caller's own write was
   * acknowledged, so a caller never joins one in flight: it waits for the next, which all callers
   * arriving meanwhile share. At most two statements per tenant are ever outstanding.
   */
  catchUp(): Promise<boolean> {
    if (this.inFlight === null) {
      this.inFlight = this.readChanges().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    if (this.queued === null) {
      this.queued = this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.catchUp();
        });
    }
    return this.queued;
  }

  private async readChanges(): Promise<boolean> {
    const batch = await this.source.changesSince(this.tenantId, this.horizon);
    if (batch.prunedBelow > this.horizon) return false;
    // Each change sets the sigil's current state, so one seen twice (or already loaded) is harmless.
    for (const { id, row } of batch.changes) {
      if (row === null) this.index.remove(id);
      else this.index.put(id, patternOf(row), false);
    }
    this.horizon = batch.horizon;
    return true;
  }
}

/**
 * The Postgres adapter's in-process match indexes: each replica holds a copy of a tenant's
 * unrevoked patterns, built on the tenant's first match and caught up on every match from the
 * change log the `sigils_changes` trigger writes (SigilChanges migration), so a replica sees every
 * other replica's writes that were acknowledged before its match started.
 *
 * Why catching up from an xmin misses nothing: a transaction not visible to a snapshot either was
 * running when it was taken (its id is ≥ the snapshot's xmin) or started later (its id is ≥ xmax ≥
 * xmin). So every change committed after the snapshot the horizon came from has xid ≥ horizon,
 * however commits interleave on however many replicas. Reading xid ≥ horizon may re-read changes
 * already applied; applying one again changes nothing.
 *
 * A build takes the horizon first, then pages through the rows (later snapshots), then catches up
 * from that horizon: a change committed during the build is either in the pages and re-applied,
 * or only in the log.
 *
 * Memory is bounded by `maxSigils` across tenants, as in the LevelDB adapter: once a build pushes
 * the total above it, the least recently matched tenants' indexes are dropped (and rebuilt when
 * matched again). The tenant just built is always kept.
 */
export class PostgresMatchIndexes {
  /** Map order is recency order. */
  private readonly tenants = new Map<string, Promise<TenantMatchIndex>>();
  private readonly ready = new Map<string, TenantMatchIndex>();

  constructor(
    private readonly source: MatchIndexSource,
    private readonly maxSigils: number,
  ) {}

  async rank(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    let tenant = await this.get(tenantId);
    if (!(await tenant.catchUp())) {
      this.forget(tenantId, tenant);
      tenant = await this.get(tenantId);
      // A fresh build has just caught up; a second prune past it in between is a bug, not a race.
      if (!(await tenant.catchUp())) throw new Error('match index could not catch up after a rebuild');
    }
    return tenant.index.rank(query);
  }

  has(tenantId: string): boolean {
    return this.ready.has(tenantId);
  }

  /** Total sigils held (tests and diagnostics). */
  get entries(): number {
    let total = 0;
    for (const tenant of this.ready.values()) total += tenant.index.size;
    return total;
  }

  clear(): void {
    this.tenants.clear();
    this.ready.clear();
  }

  private get(tenantId: string): Promise<TenantMatchIndex> {
    const known = this.tenants.get(tenantId);
    if (known !== undefined) {
      this.tenants.delete(tenantId);
      this.tenants.set(tenantId, known);
      return known;
    }
    const built = this.build(tenantId);
    this.tenants.set(tenantId, built);
    built.then(
      (tenant) => {
        if (this.tenants.get(tenantId) !== built) return;
        this.ready.set(tenantId, tenant);
        this.evictBeyondBudget(tenantId);
      },
      () => {
        // Forget the failed build, so the next match tries again.
        if (this.tenants.get(tenantId) === built) this.tenants.delete(tenantId);
      },
    );
    return built;
  }

  private async build(tenantId: string): Promise<TenantMatchIndex> {
    const tenant = new TenantMatchIndex(this.source, tenantId, await this.source.horizon());
    for (let after = ''; ;) {
      const rows = await this.source.page(tenantId, after, BUILD_PAGE);
      for (const row of rows) tenant.index.put(row.id, patternOf(row), false);
      if (rows.length < BUILD_PAGE) break;
      after = rows[rows.length - 1].id;
    }
    tenant.index.trim();
    return tenant;
  }

  private forget(tenantId: string, tenant: TenantMatchIndex): void {
    if (this.ready.get(tenantId) !== tenant) return;
    this.ready.delete(tenantId);
    this.tenants.delete(tenantId);
  }

  private evictBeyondBudget(keep: string): void {
    let total = this.entries;
    for (const tenantId of this.tenants.keys()) {
      if (total <= this.maxSigils) return;
      const tenant = this.ready.get(tenantId);
      if (tenantId === keep || tenant === undefined) continue;
      this.forget(tenantId, tenant);
      total -= tenant.index.size;
    }
  }
}
