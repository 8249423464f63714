import { compareHits, cosineOf, type MatchHit, type MatchQuery, RESONANCE_LENGTH } from '#sigil';
import { principalAxes } from './principal-axes.js';

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
/** Distinct patterns from which the bound is worth computing its axes (a few ms per 10k rows). */
const BASIS_MIN_ROWS = 1024;
/** Rows the axes are estimated from, at most (every k-th row). */
const BASIS_SAMPLE = 50_000;
/** Squared norms outside this range are left out of the bound (the exact test still runs). */
const REGULAR_MIN = 1e-200;
const REGULAR_MAX = 1e200;

/**
 * One tenant's resonance patterns, held so that a match is one tight loop over doubles.
 *
 * Deduplicated: real tenants mint many sigils with the same pattern (it depends only on the first
 * 16 canonical characters of the data and the consciousness state, and most sigils use the default
 * state), so each distinct pattern is one *row* (16 doubles, its squared norm) and each sigil an
 * *entry* on its row's list. A match computes one similarity per row, not per sigil: at 1,000,000
 * realistic sigils about 430,000 rows (test/bench/match-data.mjs).
 *
 * Exact: a row's similarity is computed from the same doubles in the same order as `similarity`
 * (the dot product and the query's norm accumulated over i = 0..15, the stored norm cached from the
 * same sum) and finished by the shared `cosineOf`, so every result is bit-identical to
 * `rankMatches`. Rows are equal only when their 16 doubles are bit-identical, so -0 and 0, or two
 * NaNs, never merge in a way that could change a product.
 *
 * Memory per sigil: the id string and its map slot (~80 B) plus 13 B of entry arrays; per distinct
 * pattern 204 B of row arrays and a hash-map slot (~20 B). Measured: ~230 B per realistic sigil
 * at 1,000,000 sigils, 112 B of it typed arrays (docs/performance.md, Match).
 *
 * Each row's entries are kept in id order, newest first: of sigils with equal similarity the
 * newest rank first, so a row's list is read only until the heap stops taking from it. Inserting
 * walks from the newest end, so loading and minting in id order (ULIDs are time-ordered) is O(1).
 */
export class PatternIndex {
  // Rows: one per distinct stored pattern. A row whose last entry left is recycled.
  private vectors: Float64Array;
  /** The same memory as `vectors`, as words: rows are hashed and compared by their bits. */
  private vectorBits: Uint32Array;
  /** Σ x² of each row's pattern, summed in index order exactly as `similarity` sums nb. */
  private norms: Float64Array;
  /** Entries on the row that can match (not revoked); 0 skips the row without reading it. */
  private matchable: Int32Array;
  /** The row's newest entry (lists run newest to oldest). */
  private rowHead: Int32Array;
  /** The next row with the same pattern hash. */
  private rowChain: Int32Array;
  /**
   * Per row: its unit pattern's coordinates on the principal axes, then an upper bound of the norm
   * of what the axes leave out (Infinity: never dismissed by the bound). See `rank`.
   */
  private proj: Float64Array;
  private axes: Float64Array[] | null = null;
  private rowCount = 0;
  private freeRows: number[] = [];
  private readonly rowsByHash = new Map<number, number>();

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

  constructor(capacity = 64) {
    this.vectors = new Float64Array(capacity * D);
    this.vectorBits = new Uint32Array(this.vectors.buffer);
    this.norms = new Float64Array(capacity);
    this.proj = new Float64Array(capacity * PROJ);
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
    return this.rowCount - this.freeRows.length;
  }

