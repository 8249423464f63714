import { compareHits, cosineOf, type MatchHit, type MatchQuery, RESONANCE_LENGTH } from '#sigil';
import { principalAxes } from './principal-axes.js';
import { CentroidSearch, clampUnit, dotAt, sphericalKMeans } from './unit-clusters.js';

/** One committed write, as a match index sees it. */
export type PatternChange =
  | { kind: 'put'; id: string; pattern: unknown; revoked: boolean }
  | { kind: 'revoke'; id: string }
  | { kind: 'remove'; id: string };

const D = RESONANCE_LENGTH;
/** 32-bit words per stored pattern. */
const WORDS = 2 * D;
/** No entry / no row: the end of a linked list. */
const NONE = -1;
/** Principal axes the pruning bound projects onto, and the doubles it keeps per row. */
const AXES = 6;
const PROJ = AXES + 1;
/** Distinct patterns from which the axes and clusters are worth building (a few ms per 10k rows). */
const STRUCTURE_MIN_ROWS = 1024;
/** Rows the axes are estimated from, at most (every k-th row). */
const AXES_SAMPLE = 50_000;
/** Rows the clusters are estimated from, at most (every k-th regular row), and k-means passes. */
const CLUSTER_SAMPLE = 20_000;
const KMEANS_ITERATIONS = 4;
/** Rows added or emptied since the build, as a share of the rows then, that trigger a rebuild. */
const REBUILD_FRACTION = 0.25;
/**
 * Added to every angle to a centroid and taken off every query's: some 10× the float error of an
 * angle computed as acos of a dot product of unit vectors (≤ ~1.1e-7, where acos is steepest).
 */
const ANGLE_MARGIN = 1e-6;
/**
 * A cosine more than this below a value cannot round (to 6 decimals) up to it: round6 moves a value
 * by at most 0.5e-6, and 1e-8 covers the float error of every bound (~1e-15) many times over.
 */
const FLOOR_MARGIN = 0.5e-6 + 1e-8;
/** Squared norms outside this range are left out of the bounds (the exact test still runs). */
const REGULAR_MIN = 1e-200;
const REGULAR_MAX = 1e200;
const NO_PROJECTION = new Float64Array(PROJ);
/** Scratch for `projectUnit`. */
const REST = new Float64Array(D);

export interface PatternIndexOptions {
  /** Distinct patterns from which the axes and clusters are built (tests lower it). */
  structureMinRows?: number;
}

/**
 * One tenant's resonance patterns, held so that a match reads as few of them as it can and
 * answers exactly as the reference scan does.
 *
 * Deduplicated: real tenants mint many sigils with the same pattern (it depends only on the first
 * 16 canonical characters of the data and the consciousness state, and most sigils use the default
 * state), so each distinct pattern is one *row* (16 doubles, its squared norm) and each sigil an
 * *entry* on its row's list. A match computes at most one similarity per row, not per sigil: at
 * 1,000,000 realistic sigils about 430,000 rows (test/bench/match-data.mjs).
 *
 * Clustered: once the index holds STRUCTURE_MIN_ROWS rows, its first match groups the rows into
 * ~√n clusters of nearby directions (spherical k-means on a sample) and lays each cluster out
 * contiguously, its rows in descending angle from the cluster's centroid. A match visits clusters
 * best first and stops at the first cluster, and within a cluster at the first row, that the
 * triangle inequality on angles proves cannot reach the current floor (see `rank`). Realistic
 * patterns are tight families (a base per consciousness state plus small per-character offsets),
 * so most queries read a few per cent of the rows.
 *
 * Exact: a row's similarity is computed from the same doubles in the same order as `similarity`
 * (the dot product and the query's norm accumulated over i = 0..15, the stored norm cached from the
 * same sum) and finished by the shared `cosineOf`, so every result is bit-identical to
 * `rankMatches`. Rows are equal only when their 16 doubles are bit-identical, so -0 and 0, or two
 * NaNs, never merge in a way that could change a product. Every bound is rounded towards keeping a
 * row; odd rows (zero, tiny, huge or non-finite norms) are never dismissed by one.
 *
 * Memory per sigil: the id string and its map slot (~80 B) plus 13 B of entry arrays; per distinct
 * pattern 216 B of row arrays and a hash-map slot (~20 B). Measured: see docs/performance.md, Match.
 *
 * Each row's entries are kept in id order, newest first: of sigils with equal similarity the
 * newest rank first, so a row's list is read only until the heap stops taking from it. Inserting
 * walks from the newest end, so loading and minting in id order (ULIDs are time-ordered) is O(1).
 *
 * Writes after the build: a new pattern is appended after the clustered rows, tagged with its
 * nearest centroid and its angle to it, and tested against that cluster's angle on every match; an
 * emptied row stays in place, unmatchable, until the next build. When the rows added or emptied
 * since the build pass REBUILD_FRACTION of the rows then, the next match rebuilds axes and
 * clusters.
 */
