/**
 * Agreement between two model versions on the same inputs: the numbers behind shadow
 * evaluation (a candidate runs beside the serving version, its outputs compared, never returned)
 * and `compareModels` (two models over a file of rows), and the rule that promotes a candidate.
 *
 * Results are compared as `interpret()` gives them (`lib/model/interpret.ts`):
 * - classifiers agree on an input when they predict the same label; beside the agreement share
 *   the report gives the mean absolute difference of their probabilities (averaged over the
 *   union of labels, a missing label counting as 0, then over the inputs where both models give
 *   probabilities);
 * - regressors agree when |a − b| ≤ absoluteTolerance + relativeTolerance · max(|a|, |b|), by
 *   default 1e-6 and 1e-3: a float32 model and its float64 twin agree, a retrained one that moves
 *   a prediction by 0.1 % does not. Non-finite values agree only with the same value.
 * - latency of each side (milliseconds, as measured by the caller): mean over every input, and
 *   the median (p50) over all of them, or a uniform sample of 10,000 once there are more.
 */
import { MlPredictError, quote } from '../errors.js';
import { checkOptions, type OptionRule, type OptionRules } from '../options.js';
import { mulberry32 } from './random.js';

/**
 * One model's result for one input: `interpret()`'s result (an `Interpretation`), or any object
 * with a `label` (and `probabilities`) for a classifier or a numeric `value` for a regressor.
 */
export interface ComparableResult {
  /** interpret()'s tag; the fields below decide the kind. */
  kind?: 'classification' | 'regression';
  label?: string;
  probabilities?: Readonly<Record<string, number>>;
  value?: number;
  unit?: string | undefined;
}

export interface AgreementOptions {
  /** Regressors: relative tolerance; default 1e-3. */
  relativeTolerance?: number;
  /** Regressors: absolute tolerance; default 1e-6. */
  absoluteTolerance?: number;
  /** Seed of the latency sample once it is full (reproducible tests); default random. */
  seed?: number;
}

export const AGREEMENT_DEFAULTS = {
  relativeTolerance: 1e-3,
  absoluteTolerance: 1e-6,
  /** Candidate is promoted when agreement ≥ this… */
  threshold: 0.95,
  /** …over at least this many inputs. */
  minInputs: 200,
  /** Latencies kept for the median. */
  latencySamples: 10_000,
} as const;

export type ResultKind = 'classification' | 'regression';

export interface OutputComparison {
  kind: ResultKind;
  agree: boolean;
  /** Classifiers with probabilities on both sides: mean |p_a − p_b| over the union of labels. */
  probabilityDiff?: number;
  /** Regressors: |a − b|. */
  valueDiff?: number;
}

export interface LatencySummary {
  /** Inputs with a measured latency. */
  count: number;
  /** Milliseconds; NaN when count is 0. */
  mean: number;
  /** Milliseconds; NaN when count is 0. */
  p50: number;
}

export interface AgreementReport {
  /** undefined until the first input. */
  kind: ResultKind | undefined;
  /** Inputs compared. */
  inputs: number;
  /** Inputs on which both agreed. */
  agreed: number;
  /** agreed / inputs; null before the first input. */
  agreement: number | null;
  /** Classifiers: mean over inputs of the mean |Δp| (null when no input had probabilities on both sides). */
  meanAbsProbabilityDiff: number | null;
  /** Classifiers: inputs that had probabilities on both sides. */
  withProbabilities: number;
  /** Regressors: mean |a − b| (null for classifiers or before the first input). */
  meanAbsValueDiff: number | null;
  /** Regressors: largest |a − b|. */
  maxAbsValueDiff: number | null;
  /** a: the serving (or first) model; b: the candidate (or second). */
  latency: { a: LatencySummary; b: LatencySummary };
}

export interface PromotionOptions {
  /** Smallest agreement that promotes; default 0.95. */
  threshold?: number;
  /** Inputs needed before deciding; default 200. */
  minInputs?: number;
}

export interface PromotionDecision {
  decision: 'promote' | 'reject' | 'wait';
  reason: string;
  agreement: number | null;
  inputs: number;
}

