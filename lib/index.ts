/**
 * ml-predict: machine-learning predictions on the user's device. This entry loads a model and
 * predicts with it, manages the model cache and reports the device; importing it does nothing
 * (no worker, no network, no globals).
 *
 * The other entries, each imported only by the apps that use it:
 *   ml-predict/registry      registries, model cards, managed (self-updating) models, card-driven inputs and results
 *   ml-predict/batch         batch jobs: CSV files predicted on the device, stored as they go, resumable
 *   ml-predict/evaluate      comparing two models, drift of live inputs, promotion decisions
 *   ml-predict/tasks/text    text → token tensors
 *   ml-predict/tasks/audio   WAV decoding, resampling, voice activity detection (Silero VAD)
 *   ml-predict/tasks/ocr     image → tensor and CTC decoding for text recognition (PaddleOCR)
 *   ml-predict/ml-predict.js defines <ml-predict> (and exports its types)
 *   ml-predict/vite          the vite plugin
 */
export { loadModel } from './model/load.js';
export { probeDevice } from './device.js';
export { listCachedModels, deleteCachedModel, clearCache, storageInfo, requestPersistence, prefetchModel } from './cache/manage.js';
export type { CachedModel, StorageInfo, PrefetchOptions, PersistenceOptions } from './cache/manage.js';
export type { PrefetchResult } from './worker/protocol.js';
export { MlPredictError, isMlPredictError, ERROR_CODES } from './errors.js';
export type { MlPredictErrorCode, MlPredictErrorDetails } from './errors.js';
export type {
  BackendAttempt,
  BackendName,
  BackendOption,
  BackendReport,
  BatchProgress,
  Capabilities,
  GraphClasses,
  InputValue,
  Inputs,
  LoadOptions,
  LoadPhase,
  LoadProgress,
  LoadWarning,
  Model,
  ModelInfo,
  ModelSource,
  MonitorOptions,
  OutputTensor,
  Outputs,
  PredictBatchOptions,
  PredictOptions,
  Tensor,
  TensorInfo,
  TensorType,
  TypedArray,
  ValuesPrediction,
} from './types.js';
// Types that a Model's members take or return (its card, predictValues' values and results, its drift report).
export type { ModelCard } from './model/card.js';
export type { CardValues, ClassificationResult, FeatureValue, Interpretation, RegressionResult } from './model/interpret.js';
export type { DriftOptions, DriftReport } from './evaluate/drift.js';
