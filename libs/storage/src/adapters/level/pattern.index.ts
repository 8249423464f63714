import { type PatternChange, PatternIndex } from '../shared/pattern.index.js';

export type { PatternChange } from '../shared/pattern.index.js';

/** Feeds every stored sigil of one tenant to `put`, from one consistent read of the store. */
export type PatternLoader = (
  tenantId: string,
  put: (id: string, pattern: unknown, revoked: boolean) => void,
) => Promise<void>;

interface Building {
  kind: 'building';
  done: Promise<PatternIndex>;
  /** Changes committed while the build runs, replayed over what it loaded. */
  pending: PatternChange[];
}
type TenantState = { kind: 'ready'; index: PatternIndex } | Building;

/**
 * The match indexes of one LevelDB repository, one per tenant, built lazily on a tenant's first
 * match and then kept equal to the store by `apply`, which the repository calls for every
 * committed batch, in commit order, before any writer resumes.
 *
 * Why the index cannot go stale: classic-level holds the store's LOCK file, so this process is the
 * only writer, and every write to a sigil record goes through the repository's group-commit queue,
 * which reports it here. Hand edits to a closed store are seen because indexes live only as long
 * as the open repository.
 *
 * A build reads the store through one iterator (an implicit LevelDB snapshot) while writes go on.
 * Changes committed meanwhile are logged and replayed over the loaded entries. A logged change may
 * also be in the snapshot already; every change sets state rather than adjusting it (put, revoke,
 * remove), so applying it twice is harmless.
 *
 * Memory is bounded by `maxEntries` across tenants: once a build pushes the total above it, the
 * least recently matched tenants' indexes are dropped (and rebuilt if they are matched again).
 * The tenant just built is always kept, however large it is.
 */
export class PatternIndexes {
  /** Map order is recency order: a ready index is re-inserted whenever it is used. */
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    private readonly load: PatternLoader,
    private readonly maxEntries: number,
  ) {}

  /** The tenant's index, building it on first use; concurrent first uses share one build. */
  get(tenantId: string): Promise<PatternIndex> {
    const state = this.tenants.get(tenantId);
    if (state?.kind === 'ready') {
      this.tenants.delete(tenantId);
      this.tenants.set(tenantId, state);
      return Promise.resolve(state.index);
    }
    if (state?.kind === 'building') return state.done;
    const pending: PatternChange[] = [];
    // Deferred a tick, so the change log is registered before the build opens its iterator.
    const done = Promise.resolve().then(() => this.build(tenantId, building));
    const building: Building = { kind: 'building', done, pending };
    this.tenants.set(tenantId, building);
    return done;
  }

  /** Reports one committed change; ignored for tenants without an index. */
  apply(tenantId: string, change: PatternChange): void {
    const state = this.tenants.get(tenantId);
    if (state?.kind === 'ready') state.index.apply(change);
    else if (state?.kind === 'building') state.pending.push(change);
  }

  /** Drops every index (on close); a build still running is discarded when it ends. */
  clear(): void {
    this.tenants.clear();
  }

  /** Total entries held (tests and diagnostics). */
  get entries(): number {
    let total = 0;
    for (const state of this.tenants.values()) if (state.kind === 'ready') total += state.index.size;
    return total;
  }

  has(tenantId: string): boolean {
    return this.tenants.get(tenantId)?.kind === 'ready';
  }

  private async build(tenantId: string, building: Building): Promise<PatternIndex> {
    const ours = () => this.tenants.get(tenantId) === building;
    try {
      const index = new PatternIndex();
      await this.load(tenantId, (id, pattern, revoked) => index.put(id, pattern, revoked));
      for (const change of building.pending) index.apply(change);
      index.trim();
      if (ours()) {
        // Re-inserted rather than replaced, so it counts as the most recently used.
        this.tenants.delete(tenantId);
        this.tenants.set(tenantId, { kind: 'ready', index });
        this.evictBeyondBudget(tenantId);
      }
      return index;
    } catch (err) {
      // Forget the failed build, so the next match tries again.
      if (ours()) this.tenants.delete(tenantId);
      throw err;
    }
  }

  private evictBeyondBudget(keep: string): void {
    let total = this.entries;
    for (const [tenantId, state] of this.tenants) {
      if (total <= this.maxEntries) return;
      if (tenantId === keep || state.kind !== 'ready') continue;
      this.tenants.delete(tenantId);
      total -= state.index.size;
    }
  }
}
