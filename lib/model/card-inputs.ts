/**
 * From a model card and what a person (a form, a CSV row, a script) gives to model inputs:
 * feature values by name → one [N, features] tensor ("features") or one [N, 1] tensor per
 * feature ("columns"), a text → its token tensor ("text"). Pure functions, no DOM, no worker.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { CardValues, FeatureValue, Inputs, InputValue, TensorInfo } from '../types.js';
import { featureTensor, type CategoricalFeature, type Feature, type ModelCard, type NumericFeature } from './card.js';
import { textToTensor } from '../tasks/text.js';

type Values = Readonly<Record<string, FeatureValue | undefined>>;

function cardName(card: ModelCard): string {
  return typeof card.name === 'string' && card.name ? card.name : 'model';
}

function invalidArgument(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

/** An empty value: absent (undefined, or null as JSON writes it), or a blank string (an empty form field or CSV cell). */
export function isEmptyValue(value: FeatureValue | null | undefined): value is undefined | null | string {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * A number the way a form or a CSV cell gives it. NaN (a missing value) only for a feature that
 * allows `missing` values; anything else that is not a finite number is INVALID_ARGUMENT.
 */
function toNumber(card: ModelCard, feature: NumericFeature, value: FeatureValue): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (Number.isNaN(n) && feature.missing === true && (typeof value === 'number' || value.trim() === '')) return n;
  if (!Number.isFinite(n)) {
    throw invalidArgument(
      `Feature ${quote(feature.name)} of model "${cardName(card)}" is ${quote(value)}. Expected a finite number${feature.missing ? ' (or an empty value, for a missing one)' : ''}.`,
    );
  }
  return n;
}

function checkCategory(card: ModelCard, feature: CategoricalFeature, value: FeatureValue): string {
  const s = String(value);
  if (!feature.categories.includes(s)) {
    throw invalidArgument(`Feature ${quote(feature.name)} of model "${cardName(card)}" is ${quote(value)}. Expected one of: ${oneOf(feature.categories)}.`);
  }
  return s;
}

/**
 * The value of one feature: a number (NaN when missing and allowed), or a category's name.
 * An empty value is NaN for a feature that allows missing values, else the feature's default;
 * undefined when it has neither (the caller reports the missing features together).
 */
function featureValue(card: ModelCard, feature: Feature, given: FeatureValue | undefined): number | string | undefined {
  if (isEmptyValue(given)) {
    if (feature.type === 'number' && feature.missing === true) return Number.NaN;
    if (feature.default === undefined) return undefined;
    given = feature.default;
  }
  return feature.type === 'category' ? checkCategory(card, feature, given) : toNumber(card, feature, given);
}

/** Each feature's value for one record, in the card's feature order (unknown names and missing values refused). */
function recordValues(card: ModelCard, features: readonly Feature[], values: Values): (number | string)[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw invalidArgument(`Model "${cardName(card)}" takes feature values by name: pass { ${features.map((f) => f.name).join(', ')} }, got ${quote(values)}.`);
  }
  const names = features.map((f) => f.name);
  for (const key of Object.keys(values)) {
    if (!names.includes(key)) {
      throw invalidArgument(`Unknown feature ${quote(key)} for model "${cardName(card)}". Expected one of: ${oneOf(names)}.`);
    }
  }
  const missing: string[] = [];
  const row = features.map((f) => {
    const v = featureValue(card, f, values[f.name]);
    if (v === undefined) missing.push(f.name);
    return v ?? Number.NaN;
  });
  if (missing.length > 0) {
    throw invalidArgument(`Missing value for ${oneOf(missing)} of model "${cardName(card)}" (no default in its card).`);
  }
  return row;
}

/**
 * One row of numbers in a "features" card's feature order: a category as its index, an empty
 * value as the feature's default, or NaN for a feature that allows missing values.
 */
export function cardRow(card: ModelCard, values: Values): number[] {
  if (card.input.kind !== 'features') {
    throw invalidArgument(`Model "${cardName(card)}" takes ${card.input.kind} input, not one row of feature values${card.input.kind === 'columns' ? ': use cardToInputs()' : ''}.`);
  }
  const features = card.input.features;
  return recordValues(card, features, values).map((v, j) => {
    const f = features[j]!;
    return f.type === 'category' ? f.categories.indexOf(v as string) : (v as number);
  });
}

function textOf(card: ModelCard, values: CardValues): string {
  if (typeof values === 'string') return values;
  const keys = Object.keys(values);
  const text = values.text;
  if (keys.some((k) => k !== 'text') || typeof text !== 'string') {
    throw invalidArgument(`Model "${cardName(card)}" takes text: pass a string or { text: "…" }, got ${quote(values)}.`);
  }
  return text;
}

