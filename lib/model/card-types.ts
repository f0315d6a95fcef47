/**
 * The model card's types: the JSON document beside a model (`name.card.json`) that tells a form,
 * a CSV job and a drift check what the model expects and what it gives. Checked by card.ts
 * (validateCard), which re-exports them.
 */
export const CARD_TASKS = [
  'binary-classification',
  'multiclass-classification',
  'regression',
  'text-classification',
  'voice-activity-detection',
  'text-recognition',
  'other',
] as const;
export type CardTask = (typeof CARD_TASKS)[number];

export interface NumericFeature {
  name: string;
  type: 'number';
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  /**
   * A starting value for forms; with `useDefaults`, what an empty CSV cell reads as. A feature
   * that allows `missing` values reads an empty value as missing (NaN) instead.
   */
  default?: number;
  /**
   * The feature allows missing values (the model imputes them, e.g. an ONNX `Imputer`): an empty
   * form field, an empty CSV cell or an absent value becomes NaN. Without it an empty value is an
   * error (or the default, where defaults apply).
   */
  missing?: boolean;
  /** Input kind "columns" only: the model input this feature goes to; default the feature's name. */
  tensor?: string;
}

export interface CategoricalFeature {
  name: string;
  type: 'category';
  categories: string[];
  description?: string;
  default?: string;
  /** Input kind "columns" only: the model input this feature goes to; default the feature's name. */
  tensor?: string;
}

export type Feature = NumericFeature | CategoricalFeature;

/**
 * How the raw input reaches the model's input tensor(s). "features": one tensor [N, features],
 * the values in feature order (a category as its index). "columns": one tensor per feature
 * (`feature.tensor`, default its name), [N, 1] each, as scikit-learn pipelines exported by
 * skl2onnx take them: a number in the input's numeric type, a category as its string (or its
 * index for a numeric input).
 */
export type CardInput =
  | { kind: 'features'; tensor: string; features: Feature[] }
  | {
      kind: 'columns';
      features: Feature[];
      description?: string;
      /** No single tensor: each feature names its own. */
      tensor?: undefined;
    }
  | { kind: 'text'; tensor: string; preprocessing: TextPreprocessing; description?: string }
  | { kind: 'image'; tensor: string; image: ImagePreprocessing; description?: string }
  | { kind: 'audio'; tensor: string; audio: AudioPreprocessing; description?: string }
  | { kind: 'other'; tensor: string; description: string };

export interface TextPreprocessing {
  /** Lower-case the text before tokenising. */
  lowercase: boolean;
  /** A regular expression (source) whose matches are the tokens. */
  tokenPattern: string;
  /** Flags of the token pattern; default "gu". */
  flags?: string;
  /** Rank of the token tensor: 'row' → [texts, tokens], rows padded with `pad`. */
  shape: 'row';
  /** The token that pads short rows; default "" (in no vocabulary). */
  pad?: string;
  description?: string;
}

/** value = (pixel × scale − mean[channel]) / std[channel], pixels 0…255. */
export interface ImagePreprocessing {
  /** 'flat': [N, height × width] (one channel); 'nchw': [N, channels, height, width]. */
  layout: 'flat' | 'nchw';
  channels: 1 | 3;
  height: number;
  /** Fixed width, or null when the model takes any width (resized to `height`, aspect kept). */
  width: number | null;
  scale: number;
  mean: number[];
  std: number[];
  /** Order of the colour channels in the tensor; default 'rgb'. */
  channelOrder?: 'rgb' | 'bgr';
  description?: string;
}

export interface AudioPreprocessing {
  /** Samples per second the model expects (mono, float in [-1, 1]). */
  sampleRate: number;
  /** New samples per call. */
  frameSamples: number;
  /** Samples of the previous frame prepended to each call. */
  contextSamples: number;
  /** Recurrent state: input tensor, its dims for one stream, and the output that carries it on. */
  state?: { tensor: string; dims: number[]; output: string };
  /** Input tensor that takes the sample rate (int64 scalar). */
  sampleRateTensor?: string;
  description?: string;
}

export interface CardOutputs {
  /** Output tensor with the predicted label (classifiers) or value (regressors). */
  label?: string;
  /** Output tensor with a probability per label. */
  probabilities?: string;
  /** Output tensor with the regressed value. */
  value?: string;
  /** Names of the labels, by label index. */
  labels?: string[];
  unit?: string;
  /** For speech detection: the probability above which a frame counts as speech. */
  threshold?: number;
  /** For sequence outputs: how to turn scores into text. */
  decoding?: { kind: 'ctc'; blank: number; keys: string; appendSpace: boolean };
  description?: string;
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
  /** Training rows whose value was missing (left out of every statistic above). */
  missing?: number;
  description?: string;
}

/** Training statistics of a categorical feature: the count of rows per category. */
export interface CategoryStats {
  counts: Record<string, number>;
  /** Training rows whose value was missing (not in `counts`). */
  missing?: number;
  description?: string;
}

export interface CardFile {
  file: string;
  sha256: string;
  bytes: number;
}

/** The fields of a card (ModelCard without room for extra fields). */
export interface ModelCardFields {
  name: string;
  version: string;
  task: CardTask;
  description: string;
  input: CardInput;
  outputs: CardOutputs;
  metrics?: Record<string, number>;
  /** Reference statistics of the training data per feature. */
  reference?: {
    rows: number;
    /** Numeric features (and category codes), by feature name. */
    features: Record<string, FeatureStats>;
    /** Categorical features' counts per category, by feature name (drift: chi-squared on counts). */
    categories?: Record<string, CategoryStats>;
    labels?: Record<string, number>;
    description?: string;
  };
  /** Example inputs for warm-up and demos. */
  examples?: unknown[];
  model: CardFile;
  /** Further files the model needs (e.g. the keys of an OCR model), by name. */
  assets?: Record<string, CardFile>;
  data?: { name: string; source: string; license: string; rows?: number; split?: string };
  training?: Record<string, unknown>;
  license: string;
  source?: string;
}

export interface ModelCard extends ModelCardFields {
  [extra: string]: unknown;
}