export class PatternIndex {
  // Rows: one per distinct stored pattern.
  private vectors: Float64Array;
  /** The same memory as `vectors`, as words: rows are hashed and compared by their bits. */
  private vectorBits: Uint32Array;
  /** Σ x² of each row's pattern, summed in index order exactly as `similarity` sums nb. */
  private norms: Float64Array;
  /** Entries on the row that can match (not revoked); 0 skips the row without reading it. */
  private matchable: Int32Array;
  /** The row's newest entry (lists run newest to oldest); NONE for an emptied row. */
  private rowHead: Int32Array;
  /** The next row with the same pattern hash. */
  private rowChain: Int32Array;
  /**
   * Per row: its unit pattern's coordinates on the principal axes, then an upper bound of the norm
   * of what the axes leave out (Infinity: never dismissed by the bound). See `rank`.
   */
  private proj: Float64Array;
  /**
   * Per row: an upper bound of the angle between its pattern and its cluster's centroid (Infinity
   * for a row the bounds leave alone; 0 before clusters are built).
   */
  private rho: Float64Array;
  /** Per row: its cluster (0 before clusters are built). */
  private rowCluster: Int32Array;
  private axes: Float64Array[] | null = null;
  private rowCount = 0;
  /** Rows with at least one entry. */
  private liveRows = 0;
  /** Emptied rows, reused for new patterns until clusters are built (then they stay in place). */
  private freeRows: number[] = [];
  private readonly rowsByHash = new Map<number, number>();

  // Clusters, once built: cluster j's rows are [clusterStart[j], clusterStart[j + 1]), in
  // descending `rho`; [clusterStart[k], builtEnd) holds the odd rows; later rows follow builtEnd.
  private centroids: Float64Array | null = null;
  private search: CentroidSearch | null = null;
  private clusterCount = 0;
  private clusterStart = new Int32Array(1);
  private builtEnd = 0;
  /** Rows emptied since the build. */
  private holes = 0;
  /** Per-match scratch, one slot per cluster: angle to the query, bound, visiting order. */
  private alphas = new Float64Array(0);
  private keys = new Float64Array(0);
  private order = new Int32Array(0);

  // Entries: one per sigil.
  private ids: string[] = [];
  private entryRow: Int32Array;
  private entryNext: Int32Array;
  private entryPrev: Int32Array;
  private entryRevoked: Uint8Array;
  private readonly entries = new Map<string, number>();
  private entryCount = 0;

  /** Scratch row for hashing and comparing an incoming pattern. */
  private readonly incoming = new Float64Array(D);
  private readonly incomingBits = new Uint32Array(this.incoming.buffer);
  /** Scratch for projections. */
  private readonly unit = new Float64Array(D);
  private readonly structureMinRows: number;

  constructor(options: PatternIndexOptions = {}) {
    this.structureMinRows = Math.max(1, options.structureMinRows ?? STRUCTURE_MIN_ROWS);
    const capacity = 64;
    this.vectors = new Float64Array(capacity * D);
    this.vectorBits = new Uint32Array(this.vectors.buffer);
    this.norms = new Float64Array(capacity);
    this.proj = new Float64Array(capacity * PROJ);
    this.rho = new Float64Array(capacity);
    this.rowCluster = new Int32Array(capacity);
    this.matchable = new Int32Array(capacity);
    this.rowHead = new Int32Array(capacity);
    this.rowChain = new Int32Array(capacity);
    this.entryRow = new Int32Array(capacity);
    this.entryNext = new Int32Array(capacity);
    this.entryPrev = new Int32Array(capacity);
    this.entryRevoked = new Uint8Array(capacity);
  }

  /** Sigils held. */
  get size(): number {
    return this.entryCount;
  }