/**
 * One input per feature of a "columns" card, each [N, 1] (or [N] where the model's input is
 * rank 1): numbers as rows of one value, converted to the input's numeric type when the model
 * is checked (float32, float64, int64…); categories as a string tensor, or as their index for a
 * numeric input. Without `modelInputs`: [N, 1] each, categories as strings.
 */
function columnInputs(card: ModelCard, features: readonly Feature[], records: readonly (number | string)[][], modelInputs: readonly TensorInfo[] | undefined): Inputs {
  const out: Record<string, InputValue> = {};
  features.forEach((f, j) => {
    const tensor = featureTensor(f);
    const info = modelInputs?.find((i) => i.name === tensor);
    if (modelInputs && !info) {
      throw new MlPredictError('CARD_INVALID', `Model card "${cardName(card)}": feature ${quote(f.name)} goes to tensor ${quote(tensor)}, which is not among the model's inputs ${oneOf(modelInputs.map((i) => i.name))}.`);
    }
    const rank1 = info?.dims.length === 1;
    const column = records.map((r) => r[j]!);
    if (f.type === 'category' && (info === undefined || info.type === 'string')) {
      out[tensor] = { data: column as string[], dims: rank1 ? [column.length] : [column.length, 1] };
      return;
    }
    const numbers = f.type === 'category' ? column.map((v) => f.categories.indexOf(v as string)) : (column as number[]);
    out[tensor] = rank1 ? numbers : numbers.map((v) => [v]);
  });
  return out;
}

/**
 * Model inputs for what a person entered. "features" → `{ [tensor]: [[v1, v2, …]] }` in the
 * card's feature order (several records → several rows); "columns" → one [N, 1] input per
 * feature (see the card's CardInput); text → `{ [tensor]: string tensor [texts, tokens] }`,
 * tokenised by the card's preprocessing exactly as in training (lib/tasks/text.ts). An empty
 * value takes the feature's default, or is NaN for a feature that allows `missing` values.
 *
 * @param modelInputs the model's inputs (`model.info.inputs`): a "columns" card's values then
 *   fit each input's rank and type (a category as its index for a numeric input).
 * @example
 * cardToInputs(card, { radius: 14.2, texture: '19.1' });   // { features: [[14.2, 19.1]] }
 * cardToInputs(titanic, { sex: 'female', age: '' });      // { sex: { data: ['female'], dims: [1, 1] }, age: [[NaN]], … }
 * cardToInputs(sentimentCard, 'A moving film');            // { text: { data: ['a', 'moving', 'film'], dims: [1, 3] } }
 */
export function cardToInputs(card: ModelCard, values: CardValues | readonly CardValues[], modelInputs?: readonly TensorInfo[]): Inputs {
  const input = card.input;
  const list: readonly CardValues[] = Array.isArray(values) ? values : [values as CardValues];
  if (list.length === 0) throw invalidArgument(`Nothing to predict on for model "${cardName(card)}": no values were given.`);
  if (input.kind === 'features' || input.kind === 'columns') {
    const records = list.map((r) => {
      if (typeof r === 'string') {
        throw invalidArgument(`Model "${cardName(card)}" takes feature values, not text: pass { ${input.features.map((f) => f.name).join(', ')} }.`);
      }
      return input.kind === 'features' ? cardRow(card, r) : recordValues(card, input.features, r);
    });
    if (input.kind === 'features') return { [input.tensor]: records as number[][] };
    return columnInputs(card, input.features, records, modelInputs);
  }
  if (input.kind === 'text') {
    return { [input.tensor]: textToTensor(list.map((v) => textOf(card, v)), input.preprocessing) };
  }
  throw invalidArgument(
    `Model "${cardName(card)}" takes ${input.kind} input${input.description ? ` (${input.description})` : ''}: cardToInputs() builds inputs for "features", "columns" and "text" cards only; pass model inputs by tensor name instead.`,
  );
}

/** Starting values for a form: each feature's default, else the training mean, else the middle of its range. */
export function defaultValues(card: ModelCard): Record<string, FeatureValue> {
  if (card.input.kind !== 'features' && card.input.kind !== 'columns') return {};
  const out: Record<string, FeatureValue> = {};
  for (const f of card.input.features) {
    if (f.type === 'category') {
      const first = f.categories[0];
      const value = f.default ?? first;
      if (value !== undefined) out[f.name] = value;
      continue;
    }
    const mean = card.reference?.features[f.name]?.mean;
    const value = f.default ?? (mean !== undefined ? roundForForm(mean) : f.min !== undefined && f.max !== undefined ? roundForForm((f.min + f.max) / 2) : undefined);
    if (value !== undefined) out[f.name] = value;
  }
  return out;
}

/** 4 significant digits: a mean like 14.127290… becomes 14.13. */
function roundForForm(n: number): number {
  return n === 0 ? 0 : Number(n.toPrecision(4));
}
