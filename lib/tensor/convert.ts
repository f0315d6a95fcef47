/**
 * Conversions between what callers write (rows of numbers, strings) and tensors, and between
 * onnxruntime's metadata and ours. Pure, but for the reused input buffers (buffers.ts) that
 * numeric rows are written onto.
 */
import { MlPredictError, quote } from '../errors.js';
import type { Tensor, TensorInfo, TensorType, TypedArray } from '../types.js';
import { takeArray } from './buffers.js';

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
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

export function arrayTypeName(value: TypedArray): string {
  return value.constructor.name;
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

function isNumberRow(row: unknown): row is readonly unknown[] {
  return Array.isArray(row);
}

/**
 * Rows → a tensor of the input's type. `number[][]` becomes [rows, columns]; a flat `number[]`
 * becomes [n] for a rank-1 input or one row [1, n] for a rank-2 input; `string[]` likewise.
 */
export function rowsToTensor(model: string, info: TensorInfo, value: readonly unknown[]): Tensor {
  const where = `Input "${info.name}" of model "${model}"`;
  if (value.length === 0) {
    throw new MlPredictError('INPUT_MISMATCH', `${where} is an empty batch (0 rows): there is nothing to predict.`);
  }
  const nested = isNumberRow(value[0]);
  const rows: readonly unknown[][] = nested ? (value as unknown[][]) : [value as unknown[]];
  const rank1 = !nested && info.dims.length === 1;
  const columns = rows[0]!.length;
  const count = rows.length * columns;
  const isString = info.type === 'string';
  // Numbers go straight onto a buffer that is sent to the worker and comes back for reuse.
  const data: TypedArray | string[] = isString ? new Array<string>(count) : takeArray(TYPED_ARRAY_OF[info.type as Exclude<TensorType, 'string'>], count);
  const bigint = data instanceof BigInt64Array || data instanceof BigUint64Array;
  const float = data instanceof Float32Array || data instanceof Float64Array;
  // The position of a bad value, for messages only (built when something is wrong).
  const at = (r: number, c: number) => (rank1 ? `index ${c}` : `row ${r}, column ${c}`);
  const bad = (r: number, c: number, v: unknown): MlPredictError => {
    if (isString) return new MlPredictError('INPUT_MISMATCH', `${where} expects strings; got ${quote(v)} at ${at(r, c)}.`);
    if (typeof v !== 'number') {
      return new MlPredictError('INPUT_MISMATCH', `${where} expects numbers (${info.type}); got ${quote(v)} (${typeof v}) at ${at(r, c)}.`, {
        input: info.name,
        row: r,
        column: c,
      });
    }
    if (!Number.isFinite(v)) {
      return new MlPredictError('INPUT_MISMATCH', `${where} has ${quote(v)} at ${at(r, c)}. Values must be finite numbers.`, {
        input: info.name,
        row: r,
        column: c,
        value: String(v),
      });
    }
    return new MlPredictError('INPUT_MISMATCH', `${where} expects integers (${info.type}); got ${quote(v)} at ${at(r, c)}.`);
  };
  let o = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) {
      throw new MlPredictError('INPUT_MISMATCH', `${where}: row ${r} is ${quote(row)}; expected an array of ${columns} values like row 0.`);
    }
    if (row.length !== columns) {
      throw new MlPredictError(
        'INPUT_MISMATCH',
        `${where}: row ${r} has ${row.length} values but row 0 has ${columns}. Every row needs the same number of columns.`,
      );
    }
    if (float) {
      // The hot loop: floats get a loop of their own, one check per value.
      // v − v is 0 for a finite number and NaN for NaN and ±Infinity.
      const out = data as Float32Array;
      for (let c = 0; c < columns; c++) {
        const v: unknown = row[c];
        if (typeof v !== 'number' || v - v !== 0) throw bad(r, c, v);
        out[o++] = v;
      }
    } else {
      for (let c = 0; c < columns; c++) {
        const v: unknown = row[c];
        if (isString) {
          if (typeof v !== 'string') throw bad(r, c, v);
          (data as string[])[o++] = v;
        } else {
          if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(r, c, v);
          if (bigint) (data as BigInt64Array)[o++] = BigInt(v);
          else (data as Int32Array)[o++] = v;
        }
      }
    }
  }
  const dims = rank1 ? [columns] : [rows.length, columns];
  return { data, dims };
}
