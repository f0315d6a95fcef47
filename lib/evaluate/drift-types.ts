/** The types of drift reports (lib/evaluate/drift.ts) and Evidently's default thresholds. */
import type { CategoryStats, FeatureStats } from '../model/card.js';

/** The reference statistics of a model card (`card.reference`). */
export interface DriftReference {
  /** Training rows the statistics describe. */
  rows: number;
  features: Readonly<Record<string, FeatureStats>>;
  /** Training counts per category of categorical features. */
  categories?: Readonly<Record<string, CategoryStats>>;
  /** Training label counts (classifiers). */
  labels?: Readonly<Record<string, number>>;
}

/** Live data to compare: values per feature (e.g. a reservoir sample) and predicted label counts. */
export interface DriftCurrent {
  /** Numeric features' values; NaN is a missing value. */
  features: Readonly<Record<string, ArrayLike<number>>>;
  /** Categorical features' category names; null (or "") is a missing value. */
  categories?: Readonly<Record<string, readonly (string | null)[]>>;
  labels?: Readonly<Record<string, number>>;
}

export type DriftTest = 'ks' | 'chi2' | 'z' | 'wasserstein' | 'jensenshannon';

export interface FeatureDrift {
  name: string;
  test: DriftTest;
  /** KS D, chi-squared statistic, z, normalised Wasserstein distance or Jensen–Shannon distance. */
  statistic: number;
  /** For 'ks', 'chi2' and 'z'. */
  pValue?: number;
  /** p-value below which (tests) or distance from which (distances) the feature drifts. */
  threshold: number;
  drifted: boolean;
  /** Reference values the test used (the card's sample). */
  referenceSize: number;
  /** Live values the test used (missing ones not counted). */
  currentSize: number;
  /** Live values that were missing (NaN, or null for a category) and left out of the test; absent when none. */
  missing?: number;
  /** Why this result only estimates what Evidently would compute on the full training data. */
  approximation?: string;
}

export interface LabelDrift {
  test: Exclude<DriftTest, 'ks' | 'wasserstein'>;
  statistic: number;
  pValue?: number;
  threshold: number;
  drifted: boolean;
  /** Share of each label in the training data and among live predictions. */
  reference: Record<string, number>;
  current: Record<string, number>;
  currentSize: number;
}

export interface DriftReport {
  /** One result per tested feature, in the reference's feature order. */
  features: FeatureDrift[];
  /** Features that could not be tested, with the reason (no live values, nothing in the card…). */
  skipped: { name: string; reason: string }[];
  /** Tested features that drifted. */
  driftedCount: number;
  /** driftedCount / features tested (0 when none was tested). */
  driftedShare: number;
  /** driftedShare ≥ driftShare (and at least one feature tested). */
  datasetDrift: boolean;
  /** The share of drifting features from which the dataset drifts. */
  driftShare: number;
  /** Training rows behind the reference. */
  referenceRows: number;
  /** Predicted labels against the training labels, when both are known. Not part of driftedShare. */
  labels?: LabelDrift;
}

export interface DriftOptions {
  /** Features whose values are category codes rather than measurements. */
  categorical?: readonly string[];
  /** p-value threshold of the KS, chi-squared and z tests; default 0.05. */
  pValueThreshold?: number;
  /** Distance threshold of Wasserstein and Jensen–Shannon; default 0.1. */
  distanceThreshold?: number;
  /** Share of drifting features from which the dataset drifts; default 0.5. */
  driftShare?: number;
}

/** Evidently's defaults. */
export const DRIFT_DEFAULTS = {
  pValueThreshold: 0.05,
  distanceThreshold: 0.1,
  driftShare: 0.5,
  /** References with more rows than this are compared by distances, not tests. */
  largeReferenceRows: 1000,
  /** Numeric features with no more distinct values than this are treated as categories. */
  fewValues: 5,
} as const;
