/** Held-out metrics and reference statistics of training data (for drift checks). */
import type { FeatureStats } from '../../lib/model/card.js';
import { permutation, rng } from './rng.js';

/** Rounds to 7 significant digits: enough for drift checks, stable text in the card. */
export function round7(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(7));
}

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

/** Linear-interpolation quantile (type 7) of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Mean, population std, min, max, the 101 quantiles 0, 0.01, …, 1 and a fixed-seed sample of up
 * to 1,000 values (all values, in row order, when there are no more than 1,000).
 */
export function featureStats(values: readonly number[], seed: number, description?: string): FeatureStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const sorted = [...values].sort((a, b) => a - b);
  const sample =
    n <= 1000
      ? [...values]
      : permutation(n, rng(seed))
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
  if (description) stats.description = description;
  return stats;
}

/** Counts of each label name in the training labels. */
export function labelCounts(y: readonly number[], names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = 0;
  for (const v of y) out[names[v]!] = out[names[v]!]! + 1;
  return out;
}
