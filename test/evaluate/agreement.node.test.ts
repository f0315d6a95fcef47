import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AgreementTracker,
  compareOutputs,
  compareResults,
  decidePromotion,
  type AgreementReport,
  type ComparableResult,
} from '../../lib/evaluate/agreement.js';
import { interpret, type Interpretation } from '../../lib/model/interpret.js';
import type { ModelCard } from '../../lib/model/card.js';
import { thrown } from '../helpers.js';


const card: ModelCard = {
  name: 'cls',
  version: '1.0.0',
  task: 'binary-classification',
  description: 'test',
  input: { kind: 'features', tensor: 'x', features: [{ name: 'a', type: 'number' }] },
  outputs: { label: 'label', probabilities: 'probabilities', labels: ['malignant', 'benign'] },
  model: { file: 'cls.onnx', sha256: '0'.repeat(64), bytes: 1 },
  license: 'MIT',
};

/** A classifier result as interpret() makes it from raw outputs: P(benign) = p. */
function classify(p: number): Interpretation {
  return interpret(card, {
    label: { type: 'int64', dims: [1], data: BigInt64Array.of(p >= 0.5 ? 1n : 0n) },
    probabilities: { type: 'float32', dims: [1, 2], data: Float32Array.of(1 - p, p) },
  });
}

/** Deterministic P(benign) values spread over (0, 1). */
const ps = Array.from({ length: 300 }, (_, i) => ((i * 0.618034) % 1) * 0.98 + 0.01);

