/**
 * Reference statistics of training data (what a card's `reference` holds for drift checks) and
 * held-out metrics. One implementation for the model kit (tools/kit) and `ml-predict card`.
 * Pure functions.
 */
import type { CategoryStats, FeatureStats } from '../model/card.js';
import { mulberry32 } from '../evaluate/random.js';
import { permutation } from './split.js';

/** Rounds to 7 significant digits: enough for drift checks, stable text in the card. */
export function round7(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(7));
}

/** Rounds to 4 decimals (metrics in cards). */
export const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

export function accuracy(truth: readonly number[], pred: readonly number[]): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) ok++;
  return ok / truth.length;
}

/** Macro-averaged F1 over classes 0..k-1. */
export function macroF1(truth: readonly number[], pred: readonly number[], k: number): number {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (pred[i] === c && truth[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / k;
}

export function logLoss(truth: readonly number[], probs: readonly (readonly number[])[]): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s -= Math.log(Math.max(probs[i]![truth[i]!]!, 1e-15));
  return s / truth.length;
}

export function regressionMetrics(truth: readonly number[], pred: readonly number[]): { r2: number; rmse: number; mae: number } {
  const n = truth.length;
  const mean = truth.reduce((a, b) => a + b, 0) / n;
  let ssRes = 0;
  let ssTot = 0;
  let abs = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (truth[i]! - pred[i]!) ** 2;
    ssTot += (truth[i]! - mean) ** 2;
    abs += Math.abs(truth[i]! - pred[i]!);
  }
  return { r2: 1 - ssRes / ssTot, rmse: Math.sqrt(ssRes / n), mae: abs / n };
}

/** Index of the largest value (the first on ties). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Accuracy, macro F1 and log loss of probabilities (predicted class = argmax), rounded to 4 decimals. */
export function classificationMetrics(truth: readonly number[], probs: readonly (readonly number[])[], k: number): Record<string, number> {
  const pred = probs.map(argmax);
  return { accuracy: round4(accuracy(truth, pred)), macroF1: round4(macroF1(truth, pred, k)), logLoss: round4(logLoss(truth, probs)), testRows: truth.length };
}

/** Linear-interpolation quantile (type 7) of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The median of values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Mean, population std, min, max, the 101 quantiles 0, 0.01, …, 1 and a fixed-seed sample of up
 * to 1,000 values (all values, in row order, when there are no more than 1,000). NaN values are
 * missing: left out of every statistic and counted in `missing` (absent when there are none).
 * At least one value must be present.
 */
export function featureStats(all: readonly number[], seed: number, description?: string): FeatureStats {
  const values = all.some(Number.isNaN) ? all.filter((v) => !Number.isNaN(v)) : all;
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const sorted = [...values].sort((a, b) => a - b);
  const sample =
    n <= 1000
      ? [...values]
      : permutation(n, mulberry32(seed))
          .slice(0, 1000)
          .sort((a, b) => a - b)
          .map((i) => values[i]!);
  const stats: FeatureStats = {
    mean: round7(mean),
    std: round7(Math.sqrt(variance)),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    quantiles: Array.from({ length: 101 }, (_, i) => round7(quantile(sorted, i / 100))),
    sample: sample.map(round7),
  };
  if (values.length < all.length) stats.missing = all.length - values.length;
  if (description) stats.description = description;
  return stats;
}

/** Counts of each label name in the training labels (label indices into `names`). */
export function labelCounts(y: readonly number[], names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = 0;
  for (const v of y) out[names[v]!] = out[names[v]!]! + 1;
  return out;
}

/** Rows per category (every category listed, in order, zeros included); `undefined` values are missing. */
export function categoryStats(values: readonly (string | undefined)[], categories: readonly string[], description?: string): CategoryStats {
  const counts: Record<string, number> = {};
  for (const c of categories) counts[c] = 0;
  let missing = 0;
  for (const v of values) {
    if (v === undefined) missing++;
    else counts[v] = (counts[v] ?? 0) + 1;
  }
  const stats: CategoryStats = { counts };
  if (missing > 0) stats.missing = missing;
  if (description) stats.description = description;
  return stats;
}
