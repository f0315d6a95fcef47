/**
 * ml-predict/evaluate: how a model behaves on live inputs. Compare two models on the same rows,
 * track their agreement and decide whether a candidate may be promoted; measure the drift of live
 * inputs against a card's reference statistics. Importing it does nothing.
 */
export { compareModels } from './compare.js';
export type { CompareOptions } from './compare.js';
export { compareOutputs, compareResults, AgreementTracker, decidePromotion, AGREEMENT_DEFAULTS } from './agreement.js';
export type {
  AgreementOptions,
  AgreementReport,
  ComparableResult,
  LatencySummary,
  OutputComparison,
  PromotionDecision,
  PromotionOptions,
  ResultKind,
} from './agreement.js';
export { driftReport, defaultDriftTest, DRIFT_DEFAULTS } from './drift.js';
export type { DriftCurrent, DriftOptions, DriftReference, DriftReport, DriftTest, FeatureDrift, LabelDrift } from './drift.js';
export { DriftAccumulator } from './drift-accumulator.js';
export type { DriftAccumulatorOptions, DriftSnapshot, ObservedValue } from './drift-accumulator.js';
