/**
 * From model outputs to a result a person can read (and, re-exported from card-inputs.ts, from
 * a model card's values to model inputs). Pure functions (no DOM, no worker): used by
 * `<ml-predict>`, the demo and batch jobs.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { GraphClasses, Interpretation, Outputs, OutputTensor } from '../types.js';
import type { ModelCard } from './card.js';

export { cardRow, cardToInputs, defaultValues } from './card-inputs.js';

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

/**
 * A label value's name. The graph's label output (`classes.label`) holds the labels themselves:
 * its value's place among `classes.labels` picks the card's name for it. Any other label output
 * holds a name, or an index into the card's labels.
 */
function labelName(card: ModelCard, value: number | bigint | string | boolean, labelOutput: string, classes: GraphClasses | undefined): string {
  if (classes && classes.label === labelOutput) {
    const at = classes.labels.indexOf(String(value));
    const names = card.outputs.labels?.length === classes.labels.length ? card.outputs.labels : classes.labels;
    return at >= 0 ? names[at]! : String(value);
  }
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

/** What a classifier without a card is read with: the outputs and labels its graph names. */
function classesCard(classes: GraphClasses): ModelCard {
  return {
    name: 'model',
    version: '',
    task: classes.labels.length === 2 ? 'binary-classification' : 'multiclass-classification',
    description: '',
    input: { kind: 'other', tensor: '', description: '' },
    outputs: { probabilities: classes.probabilities, label: classes.label, labels: classes.labels },
    model: { file: '', sha256: '', bytes: 0 },
    license: '',
  };
}

/** The card to read outputs with: `card`, given the graph's labels where it has none of its own for the same outputs; else one made of the graph's classes. */
function readingCard(card: ModelCard | undefined, classes: GraphClasses | undefined): ModelCard {
  if (!card) {
    if (!classes) throw invalidArgument('interpret() needs a model card, or the class labels of a graph that names them (model.info.classes).');
    return classesCard(classes);
  }
  const o = card.outputs;
  if (!classes || o.labels || (o.probabilities !== classes.probabilities && (o.label === undefined || o.label !== classes.label))) return card;
  return { ...card, outputs: { ...o, labels: classes.labels } };
}

/**
 * A readable result for one row of a model's outputs: a classifier's label and the probability
 * of each class, or a regressor's value and unit, as the card describes them. `classes`
 * (`model.info.classes`: the labels a ZipMap graph names) reads a classifier without a card,
 * and names the labels of a card that lists none; a card's own `outputs.labels` win.
 *
 * @example
 * interpret(card, await model.predict(cardToInputs(card, values)));
 * // { kind: 'classification', label: 'benign', probabilities: { malignant: 0.03, benign: 0.97 } }
 * interpret(undefined, await model.predict(inputs), 0, model.info.classes);
 * // { kind: 'classification', label: 'versicolor', probabilities: { setosa: 0.1, versicolor: 0.8, virginica: 0.1 } }
 */
export function interpret(given: ModelCard | undefined, outputs: Outputs, row = 0, classes?: GraphClasses): Interpretation {
  const card = readingCard(given, classes);
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
      label = labelName(card, valueOfRow(labelT, row), card.outputs.label!, classes);
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

/** Every row of a model's outputs, read as its card (or the graph's `classes`) describes them (see interpret). */
export function interpretRows(given: ModelCard | undefined, outputs: Outputs, classes?: GraphClasses): Interpretation[] {
  const card = readingCard(given, classes);
  const o = card.outputs;
  const first = [o.probabilities, o.label, o.value].map((n) => (n === undefined ? undefined : outputs[n])).find((t) => t !== undefined);
  const t = first ?? Object.values(outputs)[0];
  const rows = !t || t.dims.length === 0 ? 1 : (t.dims[0] ?? 0);
  return Array.from({ length: rows }, (_, r) => interpret(card, outputs, r, classes));
}
