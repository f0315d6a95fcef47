/**
 * How a training CSV fits a model: which columns feed which inputs (one tensor [N, d] of all
 * feature columns, or one [N, 1] tensor per column named like the input), the features a card
 * describes them with, and what the outputs are (task, label and probabilities or value, label
 * names). Every column that does not fit is a one-line error naming the file, column (and row)
 * and what the model expects there.
 */
import { CARD_TASKS, type CardTask, type Feature } from '../model/card.js';
import type { TensorInfo } from '../types.js';
import { cliError, EXIT, usageError } from './errors.js';
import type { ZipMapRewrite } from '../model/zipmap.js';
import { median, round7 } from './stats.js';
import { csvError, type Column, type Table } from './table.js';

export type InputPlan =
  | { kind: 'features'; tensor: TensorInfo; columns: number[] }
  | { kind: 'columns'; inputs: { tensor: TensorInfo; column: number }[] };

export interface FitOptions {
  /** The label column (left out of the features; truth for metrics and reference label counts). */
  label?: string;
  /** Columns left out. */
  drop?: string[];
}

const q = JSON.stringify;
const shape = (t: TensorInfo) => `${t.type} [${t.dims.map((d) => d ?? '?').join(', ')}]`;
const NUMERIC = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];
const isColumnInput = (t: TensorInfo) => t.dims.length === 1 || (t.dims.length === 2 && (t.dims[1] === 1 || typeof t.dims[1] !== 'number'));

/** Index of a column by name: exact, else ignoring case (as CSV jobs match them); -1 when none. */
function find(table: Table, name: string): number {
  const exact = table.header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = table.header.map((h) => h.toLowerCase());
  return lower.indexOf(name.toLowerCase());
}

/** The label column's index (by --label, or scikit-learn's "target"), or -1. */
export function labelColumn(table: Table, options: FitOptions): number {
  const name = options.label ?? (table.sklearnLabels ? table.header[table.header.length - 1] : undefined);
  if (name === undefined) return -1;
  const i = find(table, name);
  if (i < 0) throw csvError(table.file, `has no column ${q(name)} (--label). Columns: ${table.header.map((h) => q(h)).join(', ')}.`, { column: name });
  return i;
}

/** Checks that a column can feed a tensor of this type: numbers where it is numeric, categories where it takes strings. */
function checkColumn(table: Table, c: Column, t: TensorInfo): void {
  const where = `the model's input ${q(t.name)} is ${shape(t)}`;
  if (c.empty > 0 && (t.type === 'string' || !t.missing)) {
    const why = t.type === 'string' ? 'it takes a category in every row' : 'no Imputer or IsNaN node in the graph reads it, so it takes no missing values';
    throw csvError(table.file, `row ${c.firstEmpty}, column ${q(c.name)} is empty; ${where}: ${why}.`, { row: c.firstEmpty, column: c.name });
  }
  if (t.type === 'string') {
    if (!c.codes) throw csvError(table.file, `column ${q(c.name)} has more than 1000 distinct values; ${where}, which takes categories.`, { column: c.name });
    return;
  }
  if (!NUMERIC.includes(t.type)) throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `The model's input ${q(t.name)} is ${shape(t)}; a CSV column can feed numeric and string inputs only.`);
  if (c.firstText) {
    throw csvError(table.file, `row ${c.firstText.row}, column ${q(c.name)}: ${q(c.firstText.value)} is not a number; ${where}.`, { row: c.firstText.row, column: c.name });
  }
  if (t.type.startsWith('int') || t.type.startsWith('uint')) {
    const bad = c.numbers.findIndex((v) => !Number.isNaN(v) && !Number.isInteger(v));
    if (bad >= 0) throw csvError(table.file, `row ${bad + 1}, column ${q(c.name)}: ${c.numbers[bad]} is not an integer; ${where}.`, { row: bad + 1, column: c.name });
  }
}