describe('compareOutputs', () => {
  it('classifiers: same label agrees; probability difference is the mean |Δp| over labels', () => {
    expect(
      compareOutputs({ label: 'benign', probabilities: { malignant: 0.1, benign: 0.9 } }, { label: 'benign', probabilities: { malignant: 0.3, benign: 0.7 } }),
    ).toEqual({ kind: 'classification', agree: true, probabilityDiff: expect.closeTo(0.2, 12) });
    // A label missing on one side counts as probability 0: (|0.5−0.5| + |0.5−0| + |0−0.5|) / 3.
    expect(compareOutputs({ label: 'a', probabilities: { a: 0.5, b: 0.5 } }, { label: 'c', probabilities: { a: 0.5, c: 0.5 } })).toEqual({
      kind: 'classification',
      agree: false,
      probabilityDiff: expect.closeTo(1 / 3, 12),
    });
    expect(compareOutputs({ label: 'a' }, { label: 'a', probabilities: { a: 1 } })).toEqual({ kind: 'classification', agree: true });
  });

  it('regressors agree within |a − b| ≤ 1e-6 + 1e-3 · max(|a|, |b|) by default', () => {
    expect(compareOutputs({ value: 1000 }, { value: 1000.9 }).agree).toBe(true);
    expect(compareOutputs({ value: 1000 }, { value: 1001.1 }).agree).toBe(false);
    expect(compareOutputs({ value: 0 }, { value: 9e-7 }).agree).toBe(true);
    expect(compareOutputs({ value: 0 }, { value: 2e-6 }).agree).toBe(false);
    expect(compareOutputs({ value: 1 }, { value: 1.05 }, { relativeTolerance: 0.1 }).agree).toBe(true);
    expect(compareOutputs({ value: Number.NaN }, { value: 1 })).toEqual({ kind: 'regression', agree: false, valueDiff: Infinity });
    expect(compareOutputs({ value: 2.5 }, { value: 2 }).valueDiff).toBe(0.5);
  });

  it('takes interpret() results as they are, and refuses mixed or unreadable results', () => {
    expectTypeOf<Interpretation>().toMatchTypeOf<ComparableResult>();
    const reg: Interpretation = { kind: 'regression', value: 3, unit: 'k$' };
    expect(compareOutputs(reg, { kind: 'regression', value: 3, unit: 'k$' }).agree).toBe(true);
    expect(compareOutputs(classify(0.9), classify(0.8))).toMatchObject({ agree: true, probabilityDiff: expect.closeTo(0.1, 6) });
    expect(thrown(() => compareOutputs(reg, classify(0.9))).message).toMatch(/Cannot compare a regression result with a classification result/);
    expect(thrown(() => compareOutputs({} as ComparableResult, reg)).message).toBe(
      'Result a must have a "label" (classifier) or a numeric "value" (regressor); got {}.',
    );
    expect(thrown(() => compareOutputs({ value: 1 }, { value: 1 }, { absoluteTolerance: -1 })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('AgreementTracker and decidePromotion', () => {
  it('an identical candidate: agreement 1.0, waits until 200 inputs, then promotes', () => {
    const tracker = new AgreementTracker({ seed: 1 });
    for (let i = 0; i < 199; i++) tracker.add(classify(ps[i]!), classify(ps[i]!), { a: 1 + (i % 5), b: 2 + (i % 3) });
    expect(decidePromotion(tracker)).toEqual({ decision: 'wait', reason: '199 of 200 inputs compared so far (agreement 100.0 %).', agreement: 1, inputs: 199 });
    tracker.add(classify(ps[199]!), classify(ps[199]!), { a: 3, b: 3 });
    const d = decidePromotion(tracker);
    expect(d).toMatchObject({ decision: 'promote', agreement: 1, inputs: 200 });
    expect(d.reason).toBe('Agreement 100.0 % ≥ 95.0 % over 200 inputs.');
    const report = tracker.report();
    expect(report).toMatchObject({ kind: 'classification', inputs: 200, agreed: 200, agreement: 1, meanAbsProbabilityDiff: 0, withProbabilities: 200 });
    expect(report.meanAbsValueDiff).toBeNull();
    // Latencies a: 1, 2, 3, 4, 5 repeating, then 3: counts 40, 40, 41, 40, 39.
    expect(report.latency.a).toEqual({ count: 200, mean: expect.closeTo(598 / 200, 12), p50: 3 });
    // b: 2, 3, 4 repeating, then 3: counts 67, 67, 66.
    expect(report.latency.b.count).toBe(200);
    expect(report.latency.b.mean).toBeCloseTo((67 * 2 + 67 * 3 + 66 * 4) / 200, 12);
    expect(report.latency.b.p50).toBe(3);
  });

  it('a candidate with flipped labels: agreement near 0, rejected with the reason', () => {
    const tracker = new AgreementTracker();
    for (const p of ps) tracker.add(classify(p), classify(1 - p));
    const report = tracker.report();
    expect(report.agreement).toBe(0);
    expect(report.meanAbsProbabilityDiff).toBeGreaterThan(0.3);
    const d = decidePromotion(tracker);
    expect(d.decision).toBe('reject');
    expect(d.reason).toBe('Agreement 0.0 % < 95.0 % over 300 inputs (300 disagreed); keeping the current version.');
    expect(report.latency.a).toEqual({ count: 0, mean: Number.NaN, p50: Number.NaN });
  });

  it('a slightly different candidate sits on either side of the threshold', () => {
    // The candidate flips every 25th prediction: 96 % agreement promotes, 94 % (every 16th…) does not.
    const mostly = compareResults(ps.map((p, i) => [classify(p), classify(i % 25 === 0 ? 1 - p : p)] as const));
    expect(mostly.agreement).toBeCloseTo(288 / 300, 12);
    expect(decidePromotion(mostly).decision).toBe('promote');
    const fewer = compareResults(ps.map((p, i) => [classify(p), classify(i % 16 === 0 ? 1 - p : p)] as const));
    expect(fewer.agreement).toBeCloseTo(281 / 300, 12);
    expect(decidePromotion(fewer).decision).toBe('reject');
    expect(decidePromotion(fewer, { threshold: 0.9 }).decision).toBe('promote');
    expect(decidePromotion(fewer, { minInputs: 1000 }).decision).toBe('wait');
  });

  it('regressors: agreement within tolerance, mean and max |Δ|', () => {
    const tracker = new AgreementTracker();
    for (let i = 1; i <= 200; i++) tracker.add({ value: i }, { value: i * (1 + (i % 10 === 0 ? 0.01 : 1e-5)) });
    const report: AgreementReport = tracker.report();
    expect(report.kind).toBe('regression');
    expect(report.agreement).toBeCloseTo(0.9, 12);
    expect(report.maxAbsValueDiff).toBeCloseTo(2, 12);
    expect(report.meanAbsProbabilityDiff).toBeNull();
    expect(decidePromotion(report).decision).toBe('reject');
    expect(thrown(() => tracker.add(classify(0.4), classify(0.4))).message).toMatch(/compares regression results; got a classification result/);
  });

  it('an empty tracker waits; bad options and latencies are refused', () => {
    expect(decidePromotion(new AgreementTracker())).toEqual({ decision: 'wait', reason: '0 of 200 inputs compared so far.', agreement: null, inputs: 0 });
    expect(thrown(() => decidePromotion(new AgreementTracker(), { threshold: 1.5 })).message).toMatch(/threshold.*1.5/);
    expect(thrown(() => decidePromotion(new AgreementTracker(), { minInputs: 0 })).message).toMatch(/minInputs.*0/);
    expect(thrown(() => decidePromotion(new AgreementTracker(), { min: 3 } as never)).message).toBe('Unknown option "min" for decidePromotion(). Expected one of: "threshold", "minInputs".');
    expect(thrown(() => compareOutputs({ value: 1 }, { value: 1 }, { tolerance: 1 } as never)).message).toBe(
      'Unknown option "tolerance" for compareOutputs(). Expected one of: "relativeTolerance", "absoluteTolerance", "seed".',
    );
    expect(thrown(() => new AgreementTracker().add({ value: 1 }, { value: 1 }, { a: -3 })).message).toBe('Latency of a is -3; expected milliseconds ≥ 0.');
  });
});
