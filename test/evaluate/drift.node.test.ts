/**
 * Drift acceptance with real model cards and the data they were trained on:
 * - breast-cancer (456 training rows → KS tests): rows drawn from the training data raise no
 *   dataset drift in at least 18 of 20 trials; one feature shifted by two standard deviations is
 *   flagged; half of the features shifted flags the dataset;
 * - digits (8,000 training rows → normalised Wasserstein distances), on held-out images.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultDriftTest, driftReport, type DriftReference } from '../../lib/evaluate/drift.js';
import { DriftAccumulator } from '../../lib/evaluate/drift-accumulator.js';
import { ksTwoSample } from '../../lib/evaluate/stats.js';
import { wassersteinNormed } from '../../lib/evaluate/distances.js';
import type { ModelCard } from '../../lib/model/card.js';
import { loadBreastCancer, loadDigits } from '../../tools/kit/data.js';
import { digitShape } from '../../tools/kit/models/digits.js';
import { permutation, pick, rng, split } from '../../tools/kit/rng.js';
import { SEED } from '../../tools/kit/types.js';
import { thrown } from '../helpers.js';

const root = join(import.meta.dirname, '..', '..');

function readCard(file: string): ModelCard {
  return JSON.parse(readFileSync(join(root, 'public', 'models', file), 'utf8')) as ModelCard;
}


/** `size` rows drawn without replacement from `pool` (seeded), as columns by feature name. */
function draw(pool: readonly (readonly number[])[], names: readonly string[], size: number, seed: number, shift: Record<number, number> = {}) {
  const rows = permutation(pool.length, rng(seed))
    .slice(0, size)
    .map((i) => pool[i]!.map((v, j) => v + (shift[j] ?? 0)));
  return { rows, features: Object.fromEntries(names.map((n, j) => [n, rows.map((r) => r[j]!)])) };
}