/**
 * Which columns feed which inputs. A model with one input [N, d] takes every column but the
 * label and the dropped ones, in file order, as its d features; a model whose inputs are all
 * [N] or [N, 1] takes each from the column of the same name. Missing, extra or renamed columns,
 * and columns whose values do not fit their input, are CSV_INVALID naming them.
 */
export function planInputs(table: Table, inputs: readonly TensorInfo[], options: FitOptions): InputPlan {
  const label = labelColumn(table, options);
  const dropped = new Set<number>();
  for (const name of options.drop ?? []) {
    const i = find(table, name);
    if (i < 0) throw csvError(table.file, `has no column ${q(name)} (--drop). Columns: ${table.header.map((h) => q(h)).join(', ')}.`, { column: name });
    dropped.add(i);
  }
  const free = table.header.map((_, i) => i).filter((i) => i !== label && !dropped.has(i));
  const byName = inputs.map((t) => find(table, t.name));
  const named = inputs.length > 1 || (byName[0]! >= 0 && inputs.every(isColumnInput));
  if (inputs.length === 1 && !named) {
    const t = inputs[0]!;
    const d = t.dims[t.dims.length - 1];
    if (t.dims.length !== 2) {
      throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `The model's only input ${q(t.name)} is ${shape(t)}; ml-predict card describes tabular models: one input [N, features], or one [N, 1] input per column.`);
    }
    if (typeof d === 'number' && d !== free.length) {
      const hint = label < 0 ? ' Name the label column with --label, or leave columns out with --drop.' : ' Leave columns out with --drop.';
      throw csvError(
        table.file,
        `has ${free.length} feature column${free.length === 1 ? '' : 's'} (${free.map((i) => q(table.header[i]!)).join(', ')}), but the model's input ${q(t.name)} is ${shape(t)}: ${d} per row.${d < free.length ? hint : ''}`,
        { expected: d, found: free.length },
      );
    }
    for (const i of free) checkColumn(table, table.columns[i]!, t);
    return { kind: 'features', tensor: t, columns: free };
  }
  const missing = inputs.filter((_, j) => byName[j]! < 0);
  const used = new Set(byName);
  const extra = free.filter((i) => !used.has(i));
  if (missing.length > 0 || extra.length > 0) {
    const parts: string[] = [];
    if (missing.length) parts.push(`has no column for the model's input${missing.length > 1 ? 's' : ''} ${missing.map((t) => `${q(t.name)} (${shape(t)})`).join(', ')}`);
    if (extra.length) parts.push(`has column${extra.length > 1 ? 's' : ''} the model does not take: ${extra.map((i) => q(table.header[i]!)).join(', ')}`);
    const hint = extra.length ? (label < 0 ? ' Name the label column with --label; leave other columns out with --drop.' : ' Leave them out with --drop.') : '';
    throw csvError(table.file, `${parts.join(', and ')}. The model's inputs: ${inputs.map((t) => q(t.name)).join(', ')}.${hint}`, {
      missing: missing.map((t) => t.name),
      extra: extra.map((i) => table.header[i]),
    });
  }
  for (const t of inputs) {
    if (!isColumnInput(t)) throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `The model's input ${q(t.name)} is ${shape(t)}; with several inputs each must be one column ([N] or [N, 1]).`);
  }
  inputs.forEach((t, j) => checkColumn(table, table.columns[byName[j]!]!, t));
  return { kind: 'columns', inputs: inputs.map((t, j) => ({ tensor: t, column: byName[j]! })) };
}

