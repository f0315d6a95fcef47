/**
 * Data drift: do live inputs (and predicted labels) still look like the training data that a
 * model card's `reference` describes? `driftReport` runs one test per feature with Evidently's
 * default choices; `DriftAccumulator` keeps a bounded, uniform sample of live rows to feed it.
 *
 * Evidently's defaults (its `_get_default_stattest`), reproduced here:
 * - reference with ≤ 1,000 rows: numeric feature → two-sample Kolmogorov–Smirnov; categorical
 *   (or numeric with ≤ 5 distinct values) → chi-squared, or the two-proportion z-test when there
 *   are ≤ 2 distinct values; drift when p < 0.05;
 * - reference with > 1,000 rows: numeric → Wasserstein-1 distance divided by the reference std;
 *   categorical (or ≤ 5 distinct values) → Jensen–Shannon distance; drift when ≥ 0.1;
 * - the dataset drifts when at least half of the tested features drift.
 *
 * Faithfulness to a model card. A card keeps, per feature, the mean, the (population) std,
 * min, max, 101 quantiles and up to 1,000 values (`sample`: every training value when there are
 * no more than 1,000, else a fixed-seed sample of 1,000). So:
 * - up to 1,000 training rows, the KS / chi-squared / z tests see the whole training column
 *   (values rounded to 7 significant digits by the model kit) and match Evidently's;
 * - above 1,000 rows, the Wasserstein and Jensen–Shannon distances are computed against the
 *   1,000-value sample (the normalising std is the card's std of all rows): an estimate of what
 *   Evidently computes on the full data, off by sampling noise of the order of a few hundredths
 *   of a std — small against the 0.1 threshold. Each such result says so in `approximation`;
 * - a card without `sample` but with `quantiles` gets a stand-in sample read off the quantile
 *   function at evenly spaced probabilities (also marked in `approximation`); a feature with
 *   neither is skipped with the reason.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import { checkOptions, type OptionRule, type OptionRules } from '../options.js';
import type { FeatureStats } from '../model/card.js';
import { distinctCount, jensenShannon, jensenShannonCounts, valueCounts, wassersteinNormed } from './distances.js';
import { countOf } from './samples.js';
import { chiSquaredTest, ksTwoSample, zTestProportions } from './stats.js';
import { mulberry32 } from './random.js';

import {
  DRIFT_DEFAULTS,
  type DriftCurrent,
  type DriftOptions,
  type DriftReference,
  type DriftReport,
  type DriftTest,
  type FeatureDrift,
  type LabelDrift,
} from './drift-types.js';

export { DRIFT_DEFAULTS };
export type { DriftCurrent, DriftOptions, DriftReference, DriftReport, DriftTest, FeatureDrift, LabelDrift };

function invalid(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

const share =
  (upTo: ']' | ')'): OptionRule =>
  (v) =>
    typeof v === 'number' && v > 0 && (upTo === ']' ? v <= 1 : v < 1) ? undefined : `a number in (0, 1${upTo}`;

/** The options of driftReport(), in their documented order. */
const DRIFT_RULES: OptionRules = {
  categorical: (v) => (Array.isArray(v) && v.every((c) => typeof c === 'string') ? undefined : 'an array of feature names'),
  pValueThreshold: share(')'),
  distanceThreshold: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a finite number > 0'),
  driftShare: share(']'),
};
const ACCUMULATOR_RULES: OptionRules = {
  capacity: { integer: [1, 10_000_000] },
  seed: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number'),
};

function checkReference(reference: DriftReference): void {
  if (reference === null || typeof reference !== 'object') throw invalid(`A drift reference must be a card's "reference" object; got ${quote(reference)}.`);
  if (typeof reference.rows !== 'number' || !Number.isInteger(reference.rows) || reference.rows < 1) {
    throw invalid(`The drift reference's "rows" must be a whole number ≥ 1; got ${quote(reference.rows)}.`);
  }
  if (reference.features === null || typeof reference.features !== 'object') {
    throw invalid(`The drift reference's "features" must be an object of statistics by feature; got ${quote(reference.features)}.`);
  }
}

/** Values at probabilities (k + 0.5) / size of the piecewise-linear quantile function. */
function fromQuantiles(quantiles: readonly number[], size: number): number[] {
  const last = quantiles.length - 1;
  return Array.from({ length: size }, (_, k) => {
    const pos = ((k + 0.5) / size) * last;
    const lo = Math.floor(pos);
    const hi = Math.min(last, lo + 1);
    return quantiles[lo]! + (quantiles[hi]! - quantiles[lo]!) * (pos - lo);
  });
}

