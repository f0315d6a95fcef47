/**
 * From a model card to model inputs, and from model outputs to a result a person can read.
 * Pure functions (no DOM, no worker): used by `<ml-predict>`, the demo and batch jobs.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { CardValues, FeatureValue, Inputs, Interpretation, Outputs, OutputTensor } from '../types.js';
import type { CategoricalFeature, Feature, ModelCard, NumericFeature } from './card.js';
import { textToTensor } from '../tasks/text.js';

export type { CardValues, ClassificationResult, FeatureValue, Interpretation, RegressionResult } from '../types.js';

const CLASSIFICATION_TASKS = ['binary-classification', 'multiclass-classification', 'text-classification'] as const;

function cardName(card: ModelCard): string {
  return typeof card.name === 'string' && card.name ? card.name : 'model';
}

function invalidArgument(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

function cardInvalid(card: ModelCard, message: string): MlPredictError {
  return new MlPredictError('CARD_INVALID', `Model card "${cardName(card)}": ${message}`);
}

/** Parses a number the way a form or a CSV cell gives it; undefined for an empty cell. */
function toNumber(card: ModelCard, feature: NumericFeature, value: FeatureValue): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) {
    throw invalidArgument(`Feature ${quote(feature.name)} of model "${cardName(card)}" is ${quote(value)}. Expected a finite number.`);
  }
  return n;
}

/** A category as the model reads it: its index in `categories` (the ONNX graph does any one-hot). */
function toCategoryIndex(card: ModelCard, feature: CategoricalFeature, value: FeatureValue): number {
  const i = feature.categories.indexOf(String(value));
  if (i < 0) {
    throw invalidArgument(
      `Feature ${quote(feature.name)} of model "${cardName(card)}" is ${quote(value)}. Expected one of: ${oneOf(feature.categories)}.`,
    );
  }
  return i;
}