  /** Bytes held in typed arrays (ids and maps come on top; see the class comment). */
  get arrayBytes(): number {
    return (
      this.vectors.byteLength +
      this.norms.byteLength +
      this.proj.byteLength +
      this.matchable.byteLength +
      this.rowHead.byteLength +
      this.rowChain.byteLength +
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
   * Most rows cannot make the cut, so they are dismissed before the sqrt, division and rounding:
   * an unrounded cosine below `floor` (the threshold, or the worst kept hit once the heap is full,
   * minus 1e-6) cannot round up to it, and dot < floor·√(na·nb) is tested squared. The 1e-6 margin
   * dwarfs the float error of that test (~1e-15), so nothing that would rank is ever dismissed.
   *
   * The dot product is written out term by term: the same additions in the same order as the
   * loop in `similarity` (so the same bits), but about twice as fast as a loop in V8.
   *
   * Before the dot product, a cheaper bound dismisses most rows: with û and v̂ the unit query and
   * pattern, p their coordinates on the first AXES principal axes of the stored patterns and r the
   * norms of what those axes leave out, cos = p(û)·p(v̂) + rest(û)·rest(v̂) ≤ p(û)·p(v̂) + r(û)·r(v̂)
   * (Cauchy–Schwarz on the rest). Real patterns lie close to a few directions, so the bound is
   * tight: at 1,000,000 realistic sigils it dismisses ~90 % of rows for 7 multiplications instead
   * of 16. It holds for any orthonormal axes (they only make it tight); r is rounded up, and a row
   * is dismissed only when the bound is below `floor` by 1e-9, some 10⁴ times its float error, so
   * it never dismisses a row the exact test would keep. Odd rows and queries (zero, tiny, huge or
   * non-finite norms) skip the bound.
   */
  rank(query: MatchQuery): MatchHit[] {
    const q = Float64Array.from(query.pattern);
    let na = 0;
    for (let i = 0; i < D; i++) na += q[i] * q[i];
    const [q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15] = q;
    const { threshold, topN } = query;
    const skip = query.excludeId === undefined ? NONE : (this.entries.get(query.excludeId) ?? NONE);
    const { vectors: v, norms, matchable } = this;
    const heap = new TopHits(topN, this.ids);
    if (this.axes === null && this.distinct >= BASIS_MIN_ROWS) this.computeAxes();
    const bound = this.queryProjection(q, na);
    const useBound = bound !== null;
    const [u0, u1, u2, u3, u4, u5, ur] = bound ?? new Float64Array(PROJ);
    const proj = this.proj;

    let floor = threshold - 1e-6;
    let floorSq = floor * floor * na;
    let cut = floor - 1e-9;
    for (let row = 0, b = 0, c = 0; row < this.rowCount; row++, b += D, c += PROJ) {
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
      const dot =
        0 +
        q0 * v[b] +
        q1 * v[b + 1] +
        q2 * v[b + 2] +
        q3 * v[b + 3] +
        q4 * v[b + 4] +
        q5 * v[b + 5] +
        q6 * v[b + 6] +
        q7 * v[b + 7] +
        q8 * v[b + 8] +
        q9 * v[b + 9] +
        q10 * v[b + 10] +
        q11 * v[b + 11] +
        q12 * v[b + 12] +
        q13 * v[b + 13] +
        q14 * v[b + 14] +
        q15 * v[b + 15];
      // Written so NaN never dismisses: it goes on to fail `s >= threshold` like in rankMatches.
      if (floor > 0 && (dot <= 0 || dot * dot < floorSq * norms[row])) continue;
      const s = cosineOf(dot, na, norms[row]);
      // Negated so NaN (an unusable stored pattern) is left out, as `s >= threshold` leaves it out.
      if (!(s >= threshold)) continue;
      this.offerRow(heap, row, s, skip);
      if (heap.full && heap.worst - 1e-6 > floor) {
        floor = heap.worst - 1e-6;
        floorSq = floor * floor * na;
        cut = floor - 1e-9;
      }
    }
    return heap.hits().sort(compareHits);
  }

  /** Offers a row's entries, newest first, until the heap refuses one (the rest are older). */
  private offerRow(heap: TopHits, row: number, s: number, skip: number): void {
    for (let entry = this.rowHead[row]; entry !== NONE; entry = this.entryNext[entry]) {
      if (this.entryRevoked[entry] === 1 || entry === skip) continue;
      if (!heap.offer(s, entry)) return;
    }
  }

  /** Estimates the principal axes from (a sample of) the rows and projects every row on them. */
  private computeAxes(): void {
    const moment = Array.from({ length: D }, () => new Float64Array(D));
    const step = Math.max(1, Math.floor(this.rowCount / BASIS_SAMPLE));
    for (let row = 0; row < this.rowCount; row += step) {
      if (!this.unitOf(row)) continue;
      for (let i = 0; i < D; i++) for (let k = 0; k < D; k++) moment[i][k] += this.unit[i] * this.unit[k];
    }
    this.axes = principalAxes(moment, AXES);
    for (let row = 0; row < this.rowCount; row++) this.project(row);
  }

  /** Loads the row's unit pattern into `unit`; false for a row the bound must leave alone. */
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
    const coordinates = projectUnit(this.unit, this.axes);
    this.proj.set(coordinates, at);
  }

  /** The query's coordinates and rest norm, or null when the bound cannot be used for it. */
  private queryProjection(q: Float64Array, na: number): Float64Array | null {
    if (this.axes === null || !(na >= REGULAR_MIN && na <= REGULAR_MAX)) return null;
    const s = Math.sqrt(na);
    const unit = q.map((x) => x / s);
    return projectUnit(unit, this.axes);
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
    this.matchable[row] = 0;
    this.rowHead[row] = NONE;
    this.rowChain[row] = first ?? NONE;
    this.rowsByHash.set(hash, row);
    return row;
  }

  /** Takes an emptied row off its hash chain and keeps it for the next new pattern. */
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
    this.freeRows.push(row);
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
 * more than its float error) so the bound built from it stays an upper bound.
 */
function projectUnit(unit: Float64Array, axes: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(PROJ);
  const rest = Float64Array.from(unit);
  for (let j = 0; j < AXES; j++) {
    let p = 0;
    for (let i = 0; i < D; i++) p += unit[i] * axes[j][i];
    out[j] = p;
    for (let i = 0; i < D; i++) rest[i] -= p * axes[j][i];
  }
  let rr = 0;
  for (let i = 0; i < D; i++) rr += rest[i] * rest[i];
  out[AXES] = Math.sqrt(rr) * (1 + 1e-12) + 1e-12;
  return out;
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