function invalid(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

const nonNegative: OptionRule = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number ≥ 0');
const finite: OptionRule = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number');

/** The options of compareOutputs() and AgreementTracker, in their documented order. */
export const AGREEMENT_RULES: OptionRules = { relativeTolerance: nonNegative, absoluteTolerance: nonNegative, seed: finite };
const PROMOTION_RULES: OptionRules = { threshold: { number: [0, 1] }, minInputs: { integer: [1, 1_000_000_000] } };

function kindOf(r: ComparableResult, side: 'a' | 'b'): ResultKind {
  if (r !== null && typeof r === 'object') {
    if (typeof r.label === 'string') return 'classification';
    if (typeof r.value === 'number') return 'regression';
  }
  throw invalid(`Result ${side} must have a "label" (classifier) or a numeric "value" (regressor); got ${quote(r)}.`);
}

function probabilityDiff(a: Readonly<Record<string, number>> | undefined, b: Readonly<Record<string, number>> | undefined): number | undefined {
  if (!a || !b) return undefined;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  if (Object.keys(a).length === 0 || Object.keys(b).length === 0) return undefined;
  let sum = 0;
  for (const k of keys) {
    const pa = Object.hasOwn(a, k) ? a[k]! : 0;
    const pb = Object.hasOwn(b, k) ? b[k]! : 0;
    if (!Number.isFinite(pa) || !Number.isFinite(pb)) throw invalid(`Probability of ${quote(k)} is ${quote(Number.isFinite(pa) ? pb : pa)}; expected a finite number.`);
    sum += Math.abs(pa - pb);
  }
  return sum / keys.size;
}

/**
 * Compares two results for the same input.
 *
 * @example
 * compareOutputs({ label: 'benign', probabilities: { malignant: 0.1, benign: 0.9 } },
 *                { label: 'benign', probabilities: { malignant: 0.3, benign: 0.7 } });
 * // { kind: 'classification', agree: true, probabilityDiff: 0.2 }
 */
export function compareOutputs(a: ComparableResult, b: ComparableResult, options: AgreementOptions = {}): OutputComparison {
  checkOptions(options, 'compareOutputs()', AGREEMENT_RULES);
  const ka = kindOf(a, 'a');
  const kb = kindOf(b, 'b');
  if (ka !== kb) throw invalid(`Cannot compare a ${ka} result with a ${kb} result: ${quote(a)} and ${quote(b)}.`);
  if (ka === 'classification') {
    const out: OutputComparison = { kind: ka, agree: a.label === b.label };
    const d = probabilityDiff(a.probabilities, b.probabilities);
    if (d !== undefined) out.probabilityDiff = d;
    return out;
  }
  const rel = options.relativeTolerance ?? AGREEMENT_DEFAULTS.relativeTolerance;
  const abs = options.absoluteTolerance ?? AGREEMENT_DEFAULTS.absoluteTolerance;
  const va = a.value as number;
  const vb = b.value as number;
  const valueDiff = Math.abs(va - vb);
  const agree = Number.isFinite(va) && Number.isFinite(vb) ? valueDiff <= abs + rel * Math.max(Math.abs(va), Math.abs(vb)) : Object.is(va, vb);
  return { kind: ka, agree, valueDiff: Number.isNaN(valueDiff) ? Infinity : valueDiff };
}

/** Latencies: an exact mean and a bounded uniform sample (algorithm R) for the median. */
class Latencies {
  private readonly sample: number[] = [];
  private count = 0;
  private sum = 0;

  constructor(private readonly random: () => number) {}

  add(ms: number, side: string): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalid(`Latency of ${side} is ${quote(ms)}; expected milliseconds ≥ 0.`);
    const t = this.count++;
    this.sum += ms;
    if (t < AGREEMENT_DEFAULTS.latencySamples) this.sample.push(ms);
    else {
      const slot = Math.floor(this.random() * (t + 1));
      if (slot < AGREEMENT_DEFAULTS.latencySamples) this.sample[slot] = ms;
    }
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, mean: Number.NaN, p50: Number.NaN };
    const s = [...this.sample].sort((x, y) => x - y);
    const mid = s.length >> 1;
    const p50 = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    return { count: this.count, mean: this.sum / this.count, p50 };
  }
}

/**
 * Running agreement between a serving model (a) and a candidate (b). Keeps counts and sums,
 * not the inputs or results.
 *
 * @example
 * const tracker = new AgreementTracker();
 * tracker.add(interpret(card, outA), interpret(card, outB), { a: 1.2, b: 1.5 });
 * decidePromotion(tracker);   // { decision: 'wait', reason: '1 of 200 inputs compared so far …' }
 */
