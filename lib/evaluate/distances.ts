/**
 * The distances of the drift checks on large references: the Wasserstein-1 distance (normalised
 * by the reference std) and the Jensen–Shannon distance (of histograms or of category counts),
 * as scipy computes them. Pure.
 */
import { quote } from '../errors.js';
import { checkCounts, countOf, finiteCopy, invalid, sortedFinite } from './samples.js';

/**
 * Population standard deviation (ddof = 0, as numpy's `np.std`), by a two-pass sum.
 */
export function populationStd(values: ArrayLike<number>): number {
  const x = finiteCopy(values, 'populationStd: values');
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) * (v - mean);
  return Math.sqrt(ss / x.length);
}

/**
 * Wasserstein-1 (earth mover's) distance between two empirical distributions:
 * ∫ |F_a(x) − F_b(x)| dx (scipy's `wasserstein_distance` without weights).
 */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const xa = sortedFinite(a, 'wasserstein1: sample a');
  const xb = sortedFinite(b, 'wasserstein1: sample b');
  const n = xa.length;
  const m = xb.length;
  let i = 0;
  let j = 0;
  let area = 0;
  let prev = Math.min(xa[0]!, xb[0]!);
  while (i < n || j < m) {
    const x = j >= m || (i < n && xa[i]! <= xb[j]!) ? xa[i]! : xb[j]!;
    // Between the previous point and x, F_a = i / n and F_b = j / m.
    area += Math.abs(i / n - j / m) * (x - prev);
    while (i < n && xa[i]! === x) i++;
    while (j < m && xb[j]! === x) j++;
    prev = x;
  }
  return area;
}

/** Evidently's floor for the reference standard deviation in `wassersteinNormed`. */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * Wasserstein-1 distance divided by the reference's standard deviation, as Evidently's
 * `wasserstein` drift test (default threshold: drift when ≥ 0.1): W₁(reference, current) /
 * max(std(reference), 0.001), the std being the population one (numpy's `np.std`). Pass
 * `referenceStd` when the reference sample is a subsample of a larger set whose std is known
 * (a model card keeps both).
 */
export function wassersteinNormed(reference: ArrayLike<number>, current: ArrayLike<number>, referenceStd?: number): number {
  if (referenceStd !== undefined && (!Number.isFinite(referenceStd) || referenceStd < 0)) {
    throw invalid(`wassersteinNormed: referenceStd must be a finite number ≥ 0; got ${quote(referenceStd)}.`);
  }
  const std = referenceStd ?? populationStd(reference);
  return wasserstein1(reference, current) / Math.max(std, WASSERSTEIN_MIN_STD);
}

/**
 * Jensen–Shannon distance of two discrete distributions, as scipy's
 * `spatial.distance.jensenshannon(p, q, base=2)`: both are normalised to sum to 1, M = (P + Q)/2,
 * and the result is √((KL(P‖M) + KL(Q‖M)) / 2) with logarithms in base 2 — the square root of
 * the divergence, a number in [0, 1]. This is what Evidently's `jensenshannon` test compares to
 * its 0.1 threshold.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw invalid(`jensenShannonDistance needs two distributions over the same bins; got ${p.length} and ${q.length} values.`);
  }
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k]!;
    const b = q[k]!;
    if (!Number.isFinite(a) || a < 0) throw invalid(`jensenShannonDistance: p has ${quote(a)} at index ${k}; expected a finite number ≥ 0.`);
    if (!Number.isFinite(b) || b < 0) throw invalid(`jensenShannonDistance: q has ${quote(b)} at index ${k}; expected a finite number ≥ 0.`);
    sp += a;
    sq += b;
  }
  if (!(sp > 0) || !(sq > 0)) throw invalid(`jensenShannonDistance: a distribution sums to 0 (p: ${sp}, q: ${sq}).`);
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k]! / sp;
    const b = q[k]! / sq;
    const mid = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / mid);
    if (b > 0) js += b * Math.log(b / mid);
  }
  return Math.sqrt(Math.max(0, js / 2 / Math.LN2));
}

/** Jensen–Shannon distance between two tables of counts by category (missing = 0). */
export function jensenShannonCounts(reference: Readonly<Record<string, number>>, current: Readonly<Record<string, number>>): number {
  checkCounts(reference, 'jensenShannonCounts: reference counts');
  checkCounts(current, 'jensenShannonCounts: current counts');
  const keys = [...new Set([...Object.keys(reference), ...Object.keys(current)])];
  return jensenShannonDistance(
    keys.map((k) => countOf(reference, k)),
    keys.map((k) => countOf(current, k)),
  );
}

/** Counts of each distinct value (as its decimal text). */
export function valueCounts(values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < values.length; i++) {
    const key = String(values[i]);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Number of distinct values in the given samples together. */
export function distinctCount(...samples: ArrayLike<number>[]): number {
  const seen = new Set<number>();
  for (const s of samples) for (let i = 0; i < s.length; i++) seen.add(s[i]!);
  return seen.size;
}

/** Sturges' rule, as numpy's `histogram_bin_edges(bins='sturges')`: ⌈log₂ N⌉ + 1 bins. */
export function sturgesBins(size: number): number {
  return Math.ceil(Math.log2(size) + 1);
}

/** Counts of sorted values in equal-width bins [lo, hi] (numpy's `histogram`: last bin closed). */
function histogram(sorted: Float64Array, lo: number, hi: number, bins: number): Float64Array {
  const counts = new Float64Array(bins);
  const width = hi - lo;
  const edge = (k: number) => lo + (width * k) / bins;
  for (const v of sorted) {
    let k = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / width) * bins)));
    // Settle values that sit on an edge the way the edges compare, not the division.
    if (k > 0 && v < edge(k)) k--;
    else if (k < bins - 1 && v >= edge(k + 1)) k++;
    counts[k]!++;
  }
  return counts;
}

/**
 * Jensen–Shannon distance between a numeric reference and current sample, binned as
 * Evidently's `get_binned_data` does: when the reference has more than 20 distinct values,
 * equal-width bins over the range of both samples together (Sturges' rule on their pooled size
 * unless `bins` is given); otherwise each distinct value is a category. The result is the
 * distance (√ divergence, base 2); Evidently flags drift at ≥ 0.1.
 */
export function jensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>, bins?: number): number {
  if (bins !== undefined && (!Number.isInteger(bins) || bins < 1)) {
    throw invalid(`jensenShannon: bins must be a whole number ≥ 1; got ${quote(bins)}.`);
  }
  const ref = sortedFinite(reference, 'jensenShannon: reference');
  const cur = sortedFinite(current, 'jensenShannon: current');
  if (distinctCount(ref) <= 20) return jensenShannonCounts(valueCounts(ref), valueCounts(cur));
  let lo = Math.min(ref[0]!, cur[0]!);
  let hi = Math.max(ref[ref.length - 1]!, cur[cur.length - 1]!);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const k = bins ?? sturgesBins(ref.length + cur.length);
  return jensenShannonDistance(histogram(ref, lo, hi, k), histogram(cur, lo, hi, k));
}
