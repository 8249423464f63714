import { compareHits, cosineOf, type MatchHit, type MatchQuery, RESONANCE_LENGTH } from '#sigil';

/** One committed write, as the match index sees it. */
export type PatternChange =
  | { kind: 'put'; id: string; pattern: unknown; revoked: boolean }
  | { kind: 'revoke'; id: string }
  | { kind: 'remove'; id: string };

/** Feeds every stored sigil of one tenant to `put`, from one consistent read of the store. */
export type PatternLoader = (
  tenantId: string,
  put: (id: string, pattern: unknown, revoked: boolean) => void,
) => Promise<void>;

const D = RESONANCE_LENGTH;

/**
 * One tenant's resonance patterns in flat typed arrays, so a match is a tight loop over doubles
 * instead of decoding every stored record. Per sigil: 16 doubles (128 B) + its squared norm (8 B)
 * + a revoked byte, plus the id string and its map entry (~100 B): about 250 B, ~25 MB per
 * 100 000 sigils. Slot order is arbitrary (a removal moves the last slot into the hole); ranking
 * never depends on it.
 */
export class PatternIndex {
  private ids: string[] = [];
  private vectors: Float64Array;
  /** Σ x² of each stored pattern, summed in index order exactly as `similarity` sums nb. */
  private norms: Float64Array;
  private revoked: Uint8Array;
  private readonly slots = new Map<string, number>();
  private count = 0;

