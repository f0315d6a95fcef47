/**
 * A caller's `{ data, dims, type? }` read once into values of our own, then checked: what is
 * checked is what is sent, whatever getters or proxies the caller's objects have. `data`, `dims`
 * and `type` are each read once; dims are copied element by element (each read once) before
 * any is checked; string data is copied into a plain array of strings; numeric data is kept
 * when it is a real typed array of the input's class (brand.ts asks the engine, never the
 * value) and copied by index when it only looks like one (a Proxy of a typed array). Sizes are
 * checked before anything is allocated. A caller's getter that throws propagates as it is
 * (validate.ts turns it into INPUT_MISMATCH naming the input).
 */
import { MlPredictError, quote } from '../errors.js';
import type { TensorInfo, TensorType, TypedArray } from '../types.js';
import { anyTypedArrayName, isDetached, TYPED_ARRAY_CLASS, typedArrayName, typedBuffer, typedLength } from './brand.js';
import { allocate, checkSize, formatDims, TYPED_ARRAY_OF } from './convert.js';

/** Most dimensions one input may have. */
export const MAX_RANK = 64;

export interface TensorSnapshot {
  data: TypedArray | string[];
  dims: number[];
  /** `data` was created here (a copy): it may be transferred without copying. */
  owned: boolean;
}

function mismatch(message: string, details?: Record<string, unknown>): MlPredictError {
  return new MlPredictError('INPUT_MISMATCH', message, details);
}

const whereOf = (model: string, info: TensorInfo) => `Input "${info.name}" of model "${model}"`;

/** Checks a snapshot of dims (our own array) against the input's metadata; returns the element count. */
export function checkDims(model: string, info: TensorInfo, dims: readonly unknown[]): number {
  const where = whereOf(model, info);
  let count = 1;
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      const hint = typeof d === 'bigint' ? ' (a bigint: dims are numbers, e.g. 12 rather than 12n)' : '';
      throw mismatch(`${where} has an invalid dimension ${quote(d)}${hint} in dims ${formatDims(dims)}. Dimensions are non-negative integers.`);
    }
    count *= d;
  }
  checkSize(where, info.type, count, `absurd dims ${formatDims(dims)}`);
  if (info.dims.length > 0 && dims.length !== info.dims.length) {
    throw mismatch(
      `${where} has rank ${dims.length} (dims ${formatDims(dims)}) but the model expects rank ${info.dims.length}: ${formatDims(info.dims)}.`,
      { input: info.name, expectedRank: info.dims.length },
    );
  }
  info.dims.forEach((expected, axis) => {
    if (typeof expected === 'number' && dims[axis] !== expected) {
      throw mismatch(
        `${where} has size ${quote(dims[axis])} on axis ${axis} (dims ${formatDims(dims)}) but the model expects ${expected}: ${formatDims(info.dims)}.`,
      );
    }
  });
  if (count === 0) throw mismatch(`${where} is empty (dims ${formatDims(dims)}): an empty batch has nothing to predict.`);
  return count;
}

/** Row and column of a flat index, for messages. */
export function position(index: number, dims: readonly number[]): string {
  if (dims.length < 2) return `index ${index}`;
  const cols = dims.slice(1).reduce((a, b) => a * b, 1);
  return `row ${Math.floor(index / cols)}, column ${index % cols}`;
}

/**
 * INPUT_MISMATCH at the first NaN or ±Infinity of float data (a no-op for other types). NaN
 * passes in an input that accepts missing values (`info.missing`); ±Infinity never does.
 */
export function checkFinite(model: string, info: TensorInfo, data: TypedArray, dims: readonly number[]): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one branch-free pass (a third
  // faster than testing each value) that looks for the position only when something is wrong.
  // The engine's length, not a `length` property of the caller's.
  const length = typedLength(data);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += data[i]! - data[i]!;
  if (sum === 0) return;
  const missing = info.missing === true;
  for (let i = 0; i < length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v) && !(missing && Number.isNaN(v))) {
      throw mismatch(`${whereOf(model, info)} has ${quote(v)} at ${position(i, dims)}. Values must be finite numbers${missing ? ' (or NaN for a missing value)' : ''}.`, {
        input: info.name,
        index: i,
        value: String(v),
      });
    }
  }
}

/** A value's kind for messages: a typed array's real class, an array's first items, or the value quoted. */
export function describe(value: unknown): string {
  const name = anyTypedArrayName(value);
  if (name !== undefined) return name;
  if (Array.isArray(value)) return `an array (${quote(value)})`;
  return quote(value);
}