describe('drift: breast-cancer card (456 reference rows → Kolmogorov–Smirnov)', () => {
  const card = readCard('breast-cancer-1.0.0.card.json');
  const reference = card.reference!;
  const data = loadBreastCancer();
  const names = data.features;
  // The model kit's split: the card's reference statistics describe exactly these rows.
  const parts = split(data.x.length, 0.2, SEED, data.y);
  const train = pick(data.x, parts.train);
  const heldOut = pick(data.x, parts.test);
  const twoStd = (j: number) => 2 * reference.features[names[j]!]!.std;

  it('describes the training split the tests draw from', () => {
    expect(reference.rows).toBe(train.length);
    expect(Object.keys(reference.features)).toEqual(names);
    // The card keeps every training value (≤ 1,000 rows), rounded to 7 significant digits.
    const j = 3;
    expect(reference.features[names[j]!]!.sample).toEqual(train.map((r) => Number(r[j]!.toPrecision(7))));
  });

  it('rows drawn from the training data raise no dataset drift in at least 18 of 20 trials', () => {
    let datasetDrift = 0;
    let driftedFeatures = 0;
    for (let trial = 1; trial <= 20; trial++) {
      const { features } = draw(train, names, 200, 1000 + trial);
      const report = driftReport(reference, { features });
      expect(report.features.map((f) => f.test)).toEqual(names.map(() => 'ks'));
      expect(report.skipped).toEqual([]);
      if (report.datasetDrift) datasetDrift++;
      driftedFeatures += report.driftedCount;
    }
    expect(20 - datasetDrift).toBeGreaterThanOrEqual(18);
    // Measured: 0 of 20 trials, 0 of 600 feature tests, smallest p 0.15 (the rows are part of the reference).
    expect(driftedFeatures / 600).toBeLessThan(0.05);
  });

  it('held-out rows (never part of the reference) raise no dataset drift in at least 18 of 20 trials', () => {
    let datasetDrift = 0;
    let driftedFeatures = 0;
    for (let trial = 1; trial <= 20; trial++) {
      const { features } = draw(heldOut, names, 100, 1100 + trial);
      const report = driftReport(reference, { features });
      if (report.datasetDrift) datasetDrift++;
      driftedFeatures += report.driftedCount;
    }
    expect(20 - datasetDrift).toBeGreaterThanOrEqual(18);
    // Measured: 0 of 20 trials; 5 of 600 feature tests (0.8 %), under the nominal 5 %.
    expect(driftedFeatures / 600).toBeLessThan(0.05);
  });

  it('one feature shifted by two standard deviations is flagged (each of the 30, one trial each)', () => {
    for (let j = 0; j < names.length; j++) {
      const { features } = draw(train, names, 200, 2000 + j, { [j]: twoStd(j) });
      const report = driftReport(reference, { features });
      const f = report.features[j]!;
      expect(f.name).toBe(names[j]);
      expect(f.drifted).toBe(true);
      expect(f.pValue).toBeLessThan(1e-10);
      // Only that feature drifts: 1 of 30 is no dataset drift.
      expect(report.driftedCount).toBe(1);
      expect(report.datasetDrift).toBe(false);
    }
  });

  it('shifting half of the features flags dataset drift (20 of 20 random halves)', () => {
    for (let trial = 0; trial < 20; trial++) {
      const half = permutation(names.length, rng(3000 + trial)).slice(0, 15);
      const { features } = draw(train, names, 200, 3000 + trial, Object.fromEntries(half.map((j) => [j, twoStd(j)])));
      const report = driftReport(reference, { features });
      expect(report.features.filter((f) => f.drifted).map((f) => f.name).sort()).toEqual(half.map((j) => names[j]!).sort());
      expect(report.driftedShare).toBe(0.5);
      expect(report.datasetDrift).toBe(true);
    }
  });

  it('each KS result is the exact two-sample test of the card sample against the live values', () => {
    const { features } = draw(train, names, 120, 4000, { 0: twoStd(0) / 8 });
    const report = driftReport(reference, { features });
    for (const f of report.features) {
      const ks = ksTwoSample(reference.features[f.name]!.sample!, features[f.name]!);
      expect(ks.method).toBe('exact');
      expect([f.statistic, f.pValue, f.referenceSize, f.currentSize]).toEqual([ks.statistic, ks.pValue, 456, 120]);
      expect(f.drifted).toBe(ks.pValue < 0.05);
      expect(f.threshold).toBe(0.05);
      expect(f.approximation).toBeUndefined();
    }
  });

  it('compares predicted labels with the training labels (chi-squared → z for two labels)', () => {
    // 286 benign : 170 malignant in training.
    const same = driftReport(reference, { features: {}, labels: { benign: 125, malignant: 75 } });
    expect(same.labels).toMatchObject({ test: 'z', drifted: false, currentSize: 200 });
    expect(same.labels!.reference.benign).toBeCloseTo(286 / 456, 12);
    expect(same.features).toEqual([]);
    expect(same.datasetDrift).toBe(false);
    const flipped = driftReport(reference, { features: {}, labels: { benign: 75, malignant: 125 } });
    expect(flipped.labels).toMatchObject({ test: 'z', drifted: true });
    expect(flipped.labels!.pValue).toBeLessThan(1e-6);
    expect(flipped.labels!.current).toEqual({ benign: 0.375, malignant: 0.625 });
  });

  it('accumulates live rows in a bounded reservoir and reports from it', () => {
    const acc = new DriftAccumulator(names, { seed: 7, capacity: 300 });
    // All 569 rows in batches, with their true labels as the predictions.
    const order = permutation(data.x.length, rng(5));
    for (let start = 0; start < order.length; start += 50) {
      const idx = order.slice(start, start + 50);
      acc.observe(
        idx.map((i) => data.x[i]!),
        idx.map((i) => (data.y[i] === 0 ? 'malignant' : 'benign')),
      );
    }
    const snap = acc.snapshot();
    expect(snap.rows).toBe(569);
    expect(snap.features[names[0]!]).toHaveLength(300);
    expect(snap.labels).toEqual({ malignant: 212, benign: 357 });
    // Every kept row is a real row (rows are sampled whole, not feature by feature).
    const known = new Set(data.x.map((r) => r.join(',')));
    for (let k = 0; k < 300; k++) expect(known.has(names.map((n) => snap.features[n]![k]).join(','))).toBe(true);
    const report = acc.report(reference);
    expect(report.datasetDrift).toBe(false);
    expect(report.labels?.drifted).toBe(false);
    // Shift "mean area" in the live stream: the reservoir sees it.
    const area = names.indexOf('mean area');
    const shifted = new DriftAccumulator(names, { seed: 7, capacity: 300 });
    shifted.observe(data.x.map((r) => r.map((v, j) => (j === area ? v + twoStd(j) : v))));
    const r2 = shifted.report(reference);
    expect(r2.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['mean area']);
    expect(r2.labels).toBeUndefined();
  });
});

