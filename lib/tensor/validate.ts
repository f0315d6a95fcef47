/**
 * Checks a caller's named inputs against the model's input metadata and turns them into
 * tensors. Pure: runs on the main thread before anything is sent to the worker, so bad input
 * never reaches the session.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { Inputs, InputValue, Tensor, TensorInfo, TensorType, TypedArray } from '../types.js';
import { arrayTypeName, isTypedArray, rowsToTensor, TYPED_ARRAY_OF } from './convert.js';
import { copyForTransfer } from './buffers.js';

/** Largest number of elements one input may have (2^31 - 1: what a wasm32 heap could address). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface PreparedFeeds {
  feeds: Record<string, Tensor>;
  /** Buffers of the tensors above, all created here (copies of a caller's arrays): safe to transfer. */
  transfer: Transferable[];
}

function mismatch(message: string, details?: Record<string, unknown>): MlPredictError {
  return new MlPredictError('INPUT_MISMATCH', message, details);
}

/** Describes a dimension list, e.g. `[batch, 30]` or `[?, 4]`. */
export function formatDims(dims: ReadonlyArray<number | string | null>): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function checkDims(model: string, info: TensorInfo, dims: readonly unknown[]): number {
  const where = `Input "${info.name}" of model "${model}"`;
  let count = 1;
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw mismatch(`${where} has an invalid dimension ${quote(d)} in dims ${quote(dims)}. Dimensions are non-negative integers.`);
    }
    count *= d;
  }
  if (count > MAX_ELEMENTS || !Number.isSafeInteger(count)) {
    throw mismatch(`${where} has absurd dims ${quote(dims)}: ${count} elements, more than the ${MAX_ELEMENTS} one input may hold.`);
  }
  if (info.dims.length > 0 && dims.length !== info.dims.length) {
    throw mismatch(
      `${where} has rank ${dims.length} (dims ${quote(dims)}) but the model expects rank ${info.dims.length}: ${formatDims(info.dims)}.`,
    );
  }
  info.dims.forEach((expected, axis) => {
    if (typeof expected === 'number' && dims[axis] !== expected) {
      throw mismatch(
        `${where} has size ${quote(dims[axis])} on axis ${axis} (dims ${quote(dims)}) but the model expects ${expected}: ${formatDims(info.dims)}.`,
      );
    }
  });
  if (count === 0) {
    throw mismatch(`${where} is empty (dims ${quote(dims)}): an empty batch has nothing to predict.`);
  }
  return count;
}

/** Row and column of a flat index, for messages. */
function position(index: number, dims: readonly number[]): string {
  if (dims.length < 2) return `index ${index}`;
  const cols = dims.slice(1).reduce((a, b) => a * b, 1);
  return `row ${Math.floor(index / cols)}, column ${index % cols}`;
}

function checkFinite(model: string, info: TensorInfo, data: TypedArray, dims: readonly number[]): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one branch-free pass (a third
  // faster than testing each value) that looks for the position only when something is wrong.
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]! - data[i]!;
  if (sum === 0) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw mismatch(
        `Input "${info.name}" of model "${model}" has ${quote(v)} at ${position(i, dims)}. Values must be finite numbers.`,
        { input: info.name, index: i, value: String(v) },
      );
    }
  }
}

function checkTensor(model: string, info: TensorInfo, value: Tensor): Tensor {
  const { data, dims } = value;
  if (!Array.isArray(dims)) {
    throw mismatch(`Input "${info.name}" of model "${model}" has dims ${quote(dims)}; expected an array of integers.`);
  }
  const count = checkDims(model, info, dims);
  if (info.type === 'string') {
    if (!Array.isArray(data) || data.some((s) => typeof s !== 'string')) {
      throw mismatch(`Input "${info.name}" of model "${model}" expects strings (string[]), got ${describe(data)}.`);
    }
  } else {
    const expected = TYPED_ARRAY_OF[info.type];
    if (!isTypedArray(data) || !(data instanceof expected)) {
      throw mismatch(
        `Input "${info.name}" of model "${model}" expects element type ${info.type} (${expected.name}), got ${describe(data)}.`,
        { input: info.name, expected: info.type },
      );
    }
  }
  if (data.length !== count) {
    throw mismatch(
      `Input "${info.name}" of model "${model}" has ${data.length} values but dims ${quote(dims)} need ${count}.`,
    );
  }
  if (!Array.isArray(data)) checkFinite(model, info, data, dims);
  return { data, dims: [...dims] };
}

function describe(value: unknown): string {
  if (isTypedArray(value)) return arrayTypeName(value);
  if (Array.isArray(value)) return `an array (${quote(value)})`;
  return quote(value);
}

function prepareOne(model: string, info: TensorInfo, value: InputValue): { tensor: Tensor; owned: boolean } {
  if (value === null || typeof value !== 'object') {
    throw mismatch(
      `Input "${info.name}" of model "${model}" is ${quote(value)}; expected rows of numbers (number[][]) or { data, dims }.`,
    );
  }
  if (!Array.isArray(value)) {
    const v = value as Partial<Tensor>;
    if (!('data' in v) || !('dims' in v)) {
      throw mismatch(
        `Input "${info.name}" of model "${model}" is ${quote(value)}; expected rows of numbers (number[][]) or { data, dims }.`,
      );
    }
    return { tensor: checkTensor(model, info, v as Tensor), owned: false };
  }
  const tensor = rowsToTensor(model, info, value as readonly unknown[]);
  checkDims(model, info, tensor.dims);
  return { tensor, owned: true };
}

/**
 * Validates `inputs` against `expected` and returns them as tensors, without copying a caller's
 * typed arrays: `owned` names the inputs whose data this module created.
 */
export function checkFeeds(model: string, expected: readonly TensorInfo[], inputs: Inputs): { feeds: Record<string, Tensor>; owned: Set<string> } {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new MlPredictError(
      'INVALID_ARGUMENT',
      `predict() takes an object of named inputs, got ${quote(inputs)}. Expected keys: ${oneOf(expected.map((i) => i.name))}.`,
    );
  }
  const names = expected.map((i) => i.name);
  for (const key of Object.keys(inputs)) {
    if (!names.includes(key)) {
      throw mismatch(`Unknown input ${quote(key)} for model "${model}". Expected one of: ${oneOf(names)}.`, {
        input: key,
        expected: names,
      });
    }
  }
  const feeds: Record<string, Tensor> = {};
  const owned = new Set<string>();
  for (const info of expected) {
    const value = inputs[info.name];
    if (value === undefined) {
      throw mismatch(`Missing input ${quote(info.name)} for model "${model}". Required: ${oneOf(names)}.`, {
        input: info.name,
        expected: names,
      });
    }
    const prepared = prepareOne(model, info, value);
    feeds[info.name] = prepared.tensor;
    if (prepared.owned) owned.add(info.name);
  }
  return { feeds, owned };
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
  const out: Record<string, Tensor> = {};
  const transfer: Transferable[] = [];
  for (const [name, tensor] of Object.entries(feeds)) {
    if (Array.isArray(tensor.data)) {
      out[name] = tensor;
      continue;
    }
    const data = owned.has(name) ? tensor.data : copyForTransfer(tensor.data);
    out[name] = { data, dims: tensor.dims };
    if (!transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
  }
  return { feeds: out, transfer };
}

export type { TensorType };