  constructor(capacity = 64) {
    this.vectors = new Float64Array(capacity * D);
    this.norms = new Float64Array(capacity);
    this.revoked = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  apply(change: PatternChange): void {
    if (change.kind === 'put') this.put(change.id, change.pattern, change.revoked);
    else if (change.kind === 'revoke') this.revoke(change.id);
    else this.remove(change.id);
  }

  /**
   * Sets a sigil's entry. Components go through ToNumber on assignment, just as `a[i] * b[i]`
   * coerces them in `similarity`, so even a hand-edited pattern (null, a string, too short: NaN,
   * which never reaches a threshold) scores exactly as the reference scan scores it. A pattern
   * that is not an array at all never matches.
   */
  put(id: string, pattern: unknown, revoked: boolean): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.count++;
      if (slot === this.norms.length) this.grow(Math.max(64, Math.ceil(slot * 1.5)));
      this.slots.set(id, slot);
      this.ids[slot] = id;
    }
    const base = slot * D;
    const values: ArrayLike<unknown> = Array.isArray(pattern) ? pattern : [];
    let nb = 0;
    for (let i = 0; i < D; i++) {
      // ToNumber, as `b[i] * b[i]` would apply it (missing → NaN).
      this.vectors[base + i] = values[i] as number;
      nb += this.vectors[base + i] * this.vectors[base + i];
    }
    this.norms[slot] = nb;
    this.revoked[slot] = revoked ? 1 : 0;
  }

  revoke(id: string): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) this.revoked[slot] = 1;
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const last = --this.count;
    this.slots.delete(id);
    if (slot !== last) {
      const moved = this.ids[last];
      this.ids[slot] = moved;
      this.slots.set(moved, slot);
      this.vectors.copyWithin(slot * D, last * D, last * D + D);
      this.norms[slot] = this.norms[last];
      this.revoked[slot] = this.revoked[last];
    }
    this.ids.pop();
  }

  /** Gives back the slack left by growth; called once a build has loaded everything. */
  trim(): void {
    const capacity = Math.max(64, Math.ceil(this.count * 1.125));
    if (capacity < this.norms.length) this.grow(capacity);
  }

  /**
   * `rankMatches` over this index, result for result. Each similarity is computed from the same
   * doubles in the same order as `similarity` (dot and the query's norm accumulated over i = 0..15,
   * the stored norm cached from the same sum) and finished by the shared `cosineOf`, so rounding
   * agrees bit for bit. Only the topN best are kept (a heap whose root is the worst kept hit),
   * so a threshold that admits all 100 000 sigils still sorts just topN of them.
   *
   * Most entries cannot make the cut, so they are dismissed before the sqrt, division and rounding:
   * an unrounded cosine below `floor` (the threshold, or the worst kept hit once the heap is full,
   * minus 1e-6) cannot round up to it, and dot < floor·√(na·nb) is tested squared. The 1e-6 margin
   * dwarfs the float error of that test (~1e-15), so nothing that would rank is ever dismissed.
   */
  rank(query: MatchQuery): MatchHit[] {
    const q = Float64Array.from(query.pattern);
    let na = 0;
    for (let i = 0; i < D; i++) na += q[i] * q[i];
    const { threshold, topN } = query;
    const skip = query.excludeId === undefined ? -1 : (this.slots.get(query.excludeId) ?? -1);
    const { vectors, norms, revoked, ids } = this;

    const heapSim: number[] = [];
    const heapSlot: number[] = [];
    let floor = threshold - 1e-6;
    let floorSq = floor * floor * na;
    for (let slot = 0; slot < this.count; slot++) {
      if (revoked[slot] === 1 || slot === skip) continue;
      const base = slot * D;
      let dot = 0;
      for (let i = 0; i < D; i++) dot += q[i] * vectors[base + i];
      // Written so NaN never dismisses: it goes on to fail `s >= threshold` like in rankMatches.
      if (floor > 0 && (dot <= 0 || dot * dot < floorSq * norms[slot])) continue;
      const s = cosineOf(dot, na, norms[slot]);
      // Negated so NaN (an unusable stored pattern) is left out, as `s >= threshold` leaves it out.
      if (!(s >= threshold)) continue;
      if (heapSim.length < topN) {
        heapSim.push(s);
        heapSlot.push(slot);
        siftUp(heapSim, heapSlot, ids, heapSim.length - 1);
      } else if (s > heapSim[0] || (s === heapSim[0] && ids[slot] > ids[heapSlot[0]])) {
        heapSim[0] = s;
        heapSlot[0] = slot;
        siftDown(heapSim, heapSlot, ids, 0);
      } else {
        continue;
      }
      if (heapSim.length === topN && heapSim[0] - 1e-6 > floor) {
        floor = heapSim[0] - 1e-6;
        floorSq = floor * floor * na;
      }
    }
    const hits = heapSlot.map((slot, k): MatchHit => ({ id: ids[slot], similarity: heapSim[k] }));
    return hits.sort(compareHits);
  }

  private grow(capacity: number): void {
    const vectors = new Float64Array(capacity * D);
    vectors.set(this.vectors.subarray(0, this.count * D));
    const norms = new Float64Array(capacity);
    norms.set(this.norms.subarray(0, this.count));
    const revoked = new Uint8Array(capacity);
    revoked.set(this.revoked.subarray(0, this.count));
    this.vectors = vectors;
    this.norms = norms;
    this.revoked = revoked;
  }
}

/** Heap order: a ranks below b (lower similarity, or equal and an older id). */
function worse(sa: number, ida: string, sb: number, idb: string): boolean {
  return sa < sb || (sa === sb && ida < idb);
}

function swap(sims: number[], slots: number[], i: number, j: number): void {
  [sims[i], sims[j]] = [sims[j], sims[i]];
  [slots[i], slots[j]] = [slots[j], slots[i]];
}

function siftUp(sims: number[], slots: number[], ids: string[], at: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(sims[i], ids[slots[i]], sims[parent], ids[slots[parent]])) return;
    swap(sims, slots, i, parent);
    i = parent;
  }
}

function siftDown(sims: number[], slots: number[], ids: string[], at: number): void {
  let i = at;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let worst = i;
    if (left < sims.length && worse(sims[left], ids[slots[left]], sims[worst], ids[slots[worst]]))
      worst = left;
    if (right < sims.length && worse(sims[right], ids[slots[right]], sims[worst], ids[slots[worst]]))
      worst = right;
    if (worst === i) return;
    swap(sims, slots, i, worst);
    i = worst;
  }
}

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