  /** Distinct patterns held. */
  get distinct(): number {
    return this.liveRows;
  }

  /** Clusters the rows are grouped into (0 until the first match at STRUCTURE_MIN_ROWS rows). */
  get clusters(): number {
    return this.clusterCount;
  }

  /** Bytes held in typed arrays (ids and maps come on top; see the class comment). */
  get arrayBytes(): number {
    return (
      this.vectors.byteLength +
      this.norms.byteLength +
      this.proj.byteLength +
      this.rho.byteLength +
      this.rowCluster.byteLength +
      this.matchable.byteLength +
      this.rowHead.byteLength +
      this.rowChain.byteLength +
      (this.centroids?.byteLength ?? 0) +
      this.entryRow.byteLength +
      this.entryNext.byteLength +
      this.entryPrev.byteLength +
      this.entryRevoked.byteLength
    );
  }

  apply(change: PatternChange): void {
    if (change.kind === 'put') this.put(change.id, change.pattern, change.revoked);
    else if (change.kind === 'revoke') this.revoke(change.id);
    else this.remove(change.id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * Sets a sigil's entry. Components go through ToNumber on assignment, just as `a[i] * b[i]`
   * coerces them in `similarity`, so even a hand-edited pattern (null, a string, too short: NaN,
   * which never reaches a threshold) scores exactly as the reference scan scores it. A pattern
   * that is not an array at all never matches.
   */
  put(id: string, pattern: unknown, revoked: boolean): void {
    const values: ArrayLike<unknown> = Array.isArray(pattern) ? pattern : [];
    // ToNumber, as `b[i] * b[i]` would apply it (missing → NaN).
    for (let i = 0; i < D; i++) this.incoming[i] = values[i] as number;
    const hash = hashWords(this.incomingBits, 0);
    const existing = this.entries.get(id);
    if (existing !== undefined) {
      const row = this.entryRow[existing];
      if (this.rowEqualsIncoming(row)) {
        this.setRevoked(existing, revoked);
        return;
      }
      this.remove(id);
    }
    const row = this.findOrAddRow(hash);
    const entry = this.entryCount++;
    if (entry === this.entryRow.length) this.growEntries(Math.max(64, Math.ceil(entry * 1.5)));
    this.ids[entry] = id;
    this.entries.set(id, entry);
    this.entryRow[entry] = row;
    this.entryRevoked[entry] = revoked ? 1 : 0;
    if (!revoked) this.matchable[row]++;
    this.link(row, entry);
  }

  revoke(id: string): void {
    const entry = this.entries.get(id);
    if (entry !== undefined) this.setRevoked(entry, true);
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    const row = this.entryRow[entry];
    if (this.entryRevoked[entry] === 0) this.matchable[row]--;
    this.unlink(row, entry);
    if (this.rowHead[row] === NONE) this.freeRow(row);
    this.entries.delete(id);
    // Keep entries dense: the last one moves into the hole.
    const last = --this.entryCount;
    if (entry !== last) this.moveEntry(last, entry);
    this.ids.pop();
  }

  /** Gives back the slack left by growth; called once a build has loaded everything. */
  trim(): void {
    const rows = Math.max(64, Math.ceil(this.rowCount * 1.125));
    if (rows < this.norms.length) this.growRows(rows);
    const entries = Math.max(64, Math.ceil(this.entryCount * 1.125));
    if (entries < this.entryRow.length) this.growEntries(entries);
  }

  /**
   * `rankMatches` over this index, result for result. Only the topN best are kept (a heap whose
   * root is the worst kept hit), so a threshold that admits every sigil still sorts just topN.
   *
   * The floor: an unrounded cosine below the threshold, or below the worst kept hit once the heap
   * is full, minus FLOOR_MARGIN, cannot round up to it, so it cannot rank, not even on an id tie.
   * Rows are dismissed against `cut` = floor − 1e-9 by three bounds, cheapest first, each an upper
   * bound of the row's cosine whatever the float error (margins some 10⁴× that error):
   *
   * 1. Clusters. With u the query's direction, c a centroid and v a member, the angle between
   *    directions is a metric, so ∠(u, v) ≥ ∠(u, c) − ∠(v, c). Each row keeps ρ ≥ ∠(v, c) (rounded
   *    up by ANGLE_MARGIN), each match computes α ≤ ∠(u, c) per cluster (rounded down), and a row
   *    with α − ρ > acos(cut) has cos ∠(u, v) < cut. A cluster's rows are in descending ρ, so the
   *    first row failing the test ends the cluster, and a cluster whose first row fails is never
   *    read: clusters are visited in ascending α − ρ₀ (best bound first, which raises the floor
   *    soonest) until one fails. Rows added since the build are tested one by one against their
   *    own cluster's α.
   * 2. Principal axes. With û and v̂ the unit query and pattern, p their coordinates on the first
   *    AXES principal axes of the stored patterns and r the norms of what those axes leave out,
   *    cos = p(û)·p(v̂) + rest(û)·rest(v̂) ≤ p(û)·p(v̂) + r(û)·r(v̂) (Cauchy–Schwarz on the rest);
   *    7 multiplications instead of 16. It holds for any orthonormal axes (they only make it tight).
   * 3. The dot product, before the sqrt, division and rounding: dot < floor·√(na·nb), squared.
   *
   * The dot product is written out term by term: the same additions in the same order as the
   * loop in `similarity` (so the same bits), but about twice as fast as a loop in V8. Odd queries
   * (zero, tiny, huge norms) skip bounds 1 and 2 and read every row.
   */
  rank(query: MatchQuery): MatchHit[] {
    const q = Float64Array.from(query.pattern);
    let na = 0;
    for (let i = 0; i < D; i++) na += q[i] * q[i];
    const skip = query.excludeId === undefined ? NONE : (this.entries.get(query.excludeId) ?? NONE);
    const heap = new TopHits(query.topN, this.ids);
    if (this.structureStale()) this.buildStructure();
    const bound = this.queryProjection(q, na);
    const scan = new Scan(q, na, query.threshold, skip, heap, bound);
    if (bound === null || this.centroids === null) this.scanRows(scan, 0, this.rowCount, NONE);
    else this.scanClusters(scan, this.centroids);
    return heap.hits().sort(compareHits);
  }

  /** Visits the clusters best bound first, then the rows added since they were built. */
  private scanClusters(scan: Scan, centroids: Float64Array): void {
    const { clusterCount: k, clusterStart, alphas, keys, order, rho } = this;
    const s = Math.sqrt(scan.na);
    const unit = scan.q.map((x) => x / s);
    for (let j = 0; j < k; j++) {
      const dot = dotAt(unit, 0, centroids, j * D);
      alphas[j] = Math.acos(clampUnit(dot)) - ANGLE_MARGIN;
      const first = clusterStart[j];
      keys[j] = first < clusterStart[j + 1] ? alphas[j] - rho[first] : Number.POSITIVE_INFINITY;
      order[j] = j;
    }
    order.sort((a, b) => keys[a] - keys[b]);
    // The odd rows first: no bound applies to them.
    this.scanRows(scan, clusterStart[k], this.builtEnd, NONE);
    for (let i = 0; i < k; i++) {
      const j = order[i];
      // Every later cluster's bound is lower still. (NaN: a cut outside [-1, 1], read on.)
      if (keys[j] > scan.gamma) break;
      this.scanRows(scan, clusterStart[j], clusterStart[j + 1], j);
    }
    this.scanRows(scan, this.builtEnd, this.rowCount, k);
  }

  /**
   * Rows [start, end) against the floor. `cluster`: the cluster they all belong to, sorted by
   * descending ρ (stop at the first row its bound dismisses); NONE for no cluster bound; the
   * cluster count for rows after the build (each tested against its own cluster).
   */
  private scanRows(scan: Scan, start: number, end: number, cluster: number): void {
    const { q, na, threshold, skip, heap } = scan;
    const useBound = scan.bound !== null;
    const [u0, u1, u2, u3, u4, u5, ur] = scan.bound ?? NO_PROJECTION;
    const { vectors: v, norms, matchable, proj, rho, rowCluster, alphas } = this;
    const perRow = cluster === this.clusterCount;
    const alpha = cluster === NONE || perRow ? Number.NEGATIVE_INFINITY : alphas[cluster];
    let { floor, floorSq, cut, gamma } = scan;
    let limit = alpha - gamma;
    for (let row = start, b = start * D, c = start * PROJ; row < end; row++, b += D, c += PROJ) {
      if (perRow) {
        if (rho[row] < alphas[rowCluster[row]] - gamma) continue;
      } else if (rho[row] < limit) break;
      if (matchable[row] === 0) continue;
      if (
        useBound &&
        u0 * proj[c] +
          u1 * proj[c + 1] +
          u2 * proj[c + 2] +
          u3 * proj[c + 3] +
          u4 * proj[c + 4] +
          u5 * proj[c + 5] +
          ur * proj[c + 6] <
          cut
      )
        continue;
      const dot = dotAt(q, 0, v, b);
      // Written so NaN never dismisses: it goes on to fail `s >= threshold` like in rankMatches.
      if (floor > 0 && (dot <= 0 || dot * dot < floorSq * norms[row])) continue;
      const s = cosineOf(dot, na, norms[row]);
      // Negated so NaN (an unusable stored pattern) is left out, as `s >= threshold` leaves it out.
      if (!(s >= threshold)) continue;
      this.offerRow(heap, row, s, skip);
      if (heap.full && heap.worst - FLOOR_MARGIN > floor) {
        scan.raise(heap.worst - FLOOR_MARGIN);
        ({ floor, floorSq, cut, gamma } = scan);
        limit = alpha - gamma;
      }
    }
  }

  /** Offers a row's entries, newest first, until the heap refuses one (the rest are older). */
  private offerRow(heap: TopHits, row: number, s: number, skip: number): void {
    for (let entry = this.rowHead[row]; entry !== NONE; entry = this.entryNext[entry]) {
      if (this.entryRevoked[entry] === 1 || entry === skip) continue;
      if (!heap.offer(s, entry)) return;
    }
  }

  /** No clusters yet and enough rows for them, or enough changes since they were built. */
  private structureStale(): boolean {
    if (this.centroids === null) return this.liveRows >= this.structureMinRows;
    return this.rowCount - this.builtEnd + this.holes > this.builtEnd * REBUILD_FRACTION;
  }

  /**
   * Estimates the principal axes and the clusters from (a sample of) the rows, projects every row
   * on the axes, and lays the rows out cluster by cluster, emptied rows dropped. Below
   * `structureMinRows` rows it only compacts them, and matches read every row.
   */
  private buildStructure(): void {
    const live = new Int32Array(this.liveRows);
    let n = 0;
    for (let row = 0; row < this.rowCount; row++) if (this.rowHead[row] !== NONE) live[n++] = row;
    if (n < this.structureMinRows) {
      this.axes = null;
      this.centroids = null;
      this.search = null;
      this.clusterCount = 0;
      this.permuteRows(live, n);
      for (let row = 0; row < n; row++) this.place(row);
      return;
    }
    this.computeAxes(live);
    const regular: number[] = [];
    const odd: number[] = [];
    for (const row of live) (this.unitOf(row) ? regular : odd).push(row);
    const k = Math.max(1, Math.round(Math.sqrt(regular.length)));
    const step = Math.max(1, Math.floor(regular.length / CLUSTER_SAMPLE));
    const sampled = Math.floor((regular.length - 1) / step) + 1;
    const units = new Float64Array(Math.max(0, sampled) * D);
    for (let i = 0; i < sampled; i++) {
      this.unitOf(regular[i * step]);
      units.set(this.unit, i * D);
    }
    this.centroids = sphericalKMeans(units, sampled, Math.min(k, Math.max(1, sampled)), KMEANS_ITERATIONS);
    this.clusterCount = this.centroids.length / D;
    this.search = new CentroidSearch(this.centroids, this.clusterCount);
    for (const row of regular) this.place(row);
    for (const row of odd) this.place(row);
    // Cluster by cluster, descending ρ within each, then the odd rows.
    const byCluster = regular.sort(
      (a, b) => this.rowCluster[a] - this.rowCluster[b] || this.rho[b] - this.rho[a],
    );
    const k1 = this.clusterCount;
    this.clusterStart = new Int32Array(k1 + 1);
    for (const row of byCluster) this.clusterStart[this.rowCluster[row] + 1]++;
    for (let j = 0; j < k1; j++) this.clusterStart[j + 1] += this.clusterStart[j];
    this.alphas = new Float64Array(k1);
    this.keys = new Float64Array(k1);
    this.order = new Int32Array(k1);
    this.permuteRows(Int32Array.from([...byCluster, ...odd]), n);
  }

  /** Estimates the principal axes from (a sample of) the rows and projects every row on them. */
  private computeAxes(live: Int32Array): void {
    const moment = Array.from({ length: D }, () => new Float64Array(D));
    const step = Math.max(1, Math.floor(live.length / AXES_SAMPLE));
    for (let i = 0; i < live.length; i += step) {
      if (!this.unitOf(live[i])) continue;
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) moment[a][b] += this.unit[a] * this.unit[b];
    }
    this.axes = principalAxes(moment, AXES);
    for (const row of live) this.project(row);
  }

  /** Tags a row with its nearest cluster and an upper bound of its angle to that centroid. */
  private place(row: number): void {
    const { search } = this;
    if (search === null) {
      this.rho[row] = 0;
      this.rowCluster[row] = 0;
    } else if (!this.unitOf(row)) {
      this.rho[row] = Number.POSITIVE_INFINITY;
      this.rowCluster[row] = 0;
    } else {
      this.rowCluster[row] = search.nearest(this.unit, 0);
      this.rho[row] = Math.acos(clampUnit(search.bestDot)) + ANGLE_MARGIN;
    }
  }

  /** Lays the rows out in `order` (old row numbers, `count` of them), repointing entries and chains. */
  private permuteRows(order: Int32Array, count: number): void {
    const capacity = Math.max(64, Math.ceil(count * 1.125));
    const newRow = new Int32Array(this.rowCount).fill(NONE);
    for (let i = 0; i < count; i++) newRow[order[i]] = i;
    this.vectors = gathered(this.vectors, order, count, D, capacity);
    this.vectorBits = new Uint32Array(this.vectors.buffer);
    this.norms = gathered(this.norms, order, count, 1, capacity);
    this.proj = gathered(this.proj, order, count, PROJ, capacity);
    this.rho = gathered(this.rho, order, count, 1, capacity);
    this.rowCluster = gathered(this.rowCluster, order, count, 1, capacity);
    this.matchable = gathered(this.matchable, order, count, 1, capacity);
    this.rowHead = gathered(this.rowHead, order, count, 1, capacity);
    this.rowChain = gathered(this.rowChain, order, count, 1, capacity);
    for (let row = 0; row < count; row++) {
      const chain = this.rowChain[row];
      if (chain !== NONE) this.rowChain[row] = newRow[chain];
    }
    for (let entry = 0; entry < this.entryCount; entry++) this.entryRow[entry] = newRow[this.entryRow[entry]];
    for (const [hash, row] of this.rowsByHash) this.rowsByHash.set(hash, newRow[row]);
    this.rowCount = count;
    this.builtEnd = count;
    this.freeRows = [];
    this.holes = 0;
  }

  /** Loads the row's unit pattern into `unit`; false for a row the bounds must leave alone. */
  private unitOf(row: number): boolean {
    const nb = this.norms[row];
    if (!(nb >= REGULAR_MIN && nb <= REGULAR_MAX)) return false;
    const s = Math.sqrt(nb);
    for (let i = 0; i < D; i++) this.unit[i] = this.vectors[row * D + i] / s;
    return true;
  }

  private project(row: number): void {
    const at = row * PROJ;
    if (this.axes === null || !this.unitOf(row)) {
      this.proj.fill(0, at, at + AXES);
      this.proj[at + AXES] = Number.POSITIVE_INFINITY;
      return;
    }
    projectUnit(this.unit, this.axes, this.proj, at);
  }

  /** The query's coordinates and rest norm, or null when the bounds cannot be used for it. */
  private queryProjection(q: Float64Array, na: number): Float64Array | null {
    if (this.axes === null || !(na >= REGULAR_MIN && na <= REGULAR_MAX)) return null;
    const s = Math.sqrt(na);
    const unit = q.map((x) => x / s);
    const projection = new Float64Array(PROJ);
    projectUnit(unit, this.axes, projection, 0);
    return projection;
  }

  private setRevoked(entry: number, revoked: boolean): void {
    const was = this.entryRevoked[entry] === 1;
    if (was === revoked) return;
    this.entryRevoked[entry] = revoked ? 1 : 0;
    this.matchable[this.entryRow[entry]] += revoked ? -1 : 1;
  }

  private rowEqualsIncoming(row: number): boolean {
    const base = row * WORDS;
    for (let w = 0; w < WORDS; w++) if (this.vectorBits[base + w] !== this.incomingBits[w]) return false;
    return true;
  }

  private findOrAddRow(hash: number): number {
    const first = this.rowsByHash.get(hash);
    for (let row = first ?? NONE; row !== NONE; row = this.rowChain[row]) {
      if (this.rowEqualsIncoming(row)) return row;
    }
    let row = this.freeRows.pop();
    if (row === undefined) {
      row = this.rowCount++;
      if (row === this.norms.length) this.growRows(Math.max(64, Math.ceil(row * 1.5)));
    }
    this.vectors.set(this.incoming, row * D);
    let nb = 0;
    for (let i = 0; i < D; i++) nb += this.incoming[i] * this.incoming[i];
    this.norms[row] = nb;
    this.project(row);
    this.place(row);
    this.matchable[row] = 0;
    this.rowHead[row] = NONE;
    this.rowChain[row] = first ?? NONE;
    this.rowsByHash.set(hash, row);
    this.liveRows++;
    return row;
  }

  /**
   * Takes an emptied row off its hash chain. Before clusters are built it is kept for the next new
   * pattern; after, it stays where it is (its cluster's order must hold) until the next build.
   */
  private freeRow(row: number): void {
    const hash = hashWords(this.vectorBits, row * WORDS);
    const first = this.rowsByHash.get(hash) ?? NONE;
    if (first === row) {
      const next = this.rowChain[row];
      if (next === NONE) this.rowsByHash.delete(hash);
      else this.rowsByHash.set(hash, next);
    } else {
      let at = first;
      while (at !== NONE && this.rowChain[at] !== row) at = this.rowChain[at];
      if (at !== NONE) this.rowChain[at] = this.rowChain[row];
    }
    this.matchable[row] = 0;
    this.liveRows--;
    if (this.centroids === null) this.freeRows.push(row);
    else this.holes++;
  }

  /** Inserts an entry into its row's list, keeping newest-first id order. */
  private link(row: number, entry: number): void {
    const id = this.ids[entry];
    let prev = NONE;
    let next = this.rowHead[row];
    while (next !== NONE && this.ids[next] > id) {
      prev = next;
      next = this.entryNext[next];
    }
    this.entryPrev[entry] = prev;
    this.entryNext[entry] = next;
    if (prev === NONE) this.rowHead[row] = entry;
    else this.entryNext[prev] = entry;
    if (next !== NONE) this.entryPrev[next] = entry;
  }

  private unlink(row: number, entry: number): void {
    const prev = this.entryPrev[entry];
    const next = this.entryNext[entry];
    if (prev === NONE) this.rowHead[row] = next;
    else this.entryNext[prev] = next;
    if (next !== NONE) this.entryPrev[next] = prev;
  }

  /** Moves entry `from` to slot `to`, repointing its neighbours (and its row's head). */
  private moveEntry(from: number, to: number): void {
    const id = this.ids[from];
    const row = this.entryRow[from];
    const prev = this.entryPrev[from];
    const next = this.entryNext[from];
    this.ids[to] = id;
    this.entries.set(id, to);
    this.entryRow[to] = row;
    this.entryRevoked[to] = this.entryRevoked[from];
    this.entryPrev[to] = prev;
    this.entryNext[to] = next;
    if (prev === NONE) this.rowHead[row] = to;
    else this.entryNext[prev] = to;
    if (next !== NONE) this.entryPrev[next] = to;
  }

  private growRows(capacity: number): void {
    const n = this.rowCount;
    this.vectors = resized(this.vectors, capacity * D, n * D);
    this.vectorBits = new Uint32Array(this.vectors.buffer);
    this.norms = resized(this.norms, capacity, n);
    this.proj = resized(this.proj, capacity * PROJ, n * PROJ);
    this.rho = resized(this.rho, capacity, n);
    this.rowCluster = resized(this.rowCluster, capacity, n);
    this.matchable = resized(this.matchable, capacity, n);
    this.rowHead = resized(this.rowHead, capacity, n);
    this.rowChain = resized(this.rowChain, capacity, n);
  }

  private growEntries(capacity: number): void {
    const n = this.entryCount;
    this.entryRow = resized(this.entryRow, capacity, n);
    this.entryNext = resized(this.entryNext, capacity, n);
    this.entryPrev = resized(this.entryPrev, capacity, n);
    this.entryRevoked = resized(this.entryRevoked, capacity, n);
  }
}

/**
 * A unit vector's coordinates on the axes, then the norm of what they leave out, rounded up (by far
 * more than its float error) so the bound built from it stays an upper bound; into out[at…].
 */
function projectUnit(unit: Float64Array, axes: readonly Float64Array[], out: Float64Array, at: number): void {
  const rest = REST;
  rest.set(unit);
  for (let j = 0; j < AXES; j++) {
    const axis = axes[j];
    let p = 0;
    for (let i = 0; i < D; i++) p += unit[i] * axis[i];
    out[at + j] = p;
    for (let i = 0; i < D; i++) rest[i] -= p * axis[i];
  }
  let rr = 0;
  for (let i = 0; i < D; i++) rr += rest[i] * rest[i];
  out[at + AXES] = Math.sqrt(rr) * (1 + 1e-12) + 1e-12;
}

/** FNV-1a over one pattern's 32 words of bits. */
function hashWords(bits: Uint32Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let w = offset; w < offset + WORDS; w++) h = Math.imul(h ^ bits[w], 0x01000193);
  return h | 0;
}

