/**
 * Model card: the JSON document beside a model (`name.card.json`) that tells a form, a CSV job
 * and a drift check what the model expects and what it gives.
 */

export type CardTask = 'binary-classification' | 'multiclass-classification' | 'regression' | 'text-classification' | 'other';

export interface NumericFeature {
  name: string;
  type: 'number';
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  default?: number;
}

export interface CategoricalFeature {
  name: string;
  type: 'category';
  categories: string[];
  description?: string;
  default?: string;
}

export type Feature = NumericFeature | CategoricalFeature;

/** How the raw input reaches the model's input tensor. */
export type CardInput =
  | { kind: 'features'; tensor: string; features: Feature[] }
  | { kind: 'text'; tensor: string; preprocessing: TextPreprocessing; description?: string }
  | { kind: 'other'; tensor: string; description: string };

export interface TextPreprocessing {
  /** Lower-case the text before tokenising. */
  lowercase: boolean;
  /** A regular expression (source) whose matches are the tokens. */
  tokenPattern: string;
  /** Rank of the token tensor: 2 → [1, n]. */
  shape: 'row';
}

export interface CardOutputs {
  /** Output tensor with the predicted label (classifiers) or value (regressors). */
  label?: string;
  /** Output tensor with a probability per label. */
  probabilities?: string;
  value?: string;
  labels?: string[];
  unit?: string;
}

export interface FeatureStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Quantiles at 0, 0.01, …, 1 (101 values). */
  quantiles?: number[];
  /** Up to 1,000 reference values (a fixed-seed sample of the training data). */
  sample?: number[];
}

export interface ModelCard {
  name: string;
  version: string;
  task: CardTask;
  description: string;
  input: CardInput;
  outputs: CardOutputs;
  metrics?: Record<string, number>;
  /** Reference statistics of the training data per feature. */
  reference?: { rows: number; features: Record<string, FeatureStats>; labels?: Record<string, number> };
  /** Example inputs for warm-up and demos. */
  examples?: unknown[];
  model: { file: string; sha256: string; bytes: number };
  data?: { name: string; source: string; license: string; rows?: number; split?: string };
  license: string;
  [extra: string]: unknown;
}
