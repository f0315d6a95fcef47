/**
 * Checks a caller's named inputs against the model's input metadata and turns them into
 * tensors. Pure: runs on the main thread before anything is sent to the worker, so bad input
 * never reaches the session.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { Inputs, InputValue, Tensor, TensorInfo } from '../types.js';
import { rowsToTensor } from './convert.js';
import { copyForTransfer } from './buffers.js';
import { checkDims, checkFinite, snapshotTensor } from './snapshot.js';

export { formatDims, MAX_ELEMENTS } from './convert.js';

export interface PreparedFeeds {
  feeds: Record<string, Tensor>;
  /** Buffers of the tensors above, all created here (copies of a caller's arrays): safe to transfer. */
  transfer: Transferable[];
}

function mismatch(message: string, details?: Record<string, unknown>, cause?: unknown): MlPredictError {
  return new MlPredictError('INPUT_MISMATCH', message, details, cause === undefined ? undefined : { cause });
}

/** What a caller's thrown value says, without running more of the caller's code than reading `message`. */
function whatThrew(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${String(e.message)}` : quote(e);
  } catch {
    return quote(e);
  }
}

const RULE = 'Inputs are read once, into copies of their own: pass plain data, or getters and proxies whose reads succeed.';

function prepareOne(model: string, info: TensorInfo, value: InputValue): { tensor: Tensor; owned: boolean } {
  if (value === null || typeof value !== 'object') {
    throw mismatch(`Input "${info.name}" of model "${model}" is ${quote(value)}; expected rows of numbers (number[][]) or { data, dims }.`);
  }
  if (Array.isArray(value)) {
    const tensor = rowsToTensor(model, info, value as readonly unknown[]);
    checkDims(model, info, tensor.dims);
    return { tensor, owned: true };
  }
  const { data, dims, owned } = snapshotTensor(model, info, value);
  if (!Array.isArray(data)) checkFinite(model, info, data, dims);
  return { tensor: { data, dims }, owned };
}

/**
 * Validates `inputs` against `expected` and returns them as tensors, without copying a caller's
 * real typed arrays: `owned` names the inputs whose data this module created. Every input is
 * read once (its names, then each value: rows, or data, dims and type) into values of our own,
 * and those are checked. A caller's getter or proxy that throws (a revoked proxy included) is
 * INPUT_MISMATCH naming the input, with what it threw as `cause`.
 */
export function checkFeeds(model: string, expected: readonly TensorInfo[], inputs: Inputs): { feeds: Record<string, Tensor>; owned: Set<string> } {
  const names = expected.map((i) => i.name);
  let keys: string[];
  try {
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
      throw new MlPredictError('INVALID_ARGUMENT', `predict() takes an object of named inputs, got ${quote(inputs)}. Expected keys: ${oneOf(names)}.`);
    }
    keys = Object.keys(inputs);
  } catch (e) {
    if (e instanceof MlPredictError) throw e;
    throw mismatch(`The inputs of model "${model}" could not be read (${whatThrew(e)}). ${RULE}`, { expected: names }, e);
  }
  // Own enumerable names only: a prototype's keys ("constructor", "toString") are never inputs.
  for (const key of keys) {
    if (!names.includes(key)) {
      throw mismatch(`Unknown input ${quote(key)} for model "${model}". Expected one of: ${oneOf(names)}.`, { input: key, expected: names });
    }
  }
  const entries: [string, Tensor][] = [];
  const owned = new Set<string>();
  for (const info of expected) {
    if (!keys.includes(info.name)) {
      throw mismatch(`Missing input ${quote(info.name)} for model "${model}". Required: ${oneOf(names)}.`, { input: info.name, expected: names });
    }
    let prepared: { tensor: Tensor; owned: boolean };
    try {
      const value = (inputs as Record<string, InputValue | undefined>)[info.name];
      if (value === undefined) {
        throw mismatch(`Missing input ${quote(info.name)} for model "${model}" (its value is undefined). Required: ${oneOf(names)}.`, { input: info.name, expected: names });
      }
      prepared = prepareOne(model, info, value);
    } catch (e) {
      if (e instanceof MlPredictError) throw e;
      throw mismatch(`Input "${info.name}" of model "${model}" could not be read (${whatThrew(e)}). ${RULE}`, { input: info.name }, e);
    }
    entries.push([info.name, prepared.tensor]);
    if (prepared.owned) owned.add(info.name);
  }
  // fromEntries defines own properties: an input named "__proto__" stays a key, never a prototype.
  return { feeds: Object.fromEntries(entries), owned };
}

/**
 * Validates `inputs` against `expected` and returns tensors ready to send to a worker, with
 * every typed array's buffer in `transfer`. A caller's typed array is copied and the copy
 * transferred, so the caller keeps its array: onto a reused buffer (buffers.ts), which the
 * worker sends back. A view into a larger buffer sends only its own bytes.
 */
export function prepareFeeds(model: string, expected: readonly TensorInfo[], inputs: Inputs): PreparedFeeds {
  const { feeds, owned } = checkFeeds(model, expected, inputs);
  return forTransfer(feeds, owned);
}

/** `feeds` with every typed array not in `owned` copied onto a reused buffer, and the buffers to transfer. */
export function forTransfer(feeds: Record<string, Tensor>, owned: ReadonlySet<string> = new Set()): PreparedFeeds {
  const entries: [string, Tensor][] = [];
  const transfer: Transferable[] = [];
  for (const [name, tensor] of Object.entries(feeds)) {
    if (Array.isArray(tensor.data)) {
      entries.push([name, tensor]);
      continue;
    }
    const data = owned.has(name) ? tensor.data : copyForTransfer(tensor.data);
    entries.push([name, { data, dims: tensor.dims }]);
    if (!transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
  }
  return { feeds: Object.fromEntries(entries), transfer };
}