interface ReferenceSample {
  values: readonly number[];
  approximation?: string;
}

function referenceSample(name: string, stats: FeatureStats, rows: number): ReferenceSample | string {
  const sample = stats.sample;
  if (sample && sample.length > 0) {
    if (sample.length >= rows) return { values: sample };
    return {
      values: sample,
      approximation: `reference is a sample of ${sample.length} of the ${rows} training values`,
    };
  }
  const q = stats.quantiles;
  if (q && q.length >= 2) {
    const size = Math.min(rows, 1000);
    return {
      values: fromQuantiles(q, size),
      approximation: `reference rebuilt from ${q.length} quantiles (the card keeps no sample of ${quote(name)})`,
    };
  }
  return `the card keeps neither a sample nor quantiles of ${quote(name)}`;
}

function finiteValues(name: string, values: ArrayLike<number>): ArrayLike<number> {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw invalid(`Live values of feature ${quote(name)} must be an array of numbers; got ${quote(values)}.`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(`Live values of feature ${quote(name)} have ${quote(v)} at index ${i}; expected finite numbers only.`);
    }
  }
  return values;
}

/** The test Evidently picks for a column (its `_get_default_stattest`). */
export function defaultDriftTest(referenceRows: number, categorical: boolean, distinctValues: number): DriftTest {
  const few = categorical || distinctValues <= DRIFT_DEFAULTS.fewValues;
  if (referenceRows <= DRIFT_DEFAULTS.largeReferenceRows) {
    if (few) return distinctValues > 2 ? 'chi2' : 'z';
    return 'ks';
  }
  return few ? 'jensenshannon' : 'wasserstein';
}

function shares(counts: Readonly<Record<string, number>>): Record<string, number> {
  let total = 0;
  for (const v of Object.values(counts)) total += v;
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, total > 0 ? v / total : 0]));
}

function labelDrift(reference: DriftReference, current: Readonly<Record<string, number>>, pT: number, dT: number): LabelDrift | undefined {
  if (current === null || typeof current !== 'object') throw invalid(`Live label counts must be an object of counts by label; got ${quote(current)}.`);
  let currentSize = 0;
  for (const [k, v] of Object.entries(current)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw invalid(`Live label count of ${quote(k)} is ${quote(v)}; expected a finite number ≥ 0.`);
    }
    currentSize += v;
  }
  const ref = reference.labels;
  if (!ref || currentSize === 0) return undefined;
  const distinct = new Set([...Object.keys(ref), ...Object.keys(current)].filter((k) => countOf(ref, k) > 0 || countOf(current, k) > 0)).size;
  const test = defaultDriftTest(reference.rows, true, distinct) as LabelDrift['test'];
  const base = { reference: shares(ref), current: shares(current), currentSize };
  if (test === 'jensenshannon') {
    const statistic = jensenShannonCounts(ref, current);
    return { test, statistic, threshold: dT, drifted: statistic >= dT, ...base };
  }
  const r = test === 'chi2' ? chiSquaredTest(current, ref) : zTestProportions(ref, current);
  return { test, statistic: r.statistic, pValue: r.pValue, threshold: pT, drifted: r.pValue < pT, ...base };
}

/**
 * Compares live values with a model card's reference statistics, feature by feature, with
 * Evidently's default tests and thresholds (see the module comment), and decides whether the
 * dataset drifts (at least half of the tested features drift).
 *
 * Only features named in the reference are tested; a reference feature without live values is
 * listed in `skipped`, and so is a live feature the reference does not describe. Predicted label
 * counts, when given and the reference has training label counts, are compared the same way and
 * reported in `labels` (they do not count towards `driftedShare`).
 *
 * @example
 * const report = driftReport(card.reference!, { features: { 'mean radius': [14.2, 11.9, …] } });
 * report.features[0];   // { name: 'mean radius', test: 'ks', statistic: 0.08, pValue: 0.41, threshold: 0.05, drifted: false, … }
 */
