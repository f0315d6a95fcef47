/**
 * Conversions between what callers write (rows of numbers, strings) and tensors, and between
 * onnxruntime's metadata and ours. Pure, but for the reused input buffers (buffers.ts) that
 * numeric rows are written onto.
 */
import { MlPredictError, quote } from '../errors.js';
import type { Tensor, TensorInfo, TensorType, TypedArray } from '../types.js';
import { takeArray } from './buffers.js';
import { typedArrayName } from './brand.js';

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray;
  readonly name: string;
  readonly BYTES_PER_ELEMENT: number;
};

export const TYPED_ARRAY_OF: Record<Exclude<TensorType, 'string'>, TypedArrayConstructor> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  float16: Uint16Array,
};

export function isTypedArray(value: unknown): value is TypedArray {
  return typedArrayName(value) !== undefined;
}

/** The real class name of a typed array (never its `constructor` property). */
export function arrayTypeName(value: TypedArray): string {
  return typedArrayName(value) ?? 'a typed array';
}

/** Largest number of elements one input may have (2^31 - 1: what a wasm32 heap could address). */
export const MAX_ELEMENTS = 2 ** 31 - 1;
/** Largest number of bytes one input may have (2 GiB). */
export const MAX_BYTES = 2 ** 31;

/** Describes a dimension list, e.g. `[batch, 30]`, `[?, 4]`; a bigint shows its `n` (`[12n, 4]`). */
export function formatDims(dims: readonly unknown[]): string {
  return `[${dims.map((d) => (d === null ? '?' : typeof d === 'string' || typeof d === 'number' ? String(d) : quote(d))).join(', ')}]`;
}

/** Bytes per element of a tensor type (strings: 0, their size is not known up front). */
function bytesPer(type: TensorType): number {
  return type === 'string' ? 0 : TYPED_ARRAY_OF[type].BYTES_PER_ELEMENT;
}

/**
 * INPUT_MISMATCH when `elements` of `type` (as `shape` describes them) are more than one input
 * may hold (MAX_ELEMENTS elements or MAX_BYTES bytes). Called before anything is allocated.
 */
export function checkSize(where: string, type: TensorType, elements: number, shape: string): void {
  const bytes = elements * bytesPer(type);
  if (elements <= MAX_ELEMENTS && bytes <= MAX_BYTES) return;
  const of = type === 'string' ? '' : ` (${bytes} bytes of ${type})`;
  throw new MlPredictError(
    'INPUT_MISMATCH',
    `${where} is too large: ${shape} make ${elements} elements${of}, more than one input may hold (${MAX_ELEMENTS} elements, ${MAX_BYTES} bytes).`,
    { elements, bytes, maxElements: MAX_ELEMENTS, maxBytes: MAX_BYTES },
  );
}

/** A typed array of `count` elements on a reused buffer; OUT_OF_MEMORY when the browser cannot allocate it. */
export function allocate(where: string, type: Exclude<TensorType, 'string'>, count: number): TypedArray {
  const ctor = TYPED_ARRAY_OF[type];
  try {
    return takeArray(ctor, count);
  } catch (e) {
    throw new MlPredictError('OUT_OF_MEMORY', `${where} needs ${count * ctor.BYTES_PER_ELEMENT} bytes (${count} × ${type}), which the browser could not allocate.`, { bytes: count * ctor.BYTES_PER_ELEMENT }, { cause: e });
  }
}

/** onnxruntime reports unnamed dynamic dims as -1 or 4294967295 (uint32 -1): both mean "any". */
export function normalizeDim(d: number | string | null | undefined): number | string | null {
  if (typeof d === 'string') return d.length > 0 ? d : null;
  if (typeof d !== 'number' || d < 0 || d >= 4294967295 || !Number.isFinite(d)) return null;
  return d;
}

