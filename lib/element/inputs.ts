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
 * features card (numbers as numbers, categories as their names; an empty field is left out, so
 * the card's default applies). Undefined for a card of another input kind.
 */
export function formInput(card: ModelCard, form: HTMLFormElement): MlPredictInput | undefined {
  const data = new FormData(form);
  if (card.input.kind === 'text') return String(data.get('text') ?? '');
  if (card.input.kind !== 'features') return undefined;
  const values: Record<string, FeatureValue> = {};
  for (const f of card.input.features) {
    const raw = String(data.get(f.name) ?? '');
    if (raw.trim() === '') continue;
    values[f.name] = f.type === 'number' ? Number(raw) : raw;
  }
  return values;
}

/**
 * Model inputs for an `.input` value: an object whose keys are all input tensor names (or any
 * object, without a card) passes through; a text or feature values go through the card.
 * Throws INVALID_ARGUMENT for a text without a card, and cardToInputs' errors.
 */
export function toInputs(model: Model, card: ModelCard | undefined, input: MlPredictInput): Inputs {
  if (typeof input === 'string') {
    if (!card) throw new MlPredictError('INVALID_ARGUMENT', `Model "${model.info.name}" has no card, so a text cannot be turned into inputs; pass inputs by tensor name.`);
    return cardToInputs(card, input);
  }
  const names = model.info.inputs.map((i) => i.name);
  const keys = Object.keys(input);
  if (!card || (keys.length > 0 && keys.every((k) => names.includes(k)))) return input as Inputs;
  return cardToInputs(card, input as Readonly<Record<string, FeatureValue | undefined>>);
}

/** Predicts on `input` and reads the outputs as the card describes them (raw outputs without a card, or for a card of task "other"). */
export async function predictOn(model: Model, card: ModelCard | undefined, input: MlPredictInput): Promise<MlPredictResult> {
  const outputs = await model.predict(toInputs(model, card, input));
  return card && card.task !== 'other' ? { ...interpret(card, outputs), outputs } : { kind: 'raw', outputs };
}