/** Our own copy of the caller's dims: an array, each element read once. */
function readDims(where: string, dims: unknown): unknown[] {
  if (!Array.isArray(dims)) throw mismatch(`${where} has dims ${quote(dims)}; expected an array of integers.`);
  const rank = dims.length;
  if (rank > MAX_RANK) throw mismatch(`${where} has dims of rank ${rank}; at most ${MAX_RANK} dimensions are supported.`);
  const own = new Array<unknown>(rank);
  for (let i = 0; i < rank; i++) own[i] = dims[i];
  return own;
}

/** Strings, each read once, into a plain array; `length` was checked against the dims first. */
function copyStrings(where: string, data: readonly unknown[], count: number, dims: readonly number[]): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const s: unknown = data[i];
    if (typeof s !== 'string') throw mismatch(`${where} expects strings; got ${quote(s)} at ${position(i, dims)}.`, { index: i });
    out[i] = s;
  }
  return out;
}

/** Something that is an instance of the typed array class but not a typed array (a Proxy of one): its elements by index. */
function copyArrayLike(where: string, type: Exclude<TensorType, 'string'>, data: Record<number, unknown>, count: number): TypedArray {
  const array = allocate(where, type, count);
  const kind = array instanceof BigInt64Array || array instanceof BigUint64Array ? 'bigint' : 'number';
  const float = array instanceof Float32Array || array instanceof Float64Array;
  const out = array as unknown as Record<number, unknown>;
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (typeof v !== kind) throw mismatch(`${where}: its data holds ${quote(v)} at index ${i}; expected ${kind === 'bigint' ? 'a bigint' : 'a number'} (${type}).`);
    out[i] = v;
    // Floats are checked after (checkFinite); an integer out of its type's range comes back changed.
    if (!float && out[i] !== v) {
      throw mismatch(`${where}: its data holds ${quote(v)} at index ${i}, which ${type} cannot hold.`);
    }
  }
  if (data[count] !== undefined) throw mismatch(`${where}: its data has more values than the ${count} its dims need.`);
  return array;
}

/** Reads `{ data, dims, type? }` once and checks it against `info`; INPUT_MISMATCH for anything wrong. */
export function snapshotTensor(model: string, info: TensorInfo, value: object): TensorSnapshot {
  const where = whereOf(model, info);
  const v = value as { data?: unknown; dims?: unknown; type?: unknown };
  const data = v.data;
  const rawDims = v.dims;
  const type = v.type;
  if (data === undefined || rawDims === undefined) {
    throw mismatch(`${where} is ${quote(value)}; expected rows of numbers (number[][]) or { data, dims }.`);
  }
  if (type !== undefined && type !== info.type) {
    throw mismatch(`${where} is a tensor of type ${quote(type)}, but the model's input is ${info.type}.`, { input: info.name, expected: info.type });
  }
  const dims = readDims(where, rawDims);
  const count = checkDims(model, info, dims);
  const shape = dims as number[];
  if (info.type === 'string') {
    if (!Array.isArray(data)) throw mismatch(`${where} expects strings (string[]), got ${describe(data)}.`, { input: info.name, expected: 'string' });
    const length = data.length;
    if (length !== count) throw mismatch(`${where} has ${length} values but dims ${formatDims(dims)} need ${count}.`);
    return { data: copyStrings(where, data, count, shape), dims: shape, owned: true };
  }
  const expected = TYPED_ARRAY_OF[info.type];
  const name = typedArrayName(data);
  if (name !== undefined && TYPED_ARRAY_CLASS[name] === expected) {
    const array = data as TypedArray;
    if (isDetached(typedBuffer(array))) {
      throw mismatch(
        `${where}: its ${name}'s buffer is detached (transferred away by postMessage or structuredClone with transfer; byteLength 0): it holds no values. Pass an array whose buffer is still yours.`,
        { input: info.name },
      );
    }
    const length = typedLength(array);
    if (length !== count) throw mismatch(`${where} has ${length} values but dims ${formatDims(dims)} need ${count}.`);
    return { data: array, dims: shape, owned: false };
  }
  if (name === undefined && typeof data === 'object' && data !== null && data instanceof expected) {
    return { data: copyArrayLike(where, info.type, data as Record<number, unknown>, count), dims: shape, owned: true };
  }
  throw mismatch(`${where} expects element type ${info.type} (${expected.name}), got ${describe(data)}.`, { input: info.name, expected: info.type });
}