/** onnxruntime's tensor type names, mapped to ours. */
export function tensorTypeOf(ortType: string): TensorType {
  switch (ortType) {
    case 'float32':
    case 'float64':
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
    case 'bool':
    case 'string':
    case 'float16':
      return ortType;
    default:
      throw new MlPredictError('UNSUPPORTED_MODEL', `Tensor element type ${quote(ortType)} is not supported.`);
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest magnitude that rounds to ±Infinity in float32 (FLOAT32_MAX plus half its last step). */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * The loops that write row `r`'s values `from`..`to` to `out` from index `o` (returning the next
 * index), each value read once and checked as it is written; `fail` builds the error. Module
 * level, one per element kind, so each stays monomorphic. `limit`: floats' overflow magnitude
 * (Infinity for float64), 64-bit integers' smallest value.
 */
type Fill = (out: TypedArray | string[], row: readonly unknown[], r: number, from: number, to: number, o: number, limit: number, fail: (r: number, c: number, v: unknown) => MlPredictError) => number;

const fillStrings: Fill = (out, row, r, from, to, o, _limit, fail) => {
  const strings = out as string[];
  for (let c = from; c < to; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'string') throw fail(r, c, v);
    strings[o++] = v;
  }
  return o;
};

// The hot loop: one comparison pair per value is false for NaN, ±Infinity and what float32 would round to ±Infinity.
const fillFloats: Fill = (out, row, r, from, to, o, limit, fail) => {
  const floats = out as Float32Array;
  for (let c = from; c < to; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'number' || !(v < limit && v > -limit)) throw fail(r, c, v);
    floats[o++] = v;
  }
  return o;
};

/** fillFloats for an input that accepts missing values: NaN passes (`v !== v`), ±Infinity does not. */
const fillFloatsOrNaN: Fill = (out, row, r, from, to, o, limit, fail) => {
  const floats = out as Float32Array;
  for (let c = from; c < to; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'number' || (!(v < limit && v > -limit) && v === v)) throw fail(r, c, v);
    floats[o++] = v;
  }
  return o;
};

const fillBigInts: Fill = (out, row, r, from, to, o, min, fail) => {
  const bigints = out as BigInt64Array;
  for (let c = from; c < to; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw fail(r, c, v);
    bigints[o++] = BigInt(v);
  }
  return o;
};

