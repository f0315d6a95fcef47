/**
 * ml-predict: machine-learning predictions on the user's device. This module is the public
 * surface; importing it does nothing (no worker, no network, no globals).
 */
export { loadModel } from './model/load.js';
export { probeDevice } from './device.js';
export { listCachedModels, deleteCachedModel, clearCache, storageInfo, requestPersistence, prefetchModel } from './cache/manage.js';
export type { CachedModel, StorageInfo, PrefetchOptions } from './cache/manage.js';
export type { PrefetchReply } from './worker/protocol.js';
export { MlPredictError, isMlPredictError, ERROR_CODES } from './errors.js';
export type { MlPredictErrorCode } from './errors.js';
export { createBatchJob, getBatchJob, listBatchJobs, resumeBatchJobs, batchJobEvents, BatchJob } from './batch/jobs.js';
export type {
  BatchJobOptions,
  BatchJobRecord,
  BatchJobStatus,
  BatchJobModel,
  BatchJobCsv,
  BatchRunOptions,
  BatchSummary,
  BatchJobEventMap,
  ResultChunk,
  RowError,
  RowErrorKind,
} from './batch/types.js';
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
  ValuesPrediction,
  MonitorOptions,
  BatchProgress,
  PredictBatchOptions,
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
export { validateCard, checkCardMatches, CARD_TASKS } from './model/card.js';
export type {
  CardTask,
  CardFile,
  ModelCardFields,
  TextPreprocessing,
  ImagePreprocessing,
  AudioPreprocessing,
} from './model/card.js';
export { openRegistry, validateRegistry } from './model/registry.js';
export type {
  Registry,
  RegistryDocument,
  RegistryModel,
  RegistryVersion,
  RegistryEntry,
  ResolvedVersion,
  RegistryLoadOptions,
  OpenRegistryOptions,
} from './model/registry.js';
export { tokenize, textToTensor, DEFAULT_TEXT_PREPROCESSING } from './tasks/text.js';
export { decodeWav, resample, detectSpeech, speechSegments, SILERO_AUDIO } from './tasks/vad.js';
export type { DecodedAudio, SpeechResult, SpeechSegment, SpeechOptions } from './tasks/vad.js';
export { imageToTensor, parseKeys, ctcDecode, recognizeText, PPOCR_IMAGE } from './tasks/ocr.js';
export type { RgbaImage, RecognizedText, ImageTensorOptions } from './tasks/ocr.js';
export { ManagedModel, openManagedModel } from './update/managed.js';
export type {
  ManagedModelOptions,
  ManagedPrediction,
  ShadowOptions,
  ShadowReport,
  UpdateCheck,
  UpdatePolicy,
  UpdateStatus,
  VersionsState,
} from './update/managed.js';
export { cardToInputs, cardRow, defaultValues, interpret, interpretRows } from './model/interpret.js';
export type { CardValues, ClassificationResult, FeatureValue, Interpretation, RegressionResult } from './model/interpret.js';
// <ml-predict>: types only here (the element is `ml-predict/ml-predict.js`, which defines the tag).
export type {
  MlPredictErrorDetail,
  MlPredictErrorEvent,
  MlPredictEventMap,
  MlPredictEvents,
  MlPredictLoadDetail,
  MlPredictLoadEvent,
  MlPredictPredictionEvent,
  MlPredictProgressEvent,
  MlPredictResult,
  MlPredictStatus,
  RawResult,
} from './element/events.js';
export type { MlPredict, MlPredictInput } from './element/ml-predict.js';
export {
  ksTwoSample,
  chiSquaredTest,
  zTestProportions,
  wasserstein1,
  wassersteinNormed,
  jensenShannon,
  jensenShannonDistance,
  jensenShannonCounts,
  chiSquaredSf,
  gammaP,
  gammaQ,
  kolmogorovSf,
} from './evaluate/stats.js';
export type { KsResult, KsOptions, ChiSquaredResult, ZTestResult } from './evaluate/stats.js';
export { driftReport, defaultDriftTest, DriftAccumulator, DRIFT_DEFAULTS } from './evaluate/drift.js';
export type {
  DriftReference,
  DriftCurrent,
  DriftTest,
  FeatureDrift,
  LabelDrift,
  DriftReport,
  DriftOptions,
  DriftAccumulatorOptions,
  DriftSnapshot,
} from './evaluate/drift.js';
export { compareOutputs, compareResults, AgreementTracker, decide, AGREEMENT_DEFAULTS } from './evaluate/agreement.js';
export { compareModels } from './evaluate/compare.js';
export type { CompareOptions } from './evaluate/compare.js';
export type {
  ComparableResult,
  AgreementOptions,
  OutputComparison,
  LatencySummary,
  AgreementReport,
  PromotionOptions,
  PromotionDecision,
  ResultKind,
} from './evaluate/agreement.js';