describe('drift: digits card (8,000 reference rows → normalised Wasserstein)', () => {
  const card = readCard('digits-1.0.0.card.json');
  const reference = card.reference!;
  const names = ['ink', 'centerRow', 'centerColumn'];
  let heldOut: number[][] = [];

  beforeAll(() => {
    const data = loadDigits();
    const parts = split(data.x.length, 0.2, SEED, data.y);
    heldOut = parts.test.map((i) => {
      const s = digitShape(data.x[i]!);
      return [s.ink, s.row, s.column];
    });
  });

  it('uses distances above 1,000 reference rows and says the reference is a sample', () => {
    expect(reference.rows).toBe(8000);
    const { features } = draw(heldOut, names, 1000, 6000);
    const report = driftReport(reference, { features });
    for (const f of report.features) {
      expect(f.test).toBe('wasserstein');
      expect(f.threshold).toBe(0.1);
      expect(f.pValue).toBeUndefined();
      expect(f.referenceSize).toBe(1000);
      expect(f.approximation).toBe('reference is a sample of 1000 of the 8000 training values');
      // Normalised by the std of all 8,000 training values, which the card keeps.
      expect(f.statistic).toBeCloseTo(wassersteinNormed(reference.features[f.name]!.sample!, features[f.name]!, reference.features[f.name]!.std), 14);
    }
  });

  it('held-out images raise no dataset drift in at least 18 of 20 trials; +2 std of ink is flagged', () => {
    let datasetDrift = 0;
    for (let trial = 1; trial <= 20; trial++) {
      const { features } = draw(heldOut, names, 1000, 6100 + trial);
      if (driftReport(reference, { features }).datasetDrift) datasetDrift++;
    }
    expect(20 - datasetDrift).toBeGreaterThanOrEqual(18);
    const ink = 2 * reference.features.ink!.std;
    const { features } = draw(heldOut, names, 1000, 6200, { 0: ink });
    const report = driftReport(reference, { features });
    expect(report.features.map((f) => [f.name, f.drifted])).toEqual([
      ['ink', true],
      ['centerRow', false],
      ['centerColumn', false],
    ]);
    expect(report.features[0]!.statistic).toBeGreaterThan(1.8);
    expect(report.datasetDrift).toBe(false);
    const two = driftReport(reference, { features: draw(heldOut, names, 1000, 6201, { 0: ink, 1: 2 * reference.features.centerRow!.std }).features });
    expect(two.driftedCount).toBe(2);
    expect(two.datasetDrift).toBe(true);
    // Predicted labels: Jensen–Shannon above 1,000 rows.
    const labels = Object.fromEntries(Object.entries(reference.labels!).map(([k, v]) => [k, Math.round(v / 8)]));
    expect(driftReport(reference, { features: {}, labels }).labels).toMatchObject({ test: 'jensenshannon', drifted: false, threshold: 0.1 });
    expect(driftReport(reference, { features: {}, labels: { '1': 900, '7': 100 } }).labels?.drifted).toBe(true);
  });
});