type TypedArray = Float64Array | Int32Array | Uint8Array;

function resized<T extends TypedArray>(array: T, capacity: number, used: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array.subarray(0, used));
  return next;
}

/** Rows `order[0…count)` of an array holding `width` values per row, in that order. */
function gathered<T extends TypedArray>(
  array: T,
  order: Int32Array,
  count: number,
  width: number,
  capacity: number,
): T {
  const next = new (array.constructor as new (length: number) => T)(capacity * width);
  for (let i = 0; i < count; i++) {
    const from = order[i] * width;
    for (let w = 0; w < width; w++) next[i * width + w] = array[from + w];
  }
  return next;
}

/** One match's query and floor, shared by the passes over rows. */
class Scan {
  floor = 0;
  floorSq = 0;
  cut = 0;
  /** acos(cut), rounded up: a row whose angle to the query is larger has a cosine below `cut`. */
  gamma = 0;

  constructor(
    readonly q: Float64Array,
    readonly na: number,
    readonly threshold: number,
    readonly skip: number,
    readonly heap: TopHits,
    readonly bound: Float64Array | null,
  ) {
    this.raise(threshold - FLOOR_MARGIN);
  }

  raise(floor: number): void {
    this.floor = floor;
    this.floorSq = floor * floor * this.na;
    this.cut = floor - 1e-9;
    this.gamma = Math.acos(this.cut) + 1e-9;
  }
}