// Stored and read back: a fraction, NaN, ±Infinity or a value out of range comes back changed.
const fillIntegers: Fill = (out, row, r, from, to, o, _limit, fail) => {
  const ints = out as Int32Array;
  for (let c = from; c < to; c++) {
    const v: unknown = row[c];
    if (typeof v !== 'number') throw fail(r, c, v);
    ints[o] = v;
    if (ints[o++] !== v) throw fail(r, c, v);
  }
  return o;
};
/** The integer range of each integer type written from rows (64-bit ones: safe integers). */
const INTEGER_RANGE: Partial<Record<TensorType, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  uint8: [0, 2 ** 8 - 1],
  bool: [0, 2 ** 8 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  uint16: [0, 2 ** 16 - 1],
  float16: [0, 2 ** 16 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

function mismatch(message: string, details?: Record<string, unknown>): MlPredictError {
  return new MlPredictError('INPUT_MISMATCH', message, details);
}

/**
 * Rows → a tensor of the input's type. `number[][]` becomes [rows, columns]; a flat `number[]`
 * becomes [n] for a rank-1 input or one row [1, n] for a rank-2 input; `string[]` likewise.
 *
 * Reads the caller's arrays once each (every length, row and value; nothing is read twice) and
 * checks each value as it is written, so what was checked is what is sent: values in the
 * converted type (a float32 that would overflow to Infinity is refused, so is an integer outside
 * its type's range). The size is checked before anything is allocated, rows (holes included)
 * before the values. A caller's getter that throws propagates as it is (checkFeeds wraps it).
 */
export function rowsToTensor(model: string, info: TensorInfo, value: readonly unknown[]): Tensor {
  const where = `Input "${info.name}" of model "${model}"`;
  const n = value.length;
  if (n === 0) throw mismatch(`${where} is an empty batch (0 rows): there is nothing to predict.`);
  const first: unknown = value[0];
  const nested = Array.isArray(first);
  const rank1 = !nested && info.dims.length === 1;
  const rowCount = nested ? n : 1;
  const columns = nested ? (first as readonly unknown[]).length : n;
  checkSize(where, info.type, rowCount * columns, rank1 ? `[${columns}]` : `${rowCount} rows × ${columns} columns`);
  // The rows, each read once; a hole or a short row is found before any value is.
  const rows: (readonly unknown[])[] = nested ? new Array<readonly unknown[]>(rowCount) : [value];
  for (let r = 0; nested && r < rowCount; r++) {
    const row: unknown = r === 0 ? first : value[r];
    if (!Array.isArray(row)) {
      if (row === undefined && !(r in value)) {
        throw mismatch(`${where}: row ${r} is missing (the rows array has a hole there and claims ${n} rows); expected an array of ${columns} values like row 0.`, { input: info.name, row: r });
      }
      throw mismatch(`${where}: row ${r} is ${quote(row)}; expected an array of ${columns} values like row 0.`, { input: info.name, row: r });
    }
    const length = row.length;
    if (length !== columns) {
      throw mismatch(`${where}: row ${r} has ${length} values but row 0 has ${columns}. Every row needs the same number of columns.`, { input: info.name, row: r });
    }
    rows[r] = row;
  }
  const count = rowCount * columns;
  const type = info.type;
  const isString = type === 'string';
  // Numbers go straight onto a buffer that is sent to the worker and comes back for reuse.
  const data: TypedArray | string[] = isString ? new Array<string>(count) : allocate(where, type, count);
  const at = (r: number, c: number) => (rank1 ? `index ${c}` : `row ${r}, column ${c}`);
  const bad = (r: number, c: number, v: unknown): MlPredictError => {
    const details = { input: info.name, row: r, column: c };
    if (Array.isArray(v)) {
      return mismatch(
        `${where} has rank ${info.dims.length || 'unknown'} (${formatDims(info.dims)}), but its rows hold another array at ${at(r, c)}: rows are nested ${rank1 ? 'one level ([n])' : 'two levels ([rows, columns])'} at most; give deeper data as { data, dims }.`,
        { ...details, expectedRank: info.dims.length },
      );
    }
    if (isString) return mismatch(`${where} expects strings; got ${quote(v)} at ${at(r, c)}.`, details);
    if (typeof v !== 'number') return mismatch(`${where} expects numbers (${type}); got ${quote(v)} (${typeof v}) at ${at(r, c)}.`, details);
    if (!Number.isFinite(v)) {
      return mismatch(`${where} has ${quote(v)} at ${at(r, c)}. Values must be finite numbers${info.missing ? ' (or NaN for a missing value)' : ''}.`, { ...details, value: String(v) });
    }
    if (type === 'float32') {
      return mismatch(`${where} has ${quote(v)} at ${at(r, c)}, beyond the range of float32 (±${FLOAT32_MAX}): it would become ${v > 0 ? '' : '-'}Infinity.`, { ...details, value: String(v) });
    }
    if (!Number.isInteger(v)) return mismatch(`${where} expects integers (${type}); got ${quote(v)} at ${at(r, c)}.`, details);
    const [min, max] = INTEGER_RANGE[type]!;
    const big = type === 'int64' || type === 'uint64' ? ` (past ±2^53 − 1 a number is not exact: give a ${type === 'int64' ? 'BigInt64Array' : 'BigUint64Array'} in { data, dims })` : '';
    return mismatch(`${where} has ${quote(v)} at ${at(r, c)}, outside the range of ${type}: ${min} to ${max}${big}.`, { ...details, value: String(v) });
  };
  const fill =
    isString ? fillStrings
    : data instanceof Float32Array || data instanceof Float64Array ? (info.missing ? fillFloatsOrNaN : fillFloats)
    : data instanceof BigInt64Array || data instanceof BigUint64Array ? fillBigInts
    : fillIntegers;
  const limit = type === 'float32' ? FLOAT32_OVERFLOW : type === 'uint64' ? 0 : type === 'int64' ? Number.MIN_SAFE_INTEGER : Infinity;
  if (nested) {
    let o = 0;
    for (let r = 0; r < rowCount; r++) o = fill(data, rows[r]!, r, 0, columns, o, limit, bad);
  } else {
    // value[0] was read once already, as `first`.
    fill(data, [first], 0, 0, 1, 0, limit, bad);
    fill(data, value, 0, 1, columns, 1, limit, bad);
  }
  const dims = rank1 ? [columns] : [rowCount, columns];
  return { data, dims };
}