describe('drift: test choice, categories, approximations and errors', () => {
  const r = rng(99);
  const normal = (mean: number, std: number) => {
    const u = 1 - r();
    const v = r();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { mean, std, min: Math.min(...values), max: Math.max(...values), sample: values.slice(0, 1000) };
  };

  it('picks Evidently’s default test for each column', () => {
    expect(defaultDriftTest(1000, false, 6)).toBe('ks');
    expect(defaultDriftTest(1000, false, 5)).toBe('chi2');
    expect(defaultDriftTest(1000, false, 2)).toBe('z');
    expect(defaultDriftTest(1000, true, 40)).toBe('chi2');
    expect(defaultDriftTest(1000, true, 2)).toBe('z');
    expect(defaultDriftTest(1001, false, 6)).toBe('wasserstein');
    expect(defaultDriftTest(1001, false, 5)).toBe('jensenshannon');
    expect(defaultDriftTest(1001, true, 100)).toBe('jensenshannon');
  });

  it('tests categorical features with chi-squared (small reference) and Jensen–Shannon (large)', () => {
    const codes = (p: number[], n: number) =>
      Array.from({ length: n }, () => {
        let u = r();
        return p.findIndex((q) => (u -= q) < 0);
      });
    const small: DriftReference = { rows: 800, features: { colour: stats(codes([0.5, 0.3, 0.2], 800)) } };
    const same = driftReport(small, { features: { colour: codes([0.5, 0.3, 0.2], 300) } }, { categorical: ['colour'] });
    expect(same.features[0]).toMatchObject({ test: 'chi2', drifted: false });
    const moved = driftReport(small, { features: { colour: codes([0.2, 0.3, 0.5], 300) } }, { categorical: ['colour'] });
    expect(moved.features[0]).toMatchObject({ test: 'chi2', drifted: true });
    const large: DriftReference = { rows: 5000, features: { colour: stats(codes([0.5, 0.3, 0.2], 5000)) } };
    const js = driftReport(large, { features: { colour: codes([0.2, 0.3, 0.5], 300) } }, { categorical: ['colour'] });
    expect(js.features[0]).toMatchObject({ test: 'jensenshannon', drifted: true, threshold: 0.1 });
    expect(thrown(() => driftReport(small, { features: {} }, { categorical: ['color'] })).message).toBe(
      'Unknown categorical feature "color". Expected one of: "colour".',
    );
  });

  it('falls back to the quantiles when a card keeps no sample, and says so; skips what it cannot test', () => {
    const values = Array.from({ length: 600 }, () => normal(5, 2));
    const sorted = [...values].sort((a, b) => a - b);
    const quantiles = Array.from({ length: 101 }, (_, k) => {
      const pos = (sorted.length - 1) * (k / 100);
      const lo = Math.floor(pos);
      return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
    });
    const { sample: _unused, ...noSample } = stats(values);
    const reference: DriftReference = {
      rows: 600,
      features: { x: { ...noSample, quantiles }, bare: { mean: 0, std: 1, min: -3, max: 3 }, quiet: stats(values) },
    };
    const live = Array.from({ length: 200 }, () => normal(5, 2));
    const report = driftReport(reference, { features: { x: live, bare: live, extra: live } });
    expect(report.features).toHaveLength(1);
    expect(report.features[0]).toMatchObject({ name: 'x', test: 'ks', drifted: false, referenceSize: 600 });
    expect(report.features[0]!.approximation).toMatch(/rebuilt from 101 quantiles/);
    expect(report.skipped).toEqual([
      { name: 'bare', reason: 'the card keeps neither a sample nor quantiles of "bare"' },
      { name: 'quiet', reason: 'no live values' },
      { name: 'extra', reason: 'not described by the reference' },
    ]);
    const shifted = driftReport(reference, { features: { x: live.map((v) => v + 4) } });
    expect(shifted.features[0]!.drifted).toBe(true);
    expect(shifted.datasetDrift).toBe(true);
  });

  it('refuses Infinity in live values, bad options and a malformed reference', () => {
    const reference: DriftReference = { rows: 10, features: { a: stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) } };
    const e = thrown(() => driftReport(reference, { features: { a: [1, Number.POSITIVE_INFINITY] } }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toBe('Live values of feature "a" have Infinity at index 1; expected finite numbers (or NaN for a missing value).');
    expect(thrown(() => driftReport(reference, { features: { a: [1] } }, { pValueThreshold: 2 })).message).toMatch(/pValueThreshold.*2/);
    expect(thrown(() => driftReport({ ...reference, rows: 0 }, { features: {} })).message).toMatch(/"rows".*0/);
    expect(thrown(() => driftReport(reference, { features: {}, labels: { x: -1 } } as never)).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => driftReport(reference, { features: {} }, { pvalue: 0.1 } as never)).message).toBe(
      'Unknown option "pvalue" for driftReport(). Expected one of: "categorical", "pValueThreshold", "distanceThreshold", "driftShare".',
    );
    expect(thrown(() => driftReport(reference, { features: {} }, { driftShare: 0 })).message).toBe('Option "driftShare" of driftReport() is 0. Expected a number in (0, 1].');
    expect(thrown(() => new DriftAccumulator(['a'], { size: 10 } as never)).message).toBe('Unknown option "size" for new DriftAccumulator(). Expected one of: "capacity", "seed", "categories".');
  });
});