export function driftReport(reference: DriftReference, current: DriftCurrent, options: DriftOptions = {}): DriftReport {
  checkReference(reference);
  if (current === null || typeof current !== 'object' || current.features === null || typeof current.features !== 'object') {
    throw invalid(`Live data must be { features: { [name]: number[] }, labels? }; got ${quote(current)}.`);
  }
  checkOptions(options, 'driftReport()', DRIFT_RULES);
  const pT = options.pValueThreshold ?? DRIFT_DEFAULTS.pValueThreshold;
  const dT = options.distanceThreshold ?? DRIFT_DEFAULTS.distanceThreshold;
  const driftShare = options.driftShare ?? DRIFT_DEFAULTS.driftShare;
  const names = Object.keys(reference.features);
  const categorical = new Set(options.categorical ?? []);
  for (const c of categorical) {
    if (!names.includes(c)) throw invalid(`Unknown categorical feature ${quote(c)}. Expected one of: ${oneOf(names)}.`);
  }

  const features: FeatureDrift[] = [];
  const skipped: DriftReport['skipped'] = [];
  for (const name of names) {
    const live = Object.hasOwn(current.features, name) ? current.features[name] : undefined;
    if (live === undefined || live.length === 0) {
      skipped.push({ name, reason: 'no live values' });
      continue;
    }
    const cur = finiteValues(name, live);
    const ref = referenceSample(name, reference.features[name]!, reference.rows);
    if (typeof ref === 'string') {
      skipped.push({ name, reason: ref });
      continue;
    }
    const isCategorical = categorical.has(name);
    const test = defaultDriftTest(reference.rows, isCategorical, distinctCount(ref.values, cur));
    const sizes = { referenceSize: ref.values.length, currentSize: cur.length };
    const note = ref.approximation === undefined ? {} : { approximation: ref.approximation };
    let result: FeatureDrift;
    switch (test) {
      case 'ks': {
        const r = ksTwoSample(ref.values, cur);
        result = { name, test, statistic: r.statistic, pValue: r.pValue, threshold: pT, drifted: r.pValue < pT, ...sizes, ...note };
        break;
      }
      case 'chi2': {
        const r = chiSquaredTest(valueCounts(cur), valueCounts(ref.values));
        result = { name, test, statistic: r.statistic, pValue: r.pValue, threshold: pT, drifted: r.pValue < pT, ...sizes, ...note };
        break;
      }
      case 'z': {
        const r = zTestProportions(valueCounts(ref.values), valueCounts(cur));
        result = { name, test, statistic: r.statistic, pValue: r.pValue, threshold: pT, drifted: r.pValue < pT, ...sizes, ...note };
        break;
      }
      case 'wasserstein': {
        const statistic = wassersteinNormed(ref.values, cur, reference.features[name]!.std);
        result = { name, test, statistic, threshold: dT, drifted: statistic >= dT, ...sizes, ...note };
        break;
      }
      case 'jensenshannon': {
        const statistic = isCategorical ? jensenShannonCounts(valueCounts(ref.values), valueCounts(cur)) : jensenShannon(ref.values, cur);
        result = { name, test, statistic, threshold: dT, drifted: statistic >= dT, ...sizes, ...note };
        break;
      }
    }
    features.push(result);
  }
  for (const name of Object.keys(current.features)) {
    if (!Object.hasOwn(reference.features, name)) skipped.push({ name, reason: 'not described by the reference' });
  }

  const driftedCount = features.filter((f) => f.drifted).length;
  const driftedShare = features.length === 0 ? 0 : driftedCount / features.length;
  const report: DriftReport = {
    features,
    skipped,
    driftedCount,
    driftedShare,
    datasetDrift: features.length > 0 && driftedShare >= driftShare,
    driftShare,
    referenceRows: reference.rows,
  };
  const labels = current.labels ? labelDrift(reference, current.labels, pT, dT) : undefined;
  if (labels) report.labels = labels;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Accumulating live data


export interface DriftAccumulatorOptions {
  /** Rows kept in the reservoir (per feature); default 1,000, like the card's reference sample. */
  capacity?: number;
  /** Seed of the reservoir's random choices (for reproducible tests); default: a random seed. */
  seed?: number;
}

/** What a `DriftAccumulator` holds: plain data, safe to post between a worker and a page. */
export interface DriftSnapshot {
  /** Rows observed in all. */
  rows: number;
  /** A uniform random sample (without replacement) of the observed values, per feature. */
  features: Record<string, number[]>;
  /** Count of each predicted label over every observed row (exact, not sampled). */
  labels: Record<string, number>;
}

/**
 * Accumulates live model inputs for drift checks without keeping them: a reservoir (Vitter's
 * algorithm R) holds a uniform random sample of at most `capacity` rows — a statistic of the
 * stream, not a log — and every other row is dropped once counted. Predicted labels are only
 * counted. Memory stays at capacity × features numbers however long it runs.
 *
 * The sample is of whole rows (the same rows for every feature), so it is also a uniform sample
 * of each feature's values.
 *
 * @example
 * const acc = new DriftAccumulator(card.input.features.map((f) => f.name), { seed: 1 });
 * acc.observe([[14.2, 19.1, …]], ['benign']);
 * acc.report(card.reference!);
 */
export class DriftAccumulator {
  readonly features: readonly string[];
  readonly capacity: number;
  private readonly columns: Float64Array[];
  private readonly random: () => number;
  private readonly labelCounts = new Map<string, number>();
  private seen = 0;

  constructor(features: readonly string[], options: DriftAccumulatorOptions = {}) {
    if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== 'string' || f === '')) {
      throw invalid(`DriftAccumulator needs the feature names, in row order, as non-empty strings; got ${quote(features)}.`);
    }
    const duplicate = features.find((f, i) => features.indexOf(f) !== i);
    if (duplicate !== undefined) throw invalid(`DriftAccumulator: feature ${quote(duplicate)} is named twice.`);
    checkOptions(options, 'new DriftAccumulator()', ACCUMULATOR_RULES);
    const capacity = options.capacity ?? 1000;
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.features = [...features];
    this.capacity = capacity;
    this.columns = features.map(() => new Float64Array(capacity));
    this.random = mulberry32(seed);
  }

  /** Rows observed so far. */
  get rows(): number {
    return this.seen;
  }

  /**
   * Counts a batch of rows (values in feature order) and, optionally, the label predicted for
   * each. The batch is checked whole before anything is kept: a bad row changes nothing.
   */
  observe(rows: ArrayLike<ArrayLike<number>>, labels?: readonly string[]): void {
    if (rows === null || typeof rows !== 'object' || typeof rows.length !== 'number') {
      throw invalid(`observe() needs an array of rows; got ${quote(rows)}.`);
    }
    const width = this.features.length;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row === null || typeof row !== 'object' || row.length !== width) {
        throw invalid(`Row ${r} has ${row && typeof row === 'object' ? `${row.length} values` : quote(row)}; expected ${width} (${oneOf(this.features)}).`);
      }
      for (let c = 0; c < width; c++) {
        const v = row[c];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw invalid(`Row ${r} has ${quote(v)} for feature ${quote(this.features[c])}; expected a finite number.`);
        }
      }
    }
    if (labels !== undefined) {
      if (!Array.isArray(labels) || labels.length !== rows.length) {
        throw invalid(`observe() got ${Array.isArray(labels) ? labels.length : quote(labels)} labels for ${rows.length} rows; expected one label per row.`);
      }
      const bad = labels.findIndex((l) => typeof l !== 'string');
      if (bad >= 0) throw invalid(`Label ${bad} is ${quote(labels[bad])}; expected a string.`);
    }
    for (let r = 0; r < rows.length; r++) {
      // Algorithm R: row t (0-based) enters with probability capacity / (t + 1).
      const t = this.seen++;
      const slot = t < this.capacity ? t : Math.floor(this.random() * (t + 1));
      if (slot >= this.capacity) continue;
      const row = rows[r]!;
      for (let c = 0; c < width; c++) this.columns[c]![slot] = row[c]!;
    }
    for (const l of labels ?? []) this.labelCounts.set(l, (this.labelCounts.get(l) ?? 0) + 1);
  }

  /** A copy of the reservoir and the label counts. */
  snapshot(): DriftSnapshot {
    const size = Math.min(this.seen, this.capacity);
    return {
      rows: this.seen,
      features: Object.fromEntries(this.features.map((f, c) => [f, Array.from(this.columns[c]!.subarray(0, size))])),
      labels: Object.fromEntries(this.labelCounts),
    };
  }

  /** `driftReport` of the reservoir (and label counts) against a card's reference. */
  report(reference: DriftReference, options?: DriftOptions): DriftReport {
    const snap = this.snapshot();
    const current: DriftCurrent = { features: snap.features };
    if (this.labelCounts.size > 0) current.labels = snap.labels;
    return driftReport(reference, current, options);
  }

  /** Forgets every row and label (e.g. after a model update). */
  reset(): void {
    this.seen = 0;
    this.labelCounts.clear();
  }
}
