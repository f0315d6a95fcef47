/**
 * Events, results and status of `<ml-predict>`, typed for TypeScript users. Types only, apart
 * from the small factories the element dispatches with.
 */
import { MlPredictError, type MlPredictErrorCode } from '../errors.js';
import type { Interpretation } from '../model/interpret.js';
import type { LoadProgress, Model, Outputs } from '../types.js';

/**
 * Where the element is: `idle` (no source yet, or `loading="lazy"` and not yet visible),
 * `loading`, `ready`, `predicting`, or `error` (the model could not be loaded).
 */
export type MlPredictStatus = 'idle' | 'loading' | 'ready' | 'predicting' | 'error';

/** The outputs as the model gave them, for a model without a card (or a card of task "other"). */
export interface RawResult {
  kind: 'raw';
  outputs: Outputs;
}

/** A prediction: the card's reading of the outputs (classification or regression), or the raw outputs. */
export type MlPredictResult = (Interpretation & { outputs: Outputs }) | RawResult;

export interface MlPredictErrorDetail {
  /** The stable MlPredictError code, e.g. 'FETCH_FAILED', 'INTEGRITY_MISMATCH', 'INVALID_ARGUMENT'. */
  code: MlPredictErrorCode;
  /** A readable message, the one the element shows. */
  message: string;
  /** Whether loading the model or a prediction failed. */
  during: 'load' | 'predict';
  /** The error itself. */
  error: unknown;
}

export interface MlPredictLoadDetail {
  model: Model;
}

export type MlPredictProgressEvent = CustomEvent<LoadProgress>;
export type MlPredictLoadEvent = CustomEvent<MlPredictLoadDetail>;
export type MlPredictErrorEvent = CustomEvent<MlPredictErrorDetail>;
export type MlPredictPredictionEvent = CustomEvent<MlPredictResult>;

/**
 * The element's own events. `progress`, `load` and `error` do not bubble (like an `<img>`'s);
 * `prediction` bubbles and crosses shadow roots.
 */
export interface MlPredictEvents {
  progress: MlPredictProgressEvent;
  load: MlPredictLoadEvent;
  error: MlPredictErrorEvent;
  prediction: MlPredictPredictionEvent;
}

/** Every event an `<ml-predict>` may fire: its own, and the other events of an HTMLElement. */
export type MlPredictEventMap = Omit<HTMLElementEventMap, keyof MlPredictEvents> & MlPredictEvents;

declare global {
  // `progress`, `load` and `error` already have DOM types in HTMLElementEventMap (ProgressEvent,
  // Event, ErrorEvent), which an augmentation cannot change: the element's addEventListener
  // overloads type those. `prediction` is new, so it is typed on every element (it bubbles).
  interface HTMLElementEventMap {
    prediction: MlPredictPredictionEvent;
  }
}

/** Creates one of the element's events with its detail. */
export function mlPredictEvent<K extends keyof MlPredictEvents>(type: K, detail: MlPredictEvents[K]['detail']): MlPredictEvents[K] {
  const bubbles = type === 'prediction';
  return new CustomEvent(type, { detail, bubbles, composed: bubbles }) as MlPredictEvents[K];
}

/** The `error` event's detail for a failure while loading or predicting; a non-MlPredictError is code INTERNAL. */
export function errorDetail(error: unknown, during: 'load' | 'predict'): MlPredictErrorDetail {
  if (error instanceof MlPredictError) return { code: error.code, message: error.message, during, error };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, during, error };
}
