/**
 * What `<ml-predict>` predicts on: the `.input` value its form or a script sets, and the model
 * inputs made from it.
 */
import { MlPredictError } from '../errors.js';
import { cardToInputs, interpret, type FeatureValue } from '../model/interpret.js';
import type { ModelCard } from '../model/card.js';
import type { Inputs, Model } from '../types.js';
import type { MlPredictResult } from './events.js';

/** What `.input` accepts: model inputs by tensor name, feature values by card feature name, or a text for a text model. */
export type MlPredictInput = Inputs | Readonly<Record<string, FeatureValue | undefined>> | string;

/**
 * The `.input` value for a submitted form: the text of a text card, or the feature values of a
 * "features" or "columns" card (numbers as numbers, categories as their names). An empty field
 * is left out, so the card's default applies, except for a feature that allows missing values:
 * that one is kept as "" (a missing value, NaN for the model). Undefined for another input kind.
 */
export function formInput(card: ModelCard, form: HTMLFormElement): MlPredictInput | undefined {
  const data = new FormData(form);
  if (card.input.kind === 'text') return String(data.get('text') ?? '');
  if (card.input.kind !== 'features' && card.input.kind !== 'columns') return undefined;
  const values: Record<string, FeatureValue> = {};
  for (const f of card.input.features) {
    const raw = String(data.get(f.name) ?? '');
    if (raw.trim() === '') {
      if (f.type === 'number' && f.missing === true) values[f.name] = '';
      continue;
    }
    values[f.name] = f.type === 'number' ? Number(raw) : raw;
  }
  return values;
}

/** Model inputs by tensor name: every key an input's name, every value an array or a tensor (not one feature value). */
function isModelInputs(model: Model, input: object): boolean {
  const names = model.info.inputs.map((i) => i.name);
  const entries = Object.entries(input);
  return entries.length > 0 && entries.every(([k, v]) => names.includes(k) && v !== null && typeof v === 'object');
}

/**
 * Model inputs for an `.input` value: an object of arrays or tensors whose keys are all input
 * tensor names (or any object, without a card) passes through; a text or feature values (a
 * "columns" card's feature names may be its tensor names: single values are feature values) go
 * through the card, fitted to the model's inputs. Throws INVALID_ARGUMENT for a text without a
 * card, and cardToInputs' errors.
 */
export function toInputs(model: Model, card: ModelCard | undefined, input: MlPredictInput): Inputs {
  if (typeof input === 'string') {
    if (!card) throw new MlPredictError('INVALID_ARGUMENT', `Model "${model.info.name}" has no card, so a text cannot be turned into inputs; pass inputs by tensor name.`);
    return cardToInputs(card, input);
  }
  if (!card || isModelInputs(model, input)) return input as Inputs;
  return cardToInputs(card, input as Readonly<Record<string, FeatureValue | undefined>>, model.info.inputs);
}

/**
 * Predicts on `input` and reads the outputs as the card describes them, or without a card as
 * the class labels the graph names (`info.classes`, from ZipMap); raw outputs without either,
 * or for a card of task "other".
 */
export async function predictOn(model: Model, card: ModelCard | undefined, input: MlPredictInput): Promise<MlPredictResult> {
  const outputs = await model.predict(toInputs(model, card, input));
  const classes = model.info.classes;
  return (card ? card.task !== 'other' : classes) ? { ...interpret(card, outputs, 0, classes), outputs } : { kind: 'raw', outputs };
}
