/**
 * Data drift: do live inputs (and predicted labels) still look like the training data that a
 * model card's `reference` describes? `driftReport` runs one test per feature with Evidently's
 * default choices; `DriftAccumulator` (drift-accumulator.ts) keeps a bounded, uniform sample of
 * live rows to feed it. Categorical features are compared as counts per category against the
 * card's `reference.categories`; missing values (NaN, null) are counted, never tested.
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
import type { CategoryStats, FeatureStats } from '../model/card.js';
import { distinctCount, jensenShannon, jensenShannonCounts, valueCounts, wassersteinNormed } from './distances.js';
import { countOf } from './samples.js';
import { chiSquaredTest, ksTwoSample, zTestProportions } from './stats.js';

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

function checkReference(reference: DriftReference): void {
  if (reference === null || typeof reference !== 'object') throw invalid(`A drift reference must be a card's "reference" object; got ${quote(reference)}.`);
  if (typeof reference.rows !== 'number' || !Number.isInteger(reference.rows) || reference.rows < 1) {
    throw invalid(`The drift reference's "rows" must be a whole number ≥ 1; got ${quote(reference.rows)}.`);
  }
  if (reference.features === null || typeof reference.features !== 'object') {
    throw invalid(`The drift reference's "features" must be an object of statistics by feature; got ${quote(reference.features)}.`);
  }
  if (reference.categories !== undefined && (reference.categories === null || typeof reference.categories !== 'object')) {
    throw invalid(`The drift reference's "categories" must be an object of category counts by feature; got ${quote(reference.categories)}.`);
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

/** The live values that are there (NaN is a missing value: counted, left out of the test). */
function presentValues(name: string, values: ArrayLike<number>): { values: number[]; missing: number } {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw invalid(`Live values of feature ${quote(name)} must be an array of numbers; got ${quote(values)}.`);
  }
  const present: number[] = [];
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isNaN(v)) missing++;
    else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(`Live values of feature ${quote(name)} have ${quote(v)} at index ${i}; expected finite numbers (or NaN for a missing value).`);
    } else present.push(v);
  }
  return { values: present, missing };
}

/** Live category names counted, null (or "") a missing value. */
function categoryCounts(name: string, values: readonly (string | null)[]): { counts: Record<string, number>; size: number; missing: number } {
  if (!Array.isArray(values)) throw invalid(`Live values of categorical feature ${quote(name)} must be an array of category names; got ${quote(values)}.`);
  const counts: Record<string, number> = {};
  let size = 0;
  let missing = 0;
  values.forEach((v: unknown, i) => {
    if (v === null || v === '') missing++;
    else if (typeof v !== 'string') throw invalid(`Live values of categorical feature ${quote(name)} have ${quote(v)} at index ${i}; expected category names (or null for a missing value).`);
    else {
      counts[v] = (counts[v] ?? 0) + 1;
      size++;
    }
  });
  return { counts, size, missing };
}

/**
 * A categorical feature's test on category counts against the card's training counts: the
 * test Evidently picks for categories (chi-squared, the z-test for ≤ 2 categories, Jensen–Shannon
 * for a reference of more than 1,000 rows). Categories never seen in training count too.
 */
function categoricalDrift(name: string, ref: CategoryStats, live: { counts: Record<string, number>; size: number; missing: number }, rows: number, pT: number, dT: number): FeatureDrift {
  const refCounts = ref.counts;
  const distinct = new Set([...Object.keys(refCounts), ...Object.keys(live.counts)].filter((k) => countOf(refCounts, k) > 0 || countOf(live.counts, k) > 0)).size;
  const test = defaultDriftTest(rows, true, distinct);
  const base = {
    name,
    test,
    threshold: test === 'jensenshannon' ? dT : pT,
    referenceSize: Object.values(refCounts).reduce((a, b) => a + b, 0),
    currentSize: live.size,
    ...(live.missing > 0 && { missing: live.missing }),
  };
  if (test === 'jensenshannon') {
    const statistic = jensenShannonCounts(refCounts, live.counts);
    return { ...base, statistic, drifted: statistic >= dT };
  }
  const r = test === 'z' ? zTestProportions(refCounts, live.counts) : chiSquaredTest(live.counts, refCounts);
  return { ...base, statistic: r.statistic, pValue: r.pValue, drifted: r.pValue < pT };
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
 * Only features named in the reference are tested: numeric ones (`reference.features`, live
 * values in `current.features`), then categorical ones (`reference.categories`, live category
 * names in `current.categories`). A missing live value (NaN, or null for a category) is left out
 * of the test and counted in the result's `missing`. A reference feature without live values
 * (or only missing ones) is listed in `skipped`, and so is a live feature the reference does not
 * describe. Predicted label
 * counts, when given and the reference has training label counts, are compared the same way and
 * reported in `labels` (they do not count towards `driftedShare`).
 *
 * @example
 * const report = driftReport(card.reference!, { features: { 'mean radius': [14.2, 11.9, …] } });
 * report.features[0];   // { name: 'mean radius', test: 'ks', statistic: 0.08, pValue: 0.41, threshold: 0.05, drifted: false, … }
 */
export function driftReport(reference: DriftReference, current: DriftCurrent, options: DriftOptions = {}): DriftReport {
  checkReference(reference);
  if (
    current === null ||
    typeof current !== 'object' ||
    current.features === null ||
    typeof current.features !== 'object' ||
    (current.categories !== undefined && (current.categories === null || typeof current.categories !== 'object'))
  ) {
    throw invalid(`Live data must be { features: { [name]: number[] }, categories?: { [name]: (string | null)[] }, labels? }; got ${quote(current)}.`);
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
    const { values: cur, missing } = presentValues(name, live);
    if (cur.length === 0) {
      skipped.push({ name, reason: `all ${missing} live values are missing` });
      continue;
    }
    const ref = referenceSample(name, reference.features[name]!, reference.rows);
    if (typeof ref === 'string') {
      skipped.push({ name, reason: ref });
      continue;
    }
    const isCategorical = categorical.has(name);
    const test = defaultDriftTest(reference.rows, isCategorical, distinctCount(ref.values, cur));
    const sizes = { referenceSize: ref.values.length, currentSize: cur.length, ...(missing > 0 && { missing }) };
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
  const refCategories = reference.categories ?? {};
  const liveCategories = current.categories ?? {};
  for (const name of Object.keys(refCategories)) {
    const live = Object.hasOwn(liveCategories, name) ? liveCategories[name] : undefined;
    if (live === undefined || live.length === 0) {
      skipped.push({ name, reason: 'no live values' });
      continue;
    }
    const counted = categoryCounts(name, live);
    if (counted.size === 0) {
      skipped.push({ name, reason: `all ${counted.missing} live values are missing` });
      continue;
    }
    features.push(categoricalDrift(name, refCategories[name]!, counted, reference.rows, pT, dT));
  }
  for (const name of Object.keys(current.features)) {
    if (!Object.hasOwn(reference.features, name)) skipped.push({ name, reason: 'not described by the reference' });
  }
  for (const name of Object.keys(liveCategories)) {
    if (!Object.hasOwn(refCategories, name)) skipped.push({ name, reason: 'not described by the reference' });
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