describe('DriftAccumulator', () => {
  it('keeps a uniform sample of at most `capacity` rows, reproducible with a seed', () => {
    const acc = new DriftAccumulator(['i'], { capacity: 1000, seed: 3 });
    for (let start = 0; start < 20_000; start += 500) acc.observe(Array.from({ length: 500 }, (_, k) => [start + k]));
    const kept = acc.snapshot().features.i!;
    expect(acc.rows).toBe(20_000);
    expect(kept).toHaveLength(1000);
    expect(new Set(kept).size).toBe(1000);
    // Uniform over the stream: every tenth of it holds about a tenth of the sample, and the
    // sample passes a KS test against the whole stream.
    const tenths = Array.from({ length: 10 }, (_, d) => kept.filter((v) => Math.floor(v / 2000) === d).length);
    for (const count of tenths) expect(count).toBeGreaterThan(60);
    expect(ksTwoSample(kept, Array.from({ length: 20_000 }, (_, k) => k)).pValue).toBeGreaterThan(0.01);
    // Same seed, same sample; another seed, another one.
    const again = new DriftAccumulator(['i'], { capacity: 1000, seed: 3 });
    const other = new DriftAccumulator(['i'], { capacity: 1000, seed: 4 });
    for (let start = 0; start < 20_000; start += 500) {
      const rows = Array.from({ length: 500 }, (_, k) => [start + k]);
      again.observe(rows);
      other.observe(rows);
    }
    expect(again.snapshot().features.i).toEqual(kept);
    expect(other.snapshot().features.i).not.toEqual(kept);
  });

  it('checks a whole batch before keeping any of it, and resets', () => {
    const acc = new DriftAccumulator(['a', 'b'], { capacity: 5, seed: 1 });
    acc.observe([[1, 2]], ['x']);
    expect(thrown(() => acc.observe([[3, 4], [5, Number.NEGATIVE_INFINITY]], ['x', 'y'])).message).toBe('Row 1 has -Infinity for feature "b"; expected a finite number (or NaN when missing).');
    expect(thrown(() => acc.observe([[3, 4, 5]])).message).toMatch(/Row 0 has 3 values; expected 2/);
    expect(thrown(() => acc.observe([[3, 4]], ['x', 'y'])).message).toMatch(/got 2 labels for 1 rows/);
    expect(acc.snapshot()).toEqual({ rows: 1, features: { a: [1], b: [2] }, labels: { x: 1 } });
    acc.reset();
    expect(acc.snapshot()).toEqual({ rows: 0, features: { a: [], b: [] }, labels: {} });
    expect(thrown(() => new DriftAccumulator([])).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => new DriftAccumulator(['a', 'a'])).message).toMatch(/"a" is named twice/);
    expect(thrown(() => new DriftAccumulator(['a'], { capacity: 0 })).message).toMatch(/capacity.*0/);
  });

  it('posts as plain data (structured clone) and accepts typed-array rows', () => {
    const acc = new DriftAccumulator(['a'], { seed: 2 });
    acc.observe([Float32Array.of(0.5), Float32Array.of(1.5)], ['p', 'q']);
    const snap = structuredClone(acc.snapshot());
    expect(snap).toEqual({ rows: 2, features: { a: [0.5, 1.5] }, labels: { p: 1, q: 1 } });
  });
});
