import { RESONANCE_LENGTH } from '#sigil';

const D = RESONANCE_LENGTH;
/** Up to this many centroids a search reads them all; above, it groups them first. */
const FLAT_SEARCH_MAX = 64;

/**
 * Spherical k-means over unit vectors (`count` of them, D doubles each, flat): each vector goes to
 * its nearest centroid (largest dot product), each centroid becomes its members' normalised mean.
 * Seeds are evenly spaced vectors and a centroid that loses every member keeps its place, so the
 * result is deterministic. The match index only uses the centroids to group rows; its bounds hold
 * for any centroid, so a few iterations on a sample are enough.
 */
export function sphericalKMeans(
  units: Float64Array,
  count: number,
  k: number,
  iterations: number,
): Float64Array {
  const centroids = new Float64Array(k * D);
  for (let j = 0; j < k; j++) {
    const from = Math.floor((j * count) / k) * D;
    centroids.set(units.subarray(from, from + D), j * D);
  }
  const sums = new Float64Array(k * D);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const search = new CentroidSearch(centroids, k);
    sums.fill(0);
    for (let at = 0; at < count * D; at += D) {
      const c = search.nearest(units, at) * D;
      for (let d = 0; d < D; d++) sums[c + d] += units[at + d];
    }
    for (let c = 0; c < k * D; c += D) {
      let nn = 0;
      for (let d = 0; d < D; d++) nn += sums[c + d] * sums[c + d];
      if (!(nn > 0)) continue;
      const norm = Math.sqrt(nn);
      for (let d = 0; d < D; d++) centroids[c + d] = sums[c + d] / norm;
    }
  }
  return centroids;
}

/**
 * Nearest-centroid search over k unit centroids. Above FLAT_SEARCH_MAX they are grouped (k-means
 * on the centroids themselves, ~2√k groups, each with the largest angle R from its centre to a
 * member): a search reads the group nearest the vector, then only groups whose bound
 * cos(∠(u, G) − R) beats the best dot found. The result is the nearest centroid up to rounding;
 * callers never depend on it being the nearest.
 */
export class CentroidSearch {
  /** Dot product of the last `nearest` result with its vector. */
  bestDot = 0;
  /** Centroids in group order, and each one's index in the caller's order. */
  private readonly packed: Float64Array;
  private readonly original: Int32Array;
  private readonly groupStart: Int32Array;
  private readonly groupCentres: Float64Array;
  private readonly cosR: Float64Array;
  private readonly sinR: Float64Array;
  private readonly groupDots: Float64Array;
  private readonly memberDots: Float64Array;

  constructor(centroids: Float64Array, k: number) {
    const groups = k <= FLAT_SEARCH_MAX ? 1 : Math.round(2 * Math.sqrt(k));
    this.groupCentres = groups === 1 ? centroids.slice(0, D) : sphericalKMeans(centroids, k, groups, 3);
    const groupOf = new Int32Array(k);
    const angle = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      groupOf[j] = groups === 1 ? 0 : argmaxDot(centroids, j * D, this.groupCentres, groups);
      angle[j] = Math.acos(clampUnit(dotAt(centroids, j * D, this.groupCentres, groupOf[j] * D)));
    }
    this.groupStart = new Int32Array(groups + 1);
    for (let j = 0; j < k; j++) this.groupStart[groupOf[j] + 1]++;
    for (let g = 0; g < groups; g++) this.groupStart[g + 1] += this.groupStart[g];
    const fill = this.groupStart.slice(0, groups);
    this.packed = new Float64Array(k * D);
    this.original = new Int32Array(k);
    const radius = new Float64Array(groups);
    for (let j = 0; j < k; j++) {
      const g = groupOf[j];
      const at = fill[g]++;
      this.packed.set(centroids.subarray(j * D, j * D + D), at * D);
      this.original[at] = j;
      radius[g] = Math.max(radius[g], angle[j] + 1e-6);
    }
    this.cosR = radius.map(Math.cos);
    this.sinR = radius.map(Math.sin);
    this.groupDots = new Float64Array(groups);
    this.memberDots = new Float64Array(k);
  }

  /** The (index of the) centroid nearest the unit vector at `units[at…]`; sets `bestDot`. */
  nearest(units: Float64Array, at: number): number {
    const { groupDots, cosR, sinR } = this;
    const groups = groupDots.length;
    dotsInto(units, at, this.groupCentres, 0, groups, groupDots);
    let first = 0;
    for (let g = 1; g < groups; g++) if (groupDots[g] > groupDots[first]) first = g;
    this.bestDot = Number.NEGATIVE_INFINITY;
    let best = this.bestOf(units, at, first, 0);
    let sinBest = Math.sqrt(Math.max(0, 1 - this.bestDot * this.bestDot));
    for (let g = 0; g < groups; g++) {
      // cos(β + R) with cos β = bestDot: a member of g can beat the best only if ∠(u, G) < β + R.
      if (g === first || !(groupDots[g] > this.bestDot * cosR[g] - sinBest * sinR[g])) continue;
      const found = this.bestOf(units, at, g, best);
      if (found === best) continue;
      best = found;
      sinBest = Math.sqrt(Math.max(0, 1 - this.bestDot * this.bestDot));
    }
    return this.original[best];
  }

  /** `best`, or the member of group g nearer the vector than `bestDot` (which it then updates). */
  private bestOf(units: Float64Array, at: number, g: number, best: number): number {
    const { groupStart, memberDots } = this;
    const to = groupStart[g + 1];
    dotsInto(units, at, this.packed, groupStart[g], to, memberDots);
    let found = best;
    for (let m = groupStart[g]; m < to; m++) {
      if (memberDots[m] > this.bestDot) {
        this.bestDot = memberDots[m];
        found = m;
      }
    }
    return found;
  }
}

/** out[j] = Σ units[at + i]·set[j·D + i] for j in [from, to). */
function dotsInto(
  units: Float64Array,
  at: number,
  set: Float64Array,
  from: number,
  to: number,
  out: Float64Array,
): void {
  for (let j = from, c = from * D; j < to; j++, c += D) out[j] = dotAt(units, at, set, c);
}

/** The vector of `set` (`count` of them) with the largest dot product with `units[at…]`. */
function argmaxDot(units: Float64Array, at: number, set: Float64Array, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++)
    if (dotAt(units, at, set, j * D) > dotAt(units, at, set, best * D)) best = j;
  return best;
}

/**
 * Σ a[at + i]·b[bt + i] over one vector, written out term by term: the same additions in the same
 * order as the loop in `similarity` (so the same bits), about twice as fast as a loop in V8.
 */
export function dotAt(a: Float64Array, at: number, b: Float64Array, bt: number): number {
  return (
    0 +
    a[at] * b[bt] +
    a[at + 1] * b[bt + 1] +
    a[at + 2] * b[bt + 2] +
    a[at + 3] * b[bt + 3] +
    a[at + 4] * b[bt + 4] +
    a[at + 5] * b[bt + 5] +
    a[at + 6] * b[bt + 6] +
    a[at + 7] * b[bt + 7] +
    a[at + 8] * b[bt + 8] +
    a[at + 9] * b[bt + 9] +
    a[at + 10] * b[bt + 10] +
    a[at + 11] * b[bt + 11] +
    a[at + 12] * b[bt + 12] +
    a[at + 13] * b[bt + 13] +
    a[at + 14] * b[bt + 14] +
    a[at + 15] * b[bt + 15]
  );
}

/** x clamped to [-1, 1], so rounding never sends acos to NaN. */
export function clampUnit(x: number): number {
  return Math.min(1, Math.max(-1, x));
}
