/** Models with matching cards for the `<ml-predict>` tests, and helpers to await the element. */
import { writeModel } from '../../tools/onnx/writer.js';
import { linearClassifierModel } from '../fixtures/models.js';
import { putFile, uniqueName } from '../helpers.js';
import type { ModelCard } from '../../lib/model/card.js';
import type { MlPredict } from '../../lib/element/ml-predict.js';
import type { MlPredictEvents } from '../../lib/element/events.js';

const base = { version: '1.0.0', license: 'MIT', model: { file: 'x.onnx', sha256: '', bytes: 0 } };

/** The 3-feature LinearClassifier of the shared fixtures, described as an iris-like classifier. */
export const irisCard: ModelCard = {
  ...base,
  name: 'iris-test',
  task: 'multiclass-classification',
  description: 'Which iris species, from three flower measurements.',
  input: {
    kind: 'features',
    tensor: 'features',
    features: [
      { name: 'sepal_length', type: 'number', unit: 'cm', min: 0, max: 10, default: 1.5 },
      { name: 'sepal_width', type: 'number', unit: 'cm', min: -5, max: 10, default: -0.5 },
      { name: 'petal_length', type: 'number', unit: 'cm', min: -5, max: 10, default: 0.25, description: 'Longest petal' },
    ],
  },
  outputs: { label: 'label', probabilities: 'probabilities', labels: ['setosa', 'versicolor', 'virginica'] },
};

export const irisModel = linearClassifierModel;

/** price = 12·rooms + 1.5·area + 40·city + 7: x float32 [N, 3] → price float32 [N, 1]. */
export function houseModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'house',
      inputs: [{ name: 'x', type: { tensor: 'float', shape: ['N', 3] } }],
      outputs: [{ name: 'price', type: { tensor: 'float', shape: ['N', 1] } }],
      initializers: [
        { name: 'W', type: 'float', dims: [3, 1], values: [12, 1.5, 40] },
        { name: 'b', type: 'float', dims: [1], values: [7] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
        { op: 'Add', inputs: ['xw', 'b'], outputs: ['price'] },
      ],
    },
  });
}

export const houseCard: ModelCard = {
  ...base,
  name: 'house-test',
  task: 'regression',
  description: 'Price of a house from its rooms, area and part of town.',
  input: {
    kind: 'features',
    tensor: 'x',
    features: [
      { name: 'rooms', type: 'number', min: 1, max: 12, default: 3 },
      { name: 'area', type: 'number', unit: 'm²', min: 10, max: 400, default: 80 },
      { name: 'district', type: 'category', categories: ['north', 'centre', 'south'], default: 'centre' },
    ],
  },
  outputs: { value: 'price', unit: 'k€' },
};

/** Word count: text string [1, n] → Shape → Gather(1) → Cast → words float32 []. */
export function wordCountModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'words',
      inputs: [{ name: 'text', type: { tensor: 'string', shape: [1, 'n'] } }],
      outputs: [{ name: 'words', type: { tensor: 'float', shape: [] } }],
      initializers: [{ name: 'one', type: 'int64', dims: [], values: [1n] }],
      nodes: [
        { op: 'Shape', inputs: ['text'], outputs: ['shape'] },
        { op: 'Gather', inputs: ['shape', 'one'], outputs: ['n'], attributes: { axis: { i: 0 } } },
        { op: 'Cast', inputs: ['n'], outputs: ['words'], attributes: { to: { i: 1 } } },
      ],
    },
  });
}

export const wordCountCard: ModelCard = {
  ...base,
  name: 'word-count',
  task: 'regression',
  description: 'Counts the words of a review.',
  input: { kind: 'text', tensor: 'text', preprocessing: { lowercase: true, tokenPattern: "[a-z0-9']+", shape: 'row' }, description: 'Review' },
  outputs: { value: 'words', unit: 'words' },
  examples: ['A quiet, moving film.'],
};

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The card with its `model` field describing these bytes, as a published card does. */
export async function cardFor(card: ModelCard, bytes: Uint8Array, file: string): Promise<ModelCard> {
  return { ...card, model: { file, sha256: await sha256Hex(bytes), bytes: bytes.length } };
}

/** Puts a model (and its card beside it, unless card is undefined) on the test server; returns the model URL. */
export async function serveModel(bytes: Uint8Array, card?: ModelCard, base = 'el'): Promise<{ url: string; name: string; cardName: string }> {
  const name = uniqueName(base);
  const url = await putFile(name, bytes);
  const cardName = name.replace(/\.onnx$/, '.card.json');
  if (card) await putFile(cardName, JSON.stringify(await cardFor(card, bytes, name)), 'application/json');
  return { url, name, cardName };
}

/** A registry.json on the test server listing these models (name → bytes and card), the first the default. */
export async function serveRegistry(models: Record<string, { bytes: Uint8Array; card: ModelCard }>, defaultName = Object.keys(models)[0]!): Promise<{ url: string; files: Record<string, string> }> {
  const prefix = uniqueName('reg').replace(/\.onnx$/, '');
  const files: Record<string, string> = {};
  const doc: { default: string; models: Record<string, unknown> } = { default: defaultName, models: {} };
  for (const [name, { bytes, card }] of Object.entries(models)) {
    const file = `${prefix}-${name}.onnx`;
    const cardFile = `${prefix}-${name}.card.json`;
    files[name] = file;
    await putFile(file, bytes);
    await putFile(cardFile, JSON.stringify(await cardFor({ ...card, name }, bytes, file)), 'application/json');
    doc.models[name] = {
      title: name,
      task: card.task,
      description: card.description,
      aliases: { stable: card.version },
      versions: { [card.version]: { url: file, card: cardFile, sha256: await sha256Hex(bytes), bytes: bytes.length } },
    };
  }
  const url = await putFile(`${prefix}.json`, JSON.stringify(doc), 'application/json');
  return { url, files };
}

export async function sha256Integrity(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
}

/** Resolves with the next event of this type from the element. */
export function next<K extends keyof MlPredictEvents>(el: MlPredict, type: K): Promise<MlPredictEvents[K]> {
  return new Promise((resolve) => el.addEventListener(type, (e) => resolve(e as MlPredictEvents[K]), { once: true }));
}

/** Resolves on the element's next `load`; rejects on its next `error`. */
export function loaded(el: MlPredict): Promise<MlPredictEvents['load']> {
  return new Promise((resolve, reject) => {
    const onLoad = (e: MlPredictEvents['load']) => {
      el.removeEventListener('error', onError);
      resolve(e);
    };
    const onError = (e: MlPredictEvents['error']) => {
      el.removeEventListener('load', onLoad);
      reject(new Error(`expected load, got error ${e.detail.code}: ${e.detail.message}`));
    };
    el.addEventListener('load', onLoad, { once: true });
    el.addEventListener('error', onError, { once: true });
  });
}

export function shadow(el: MlPredict): ShadowRoot {
  return el.shadowRoot!;
}

export function part(el: MlPredict, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
}

