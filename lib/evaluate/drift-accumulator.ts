/**
 * Accumulating live model inputs for drift checks (lib/evaluate/drift.ts) without keeping them:
 * a bounded, uniform reservoir sample of rows, numeric and categorical features, missing
 * values included, and exact counts of predicted labels.
 */
import { oneOf, quote } from '../errors.js';
import { checkOptions, type OptionRules } from '../options.js';
import { driftReport } from './drift.js';
import type { DriftCurrent, DriftOptions, DriftReference, DriftReport } from './drift-types.js';
import { mulberry32 } from './random.js';
import { invalid } from './samples.js';

export interface DriftAccumulatorOptions {
  /** Rows kept in the reservoir (per feature); default 1,000, like the card's reference sample. */
  capacity?: number;
  /** Seed of the reservoir's random choices (for reproducible tests); default: a random seed. */
  seed?: number;
  /** Features whose values are category names (strings, null when missing) rather than numbers. */
  categories?: readonly string[];
}

const ACCUMULATOR_RULES: OptionRules = {
  capacity: { integer: [1, 10_000_000] },
  seed: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number'),
  categories: (v) => (Array.isArray(v) && v.every((c) => typeof c === 'string') ? undefined : 'an array of feature names'),
};

/** What a `DriftAccumulator` holds: plain data, safe to post between a worker and a page. */
export interface DriftSnapshot {
  /** Rows observed in all. */
  rows: number;
  /** A uniform random sample (without replacement) of the observed values, per numeric feature (NaN: missing). */
  features: Record<string, number[]>;
  /** The same rows' values of each categorical feature (null: missing); present when there are categorical features. */
  categories?: Record<string, (string | null)[]>;
  /** Count of each predicted label over every observed row (exact, not sampled). */
  labels: Record<string, number>;
}

/** One observed value: a number (NaN when missing), or a category name (null when missing). */
export type ObservedValue = number | string | null;

/**
 * Accumulates live model inputs for drift checks without keeping them: a reservoir (Vitter's
 * algorithm R) holds a uniform random sample of at most `capacity` rows — a statistic of the
 * stream, not a log — and every other row is dropped once counted. Predicted labels are only
 * counted. Memory stays at capacity × features values however long it runs.
 *
 * The sample is of whole rows (the same rows for every feature), so it is also a uniform sample
 * of each feature's values. Missing values (NaN, or null for a category) are kept as such: the
 * report counts them and leaves them out of each test.
 *
 * @example
 * const acc = new DriftAccumulator(['age', 'sex'], { categories: ['sex'], seed: 1 });
 * acc.observe([[22, 'male'], [Number.NaN, 'female']], ['died', 'survived']);
 * acc.report(card.reference!);
 */
export class DriftAccumulator {
  readonly features: readonly string[];
  readonly capacity: number;
  private readonly categorical: readonly boolean[];
  private readonly columns: (Float64Array | (string | null)[])[];
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
    const categories = options.categories ?? [];
    const unknown = categories.find((c) => !features.includes(c));
    if (unknown !== undefined) throw invalid(`DriftAccumulator: categorical feature ${quote(unknown)} is not a feature. Expected one of: ${oneOf(features)}.`);
    const capacity = options.capacity ?? 1000;
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.features = [...features];
    this.capacity = capacity;
    this.categorical = features.map((f) => categories.includes(f));
    this.columns = this.categorical.map((c) => (c ? new Array<string | null>(capacity).fill(null) : new Float64Array(capacity)));
    this.random = mulberry32(seed);
  }

  /** Rows observed so far. */
  get rows(): number {
    return this.seen;
  }

  /**
   * Counts a batch of rows (values in feature order: numbers, NaN when missing; category names,
   * null when missing) and, optionally, the label predicted for each. The batch is checked whole
   * before anything is kept: a bad row changes nothing.
   */
  observe(rows: ArrayLike<ArrayLike<ObservedValue>>, labels?: readonly string[]): void {
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
        if (this.categorical[c]) {
          if (v !== null && typeof v !== 'string') throw invalid(`Row ${r} has ${quote(v)} for categorical feature ${quote(this.features[c])}; expected a category name (or null when missing).`);
        } else if (typeof v !== 'number' || !(Number.isFinite(v) || Number.isNaN(v))) {
          throw invalid(`Row ${r} has ${quote(v)} for feature ${quote(this.features[c])}; expected a finite number (or NaN when missing).`);
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
      for (let c = 0; c < width; c++) {
        const col = this.columns[c]!;
        if (Array.isArray(col)) col[slot] = row[c] as string | null;
        else col[slot] = row[c] as number;
      }
    }
    for (const l of labels ?? []) this.labelCounts.set(l, (this.labelCounts.get(l) ?? 0) + 1);
  }

  /** A copy of the reservoir and the label counts. */
  snapshot(): DriftSnapshot {
    const size = Math.min(this.seen, this.capacity);
    const features: Record<string, number[]> = {};
    const categories: Record<string, (string | null)[]> = {};
    this.features.forEach((f, c) => {
      const col = this.columns[c]!;
      if (Array.isArray(col)) categories[f] = col.slice(0, size);
      else features[f] = Array.from(col.subarray(0, size));
    });
    const snap: DriftSnapshot = { rows: this.seen, features, labels: Object.fromEntries(this.labelCounts) };
    if (this.categorical.includes(true)) snap.categories = categories;
    return snap;
  }

  /** `driftReport` of the reservoir (and label counts) against a card's reference. */
  report(reference: DriftReference, options?: DriftOptions): DriftReport {
    const snap = this.snapshot();
    const current: DriftCurrent = { features: snap.features };
    if (snap.categories) current.categories = snap.categories;
    if (this.labelCounts.size > 0) current.labels = snap.labels;
    return driftReport(reference, current, options);
  }

  /** Forgets every row and label (e.g. after a model update). */
  reset(): void {
    this.seen = 0;
    this.labelCounts.clear();
  }
}