export class AgreementTracker {
  private kind: ResultKind | undefined;
  private inputs = 0;
  private agreed = 0;
  private probSum = 0;
  private probCount = 0;
  private valueSum = 0;
  private valueMax = 0;
  private readonly latencyA: Latencies;
  private readonly latencyB: Latencies;
  private readonly options: AgreementOptions;

  constructor(options: AgreementOptions = {}) {
    checkOptions(options, 'new AgreementTracker()', AGREEMENT_RULES);
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const random = mulberry32(seed);
    this.latencyA = new Latencies(random);
    this.latencyB = new Latencies(random);
    this.options = { ...options };
  }

  /** Adds one input's two results and, optionally, how long each model took (ms). */
  add(a: ComparableResult, b: ComparableResult, latency?: { a?: number; b?: number }): OutputComparison {
    const c = compareOutputs(a, b, this.options);
    if (this.kind !== undefined && c.kind !== this.kind) {
      throw invalid(`This tracker compares ${this.kind} results; got a ${c.kind} result (${quote(a)}).`);
    }
    if (latency?.a !== undefined) this.latencyA.add(latency.a, 'a');
    if (latency?.b !== undefined) this.latencyB.add(latency.b, 'b');
    this.kind = c.kind;
    this.inputs++;
    if (c.agree) this.agreed++;
    if (c.probabilityDiff !== undefined) {
      this.probSum += c.probabilityDiff;
      this.probCount++;
    }
    if (c.valueDiff !== undefined) {
      this.valueSum += c.valueDiff;
      this.valueMax = Math.max(this.valueMax, c.valueDiff);
    }
    return c;
  }

  report(): AgreementReport {
    const regression = this.kind === 'regression' && this.inputs > 0;
    return {
      kind: this.kind,
      inputs: this.inputs,
      agreed: this.agreed,
      agreement: this.inputs === 0 ? null : this.agreed / this.inputs,
      meanAbsProbabilityDiff: this.probCount === 0 ? null : this.probSum / this.probCount,
      withProbabilities: this.probCount,
      meanAbsValueDiff: regression ? this.valueSum / this.inputs : null,
      maxAbsValueDiff: regression ? this.valueMax : null,
      latency: { a: this.latencyA.summary(), b: this.latencyB.summary() },
    };
  }
}

/** The agreement report of a list of result pairs (the pure part of `compareModels`). */
export function compareResults(
  pairs: Iterable<readonly [ComparableResult, ComparableResult]>,
  options: AgreementOptions = {},
): AgreementReport {
  const tracker = new AgreementTracker(options);
  for (const [a, b] of pairs) tracker.add(a, b);
  return tracker.report();
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/**
 * The promotion rule of shadow evaluation: wait until `minInputs` inputs were compared
 * (default 200); then promote the candidate when agreement ≥ `threshold` (default 0.95), else
 * reject it (keep the serving version) — the reason says which numbers decided.
 */
export function decidePromotion(source: AgreementTracker | AgreementReport, options: PromotionOptions = {}): PromotionDecision {
  checkOptions(options, 'decidePromotion()', PROMOTION_RULES);
  const threshold = options.threshold ?? AGREEMENT_DEFAULTS.threshold;
  const minInputs = options.minInputs ?? AGREEMENT_DEFAULTS.minInputs;
  const report = source instanceof AgreementTracker ? source.report() : source;
  const { inputs, agreement } = report;
  if (inputs < minInputs || agreement === null) {
    return {
      decision: 'wait',
      reason: `${inputs} of ${minInputs} inputs compared so far${agreement === null ? '' : ` (agreement ${percent(agreement)})`}.`,
      agreement,
      inputs,
    };
  }
  if (agreement >= threshold) {
    return { decision: 'promote', reason: `Agreement ${percent(agreement)} ≥ ${percent(threshold)} over ${inputs} inputs.`, agreement, inputs };
  }
  return {
    decision: 'reject',
    reason: `Agreement ${percent(agreement)} < ${percent(threshold)} over ${inputs} inputs (${inputs - report.agreed} disagreed); keeping the current version.`,
    agreement,
    inputs,
  };
}
