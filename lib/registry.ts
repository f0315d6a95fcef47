/**
 * ml-predict/registry: models as data. A registry names models and their versions; a model card
 * says what a model's inputs and outputs mean; a managed model follows a registry alias and
 * updates itself at run time. Also the card-driven helpers: values → input tensors, outputs →
 * labelled results. Importing it does nothing.
 */
export { openRegistry, validateRegistry } from './model/registry.js';
export type {
  OpenRegistryOptions,
  Registry,
  RegistryDocument,
  RegistryEntry,
  RegistryLoadOptions,
  RegistryModel,
  RegistryVersion,
  ResolvedVersion,
} from './model/registry.js';
export { openManagedModel, ManagedModel } from './update/managed.js';
export type {
  ManagedModelOptions,
  ManagedPrediction,
  ShadowOptions,
  ShadowReport,
  UpdateCheck,
  UpdatePolicy,
  UpdateStatus,
  VersionsState,
} from './update/types.js';
export { validateCard, checkCardMatches, checkCardInputs, CARD_TASKS } from './model/card.js';
export type {
  AudioPreprocessing,
  CardFile,
  CardInput,
  CardOutputs,
  CardTask,
  CategoricalFeature,
  CategoryStats,
  Feature,
  FeatureStats,
  ImagePreprocessing,
  ModelCard,
  ModelCardFields,
  NumericFeature,
  TextPreprocessing,
} from './model/card.js';
export { cardToInputs, cardRow, defaultValues, interpret, interpretRows } from './model/interpret.js';
export type { CardValues, ClassificationResult, FeatureValue, Interpretation, RegressionResult } from './model/interpret.js';
