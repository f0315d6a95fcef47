/**
 * CSV batch jobs for "columns" cards (one model input per feature, as skl2onnx exports
 * scikit-learn pipelines): the spec of each column's tensor, and rows → one tensor per column,
 * strings and numbers, with per-row errors. Pure logic, run in the batch worker.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import { featureTensor, type Feature, type ModelCard } from '../model/card.js';
import type { Tensor, TensorType, TypedArray } from '../types.js';

/** Element types a CSV column can be fed as: numbers (a category as its index), or strings (categories). */
export const COLUMN_TYPES = ['float32', 'float64', 'int32', 'int64', 'string'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One feature of a "columns" card and the model input it fills. */
export interface ColumnSpec {
  feature: Feature;
  tensor: string;
  type: ColumnType;
  /** 1: the input is [N]; 2: [N, 1]. */
  rank: 1 | 2;
}

/** The row problems a column can have (the kinds of RowError in csv.ts). */
export type ColumnErrorKind = 'empty' | 'number' | 'category';

/**
 * The column specs of a "columns" card for a model with these inputs. CARD_INVALID when a
 * feature's tensor is not a model input or no feature fills one; UNSUPPORTED_MODEL for an input
 * type a CSV cannot fill.
 */
export function columnSpecs(card: ModelCard, inputTypes: Readonly<Record<string, TensorType>>, ranks: Readonly<Record<string, number>> = {}): ColumnSpec[] {
  if (card.input.kind !== 'columns') throw new MlPredictError('INTERNAL', `columnSpecs() needs a "columns" card; got ${quote(card.input.kind)}.`);
  const names = Object.keys(inputTypes);
  const specs = card.input.features.map((feature): ColumnSpec => {
    const tensor = featureTensor(feature);
    const type = inputTypes[tensor];
    if (type === undefined) {
      throw new MlPredictError('CARD_INVALID', `Model card "${card.name}": feature ${quote(feature.name)} goes to tensor ${quote(tensor)}, which is not among the model's inputs ${oneOf(names)}.`);
    }
    const numeric = type !== 'string' && (COLUMN_TYPES as readonly string[]).includes(type);
    if (!(numeric || (type === 'string' && feature.type === 'category'))) {
      throw new MlPredictError(
        'UNSUPPORTED_MODEL',
        `Model "${card.name}" takes ${feature.type === 'number' ? 'numeric' : 'categorical'} feature ${quote(feature.name)} as ${type} (input ${quote(tensor)}); CSV batch jobs feed ${feature.type === 'number' ? oneOf(COLUMN_TYPES.filter((t) => t !== 'string')) : oneOf(COLUMN_TYPES)}.`,
      );
    }
    return { feature, tensor, type: type as ColumnType, rank: ranks[tensor] === 1 ? 1 : 2 };
  });
  const fed = new Set(specs.map((s) => s.tensor));
  const unfed = names.filter((n) => !fed.has(n));
  if (unfed.length > 0) {
    throw new MlPredictError('CARD_INVALID', `Model card "${card.name}": no feature goes to the model's input${unfed.length > 1 ? 's' : ''} ${oneOf(unfed)}, so a CSV job cannot fill ${unfed.length > 1 ? 'them' : 'it'}.`);
  }
  return specs;
}

/** Reads one CSV cell of a column: its value, or the problem with it. */
export type CellRead = { value: number | string } | { kind: ColumnErrorKind; reason: string };

/**
 * One cell: a number (NaN for an empty cell of a feature that allows missing values, the
 * default for an empty cell with `useDefaults`), a category's name (string input) or index.
 */
export function readCell(spec: ColumnSpec, cell: string, column: string, useDefaults: boolean): CellRead {
  const f = spec.feature;
  const isInt = spec.type === 'int32' || spec.type === 'int64';
  let s = cell;
  if (s.trim() === '') {
    if (f.type === 'number' && f.missing === true) {
      if (isInt) return { kind: 'empty', reason: `column ${quote(column)} is empty, and input ${quote(spec.tensor)} (${spec.type}) cannot hold a missing value` };
      return { value: Number.NaN };
    }
    if (!useDefaults || f.default === undefined) return { kind: 'empty', reason: `column ${quote(column)} is empty` };
    s = String(f.default);
  }
  if (f.type === 'category') {
    const name = f.categories.includes(s) ? s : s.trim();
    const i = f.categories.indexOf(name);
    if (i < 0) return { kind: 'category', reason: `column ${quote(column)} is ${quote(s)}, expected one of: ${oneOf(f.categories)}` };
    return { value: spec.type === 'string' ? name : i };
  }
  const v = Number(s);
  if (!Number.isFinite(v) || (isInt && !Number.isInteger(v))) {
    return { kind: 'number', reason: `column ${quote(column)} is ${quote(s)}, expected ${isInt ? 'an integer' : 'a number'}` };
  }
  return { value: v };
}

/** The tensor of one column's values for `rows` rows. */
export function columnTensor(spec: ColumnSpec, values: readonly (number | string)[]): Tensor {
  const n = values.length;
  const dims = spec.rank === 1 ? [n] : [n, 1];
  if (spec.type === 'string') return { data: values as string[], dims };
  const numbers = values as number[];
  const data: TypedArray =
    spec.type === 'float32'
      ? Float32Array.from(numbers)
      : spec.type === 'float64'
        ? Float64Array.from(numbers)
        : spec.type === 'int32'
          ? Int32Array.from(numbers)
          : BigInt64Array.from(numbers, (v) => BigInt(v));
  return { data, dims };
}