function isEmpty(value: FeatureValue | undefined): value is undefined {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** One row of numbers in the card's feature order; missing values take the feature's default. */
export function cardRow(card: ModelCard, values: Readonly<Record<string, FeatureValue | undefined>>): number[] {
  if (card.input.kind !== 'features') {
    throw invalidArgument(`Model "${cardName(card)}" takes ${card.input.kind} input, not feature values.`);
  }
  const features = card.input.features;
  const names = features.map((f) => f.name);
  for (const key of Object.keys(values)) {
    if (!names.includes(key)) {
      throw invalidArgument(`Unknown feature ${quote(key)} for model "${cardName(card)}". Expected one of: ${oneOf(names)}.`);
    }
  }
  const missing: string[] = [];
  const row = features.map((feature: Feature) => {
    const given = values[feature.name];
    const value = isEmpty(given) ? feature.default : given;
    if (value === undefined) {
      missing.push(feature.name);
      return Number.NaN;
    }
    return feature.type === 'category' ? toCategoryIndex(card, feature, value) : toNumber(card, feature, value);
  });
  if (missing.length > 0) {
    throw invalidArgument(`Missing value for ${oneOf(missing)} of model "${cardName(card)}" (no default in its card).`);
  }
  return row;
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
 * Model inputs for what a person entered. Features → `{ [tensor]: [[v1, v2, …]] }` in the card's
 * feature order (several records → several rows); text → `{ [tensor]: string tensor [texts, tokens] }`,
 * tokenised by the card's preprocessing exactly as in training (lib/tasks/text.ts).
 *
 * @example
 * cardToInputs(card, { radius: 14.2, texture: '19.1' });   // { features: [[14.2, 19.1]] }
 * cardToInputs(sentimentCard, 'A moving film');            // { text: { data: ['a', 'moving', 'film'], dims: [1, 3] } }
 */
export function cardToInputs(card: ModelCard, values: CardValues | readonly CardValues[]): Inputs {
  const input = card.input;
  const list: readonly CardValues[] = Array.isArray(values) ? values : [values as CardValues];
  if (list.length === 0) throw invalidArgument(`Nothing to predict on for model "${cardName(card)}": no values were given.`);
  if (input.kind === 'features') {
    const rows = list.map((r) => {
      if (typeof r === 'string') {
        throw invalidArgument(`Model "${cardName(card)}" takes feature values, not text: pass { ${input.features.map((f) => f.name).join(', ')} }.`);
      }
      return cardRow(card, r);
    });
    return { [input.tensor]: rows };
  }
  if (input.kind === 'text') {
    return { [input.tensor]: textToTensor(list.map((v) => textOf(card, v)), input.preprocessing) };
  }
  throw invalidArgument(
    `Model "${cardName(card)}" takes ${input.kind} input${input.description ? ` (${input.description})` : ''}: cardToInputs() builds inputs for "features" and "text" cards only; pass model inputs by tensor name instead.`,
  );
}

/** Starting values for a form: each feature's default, else the training mean, else the middle of its range. */
export function defaultValues(card: ModelCard): Record<string, FeatureValue> {
  if (card.input.kind !== 'features') return {};
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

function output(card: ModelCard, outputs: Outputs, name: string | undefined, role: string): OutputTensor | undefined {
  if (name === undefined) return undefined;
  const t = outputs[name];
  if (!t) {
    throw cardInvalid(card, `its ${role} output ${quote(name)} is not among the model's outputs ${oneOf(Object.keys(outputs))}.`);
  }
  return t;
}

/** The first value of one row: rank 0 → the value, [N] → data[row], [N, k…] → data[row · k…]. */
function valueOfRow(t: OutputTensor, row: number): number | bigint | string | boolean {
  const data = t.data as ArrayLike<number | bigint | string | boolean>;
  const width = t.dims.length <= 1 ? 1 : t.dims.slice(1).reduce((a, b) => a * b, 1);
  return data[t.dims.length === 0 ? 0 : row * width]!;
}

/** The probabilities of one row: [N, k…] → its k… values; [N] → its one value; a scalar → the value. */
function probabilityRow(t: OutputTensor, row: number): number[] {
  const dims = t.dims;
  const data = t.data as ArrayLike<number | bigint>;
  const width = dims.length >= 2 ? dims.slice(1).reduce((a, b) => a * b, 1) : 1;
  const start = dims.length === 0 ? 0 : row * width;
  return Array.from({ length: width }, (_, i) => Number(data[start + i]));
}

/** A rank-0 or rank-1 probabilities output has one value per row: readable only as P(second label) of two labels. */
function checkOneProbabilityPerRow(card: ModelCard, name: string, t: OutputTensor): void {
  const labels = card.outputs.labels;
  if (t.dims.length >= 2 || labels?.length === 2) return;
  const listed = labels ? `${labels.length} labels ${oneOf(labels)}. Expected dims [N, ${labels.length}].` : 'no labels. Expected dims [N, k] with k the number of labels, or 2 labels in the card.';
  throw cardInvalid(
    card,
    `its probabilities output ${quote(name)} has dims [${t.dims.join(', ')}], one probability per row: that is the probability of the second label of a binary classifier, but the card lists ${listed}`,
  );
}

function labelName(card: ModelCard, value: number | bigint | string | boolean): string {
  if (typeof value === 'string') return value;
  const labels = card.outputs.labels;
  const i = Number(value);
  if (labels && Number.isInteger(i) && i >= 0 && i < labels.length) return labels[i]!;
  return String(value);
}

function checkRow(card: ModelCard, t: OutputTensor, row: number): void {
  const rows = t.dims.length === 0 ? 1 : (t.dims[0] ?? 0);
  if (!Number.isInteger(row) || row < 0 || row >= rows) {
    throw invalidArgument(`Row ${quote(row)} is out of range for model "${cardName(card)}": its outputs have ${rows} row(s).`);
  }
}

/**
 * A readable result for one row of a model's outputs: a classifier's label and the probability
 * of each class, or a regressor's value and unit, as the card describes them.
 *
 * @example
 * interpret(card, await model.predict(cardToInputs(card, values)));
 * // { kind: 'classification', label: 'benign', probabilities: { malignant: 0.03, benign: 0.97 } }
 */
export function interpret(card: ModelCard, outputs: Outputs, row = 0): Interpretation {
  const names = Object.keys(outputs);
  if ((CLASSIFICATION_TASKS as readonly string[]).includes(card.task)) {
    const labelT = output(card, outputs, card.outputs.label, 'label');
    const probT = output(card, outputs, card.outputs.probabilities, 'probabilities');
    if (!labelT && !probT) throw cardInvalid(card, 'a classifier card names neither a "label" nor a "probabilities" output.');
    let probabilities: Record<string, number> = {};
    let best: string | undefined;
    if (probT) {
      checkOneProbabilityPerRow(card, card.outputs.probabilities!, probT);
      checkRow(card, probT, row);
      let ps = probabilityRow(probT, row);
      const labels = card.outputs.labels;
      // One probability per row ([N, 1], [N] or a scalar) for a binary classifier is P(second class).
      if (ps.length === 1 && labels?.length === 2) ps = [1 - ps[0]!, ps[0]!];
      if (labels && labels.length !== ps.length) {
        throw cardInvalid(card, `it lists ${labels.length} labels ${oneOf(labels)} but the model gives ${ps.length} probabilities per row.`);
      }
      probabilities = Object.fromEntries(ps.map((p, i) => [labels?.[i] ?? String(i), p]));
      let top = -Infinity;
      for (const [name, p] of Object.entries(probabilities)) {
        if (p > top) {
          top = p;
          best = name;
        }
      }
    }
    let label: string;
    if (labelT) {
      checkRow(card, labelT, row);
      label = labelName(card, valueOfRow(labelT, row));
    } else {
      label = best!;
    }
    return { kind: 'classification', label, probabilities };
  }
  if (card.task === 'regression') {
    const valueName = card.outputs.value ?? card.outputs.label ?? (names.length === 1 ? names[0] : undefined);
    const t = output(card, outputs, valueName, 'value');
    if (!t) throw cardInvalid(card, `a regression card must name its "value" output; the model gives ${oneOf(names)}.`);
    checkRow(card, t, row);
    const value = Number(valueOfRow(t, row));
    return { kind: 'regression', value, unit: card.outputs.unit };
  }
  throw invalidArgument(`Model "${cardName(card)}" has task ${quote(card.task)}; only classification and regression results can be interpreted.`);
}

/** Every row of a model's outputs, read as its card describes them (see interpret). */
export function interpretRows(card: ModelCard, outputs: Outputs): Interpretation[] {
  const o = card.outputs;
  const first = [o.probabilities, o.label, o.value].map((n) => (n === undefined ? undefined : outputs[n])).find((t) => t !== undefined);
  const t = first ?? Object.values(outputs)[0];
  const rows = !t || t.dims.length === 0 ? 1 : (t.dims[0] ?? 0);
  return Array.from({ length: rows }, (_, r) => interpret(card, outputs, r));
}
