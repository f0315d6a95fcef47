/**
 * ml-predict: machine-learning predictions on the user's device. This module is the public
 * surface; importing it does nothing (no worker, no network, no globals).
 */
export { loadModel } from './model/load.js';
export { probeDevice } from './device.js';
export { MlPredictError, isMlPredictError, ERROR_CODES } from './errors.js';
export type { MlPredictErrorCode } from './errors.js';
export type {
  BackendAttempt,
  BackendName,
  BackendOption,
  BackendReport,
  Capabilities,
  InputValue,
  Inputs,
  LoadOptions,
  LoadPhase,
  LoadProgress,
  LoadWarning,
  Model,
  ModelInfo,
  ModelSource,
  Outputs,
  OutputTensor,
  PredictOptions,
  Tensor,
  TensorInfo,
  TensorType,
  TypedArray,
} from './types.js';
export type { ModelCard, Feature, NumericFeature, CategoricalFeature, CardInput, CardOutputs, FeatureStats } from './model/card.js';