/** The categories of a column, in natural order ("1", "2", "10"; "C", "Q", "S"). */
export function categoriesOf(c: Column): string[] {
  return [...c.distinct].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** One feature per fed column, from the training rows: ranges and defaults (the median), categories, missing values. */
export function featuresOf(table: Table, plan: InputPlan, train: readonly number[]): Feature[] {
  const columns = plan.kind === 'features' ? plan.columns.map((i) => ({ i, t: plan.tensor })) : plan.inputs.map((x) => ({ i: x.column, t: x.tensor }));
  return columns.map(({ i, t }): Feature => {
    const c = table.columns[i]!;
    const tensor = plan.kind === 'columns' && t.name !== c.name ? { tensor: t.name } : {};
    if (t.type === 'string') return { name: c.name, type: 'category', categories: categoriesOf(c), ...tensor };
    const v = train.map((r) => c.numbers[r]!).filter((x) => !Number.isNaN(x));
    if (v.length === 0) throw csvError(table.file, `column ${q(c.name)} is empty in every training row.`, { column: c.name });
    let min = v[0]!;
    let max = v[0]!;
    for (const x of v) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (c.empty > 0) return { name: c.name, type: 'number', min, max, missing: true, ...tensor };
    return { name: c.name, type: 'number', min, max, default: round7(median(v)), ...tensor };
  });
}

export interface OutputPlan {
  task: CardTask;
  label?: string;
  probabilities?: string;
  /** What the label output holds, for the card's description. */
  labelKind?: string;
  value?: string;
  /** Label names in the order of the probabilities, when known before predicting. */
  labels?: string[];
}

const TASKS = CARD_TASKS.filter((t) => t === 'binary-classification' || t === 'multiclass-classification' || t === 'regression');

/** The task and the outputs a card names, from the model's outputs (and ZipMap's labels), or --task. */
export function planOutputs(outputs: readonly TensorInfo[], zipMaps: readonly ZipMapRewrite[], task?: string): OutputPlan {
  if (task !== undefined && !(TASKS as readonly string[]).includes(task)) throw usageError(`--task is ${q(task)}; expected one of ${TASKS.map((t) => q(t)).join(', ')}.`);
  const z = zipMaps[0];
  const isFloat = (t: TensorInfo) => t.type === 'float32' || t.type === 'float64' || t.type === 'float16';
  const width = (t: TensorInfo) => (t.dims.length >= 2 ? t.dims[t.dims.length - 1] : 1);
  const probs = z ? outputs.find((o) => o.name === z.output) : outputs.find((o) => isFloat(o) && o.dims.length === 2 && (typeof width(o) !== 'number' || (width(o) as number) >= 2));
  const label = z?.label ? outputs.find((o) => o.name === z.label) : outputs.find((o) => !isFloat(o) && (o.dims.length === 1 || (o.dims.length === 2 && o.dims[1] === 1)));
  const value = outputs.find((o) => isFloat(o) && o !== probs && (o.dims.length === 1 || width(o) === 1));
  const names = outputs.map((o) => `${q(o.name)} (${shape(o)})`).join(', ');
  const k = z ? z.labels.length : probs && typeof width(probs) === 'number' ? (width(probs) as number) : undefined;
  const chosen = (task as CardTask | undefined) ?? (probs ? (k === 2 ? 'binary-classification' : 'multiclass-classification') : value ? 'regression' : undefined);
  if (!chosen) throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `Cannot tell what the model predicts from its outputs ${names}: a classifier gives probabilities (float [N, classes]), a regressor a value (float [N] or [N, 1]). Say it with --task.`);
  if (chosen === 'regression') {
    const v = value ?? outputs.find(isFloat);
    if (!v) throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `--task regression needs a float output for the value; the model's outputs are ${names}.`);
    return { task: chosen, value: v.name };
  }
  if (!probs) throw cliError(EXIT.model, 'UNSUPPORTED_MODEL', `A classifier card needs an output of probabilities (float [N, classes]); the model's outputs are ${names}.`);
  const labelKind = label && (z?.label ? 'the predicted label itself (one of the labels)' : label.type === 'string' ? 'the predicted label' : `${label.type} index into labels`);
  return { task: chosen, probabilities: probs.name, ...(label && { label: label.name, labelKind }), ...(z && { labels: z.labels }) };
}
