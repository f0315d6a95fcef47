/**
 * What the library's own batch code needs of a loaded model beyond the public `Model` API: the
 * load request that extra runtime workers repeat, and the place where they are kept between
 * batches. Set by `loadModel` for every model it returns; no entry point exports this module, so
 * it is private to the package.
 */
import type { LoadRequest } from '../worker/protocol.js';
import type { Model } from '../types.js';

export interface ModelInternals {
  /** The request the model was loaded with (extra workers load the same model with it). */
  readonly request: Omit<LoadRequest, 'callId'>;
  /** Extra batch workers kept between batches; the model closes them when it is disposed. */
  batchWorkers: { close(): void } | undefined;
}

const internals = new WeakMap<Model, ModelInternals>();

/** Records the internals of a model `loadModel` made. */
export function setInternals(model: Model, value: ModelInternals): void {
  internals.set(model, value);
}

/** The internals of a model `loadModel` made; undefined for any other object implementing `Model`. */
export function internalsOf(model: Model): ModelInternals | undefined {
  return internals.get(model);
}