/**
 * The best `topN` hits so far: a binary heap whose root is the worst kept hit (lower similarity,
 * or equal and an older id), so a candidate is compared with the root only.
 */
class TopHits {
  private readonly sims: number[] = [];
  private readonly entries: number[] = [];

  constructor(
    private readonly topN: number,
    private readonly ids: readonly string[],
  ) {}

  get full(): boolean {
    return this.sims.length === this.topN;
  }

  /** The similarity of the worst kept hit; only meaningful when full. */
  get worst(): number {
    return this.sims[0];
  }

  /** Keeps the hit if it ranks among the best so far; false when it does not. */
  offer(s: number, entry: number): boolean {
    const { sims, entries } = this;
    if (sims.length < this.topN) {
      sims.push(s);
      entries.push(entry);
      this.siftUp(sims.length - 1);
      return true;
    }
    if (!this.worse(sims[0], entries[0], s, entry)) return false;
    sims[0] = s;
    entries[0] = entry;
    this.siftDown(0);
    return true;
  }

  hits(): MatchHit[] {
    return this.entries.map((entry, k): MatchHit => ({ id: this.ids[entry], similarity: this.sims[k] }));
  }

  /** Hit a ranks below hit b. */
  private worse(sa: number, ea: number, sb: number, eb: number): boolean {
    return sa < sb || (sa === sb && this.ids[ea] < this.ids[eb]);
  }

  private at(i: number, j: number): boolean {
    return this.worse(this.sims[i], this.entries[i], this.sims[j], this.entries[j]);
  }

  private swap(i: number, j: number): void {
    const { sims, entries } = this;
    [sims[i], sims[j]] = [sims[j], sims[i]];
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }

  private siftUp(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.at(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const n = this.sims.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < n && this.at(left, worst)) worst = left;
      if (right < n && this.at(right, worst)) worst = right;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}
