import { describe, expect, it } from 'vitest';
import { cardRow, cardToInputs, defaultValues, interpret, interpretRows } from '../../lib/model/interpret.js';
import type { ModelCard } from '../../lib/model/card.js';
import type { Outputs } from '../../lib/types.js';
import { thrown } from '../helpers.js';

function card(over: Partial<ModelCard>): ModelCard {
  return {
    name: 'test-model',
    version: '1.0.0',
    task: 'multiclass-classification',
    description: 'a test card',
    input: { kind: 'features', tensor: 'features', features: [] },
    outputs: {},
    model: { file: 'test-model.onnx', sha256: '', bytes: 0 },
    license: 'MIT',
    ...over,
  };
}

const house = card({
  name: 'house',
  task: 'regression',
  input: {
    kind: 'features',
    tensor: 'x',
    features: [
      { name: 'rooms', type: 'number', min: 1, max: 10, default: 3 },
      { name: 'area', type: 'number', unit: 'm²', min: 10, max: 500 },
      { name: 'city', type: 'category', categories: ['north', 'south', 'east'] },
      { name: 'age', type: 'number' },
    ],
  },
  outputs: { value: 'price', unit: 'k€' },
  reference: { rows: 100, features: { age: { mean: 23.456789, std: 1, min: 0, max: 90 } } },
});

const sentiment = card({
  name: 'sentiment',
  task: 'text-classification',
  input: { kind: 'text', tensor: 'text', preprocessing: { lowercase: true, tokenPattern: "[a-z0-9']+", shape: 'row' } },
  outputs: { label: 'label', probabilities: 'probabilities', labels: ['negative', 'positive'] },
});

function f32(data: number[], dims: number[]) {
  return { data: Float32Array.from(data), dims, type: 'float32' as const };
}
function i64(data: number[], dims: number[]) {
  return { data: BigInt64Array.from(data.map(BigInt)), dims, type: 'int64' as const };
}


describe('cardToInputs', () => {
  it('puts numbers in feature order as one row, categories as their index, defaults for empty values', () => {
    expect(cardToInputs(house, { city: 'south', age: 12, area: '120.5', rooms: '' })).toEqual({ x: [[3, 120.5, 1, 12]] });
  });

  it('makes one row per record', () => {
    const rows = cardToInputs(house, [
      { rooms: 2, area: 50, city: 'north', age: 1 },
      { rooms: 4, area: 80, city: 'east', age: 30 },
    ]);
    expect(rows).toEqual({ x: [[2, 50, 0, 1], [4, 80, 2, 30]] });
  });

  it('names unknown and missing features and bad values, listing the valid ones', () => {
    const unknown = thrown(() => cardToInputs(house, { room: 2 }));
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.message).toBe('Unknown feature "room" for model "house". Expected one of: "rooms", "area", "city", "age".');
    const missing = thrown(() => cardToInputs(house, { rooms: 2 }));
    expect(missing.message).toBe('Missing value for "area", "city", "age" of model "house" (no default in its card).');
    const nan = thrown(() => cardToInputs(house, { rooms: 2, area: 'big', city: 'north', age: 1 }));
    expect(nan.message).toBe('Feature "area" of model "house" is "big". Expected a finite number.');
    const city = thrown(() => cardToInputs(house, { rooms: 2, area: 3, city: 'west', age: 1 }));
    expect(city.message).toBe('Feature "city" of model "house" is "west". Expected one of: "north", "south", "east".');
    expect(thrown(() => cardToInputs(house, 'some text')).code).toBe('INVALID_ARGUMENT');
  });

  it('tokenises text per the card: lower-cased matches, as a [1, n] string tensor', () => {
    expect(cardToInputs(sentiment, 'A GREAT film, isn’t it? 10/10')).toEqual({
      text: { data: ['a', 'great', 'film', 'isn', 't', 'it', '10', '10'], dims: [1, 8] },
    });
    expect(cardToInputs(sentiment, { text: "Don't" })).toEqual({ text: { data: ["don't"], dims: [1, 1] } });
    // Flags from the card: case-insensitive here, and no lower-casing.
    const flagged = card({ input: { kind: 'text', tensor: 't', preprocessing: { lowercase: false, tokenPattern: 'h\\w+', flags: 'iu', shape: 'row' } } });
    expect(cardToInputs(flagged, 'Hello World hat')).toEqual({ t: { data: ['Hello', 'hat'], dims: [1, 2] } });
  });

  it('several texts become rows padded with the pad token; a text without tokens is one pad', () => {
    const padded = card({ ...sentiment, input: { ...sentiment.input, preprocessing: { lowercase: true, tokenPattern: '[a-z]+', shape: 'row', pad: '<pad>' } } as ModelCard['input'] });
    expect(cardToInputs(padded, ['good film', { text: 'bad' }, '?!'])).toEqual({
      text: { data: ['good', 'film', 'bad', '<pad>', '<pad>', '<pad>'], dims: [3, 2] },
    });
  });

  it('rejects values of the wrong shape', () => {
    expect(thrown(() => cardToInputs(sentiment, { review: 'x' })).message).toContain('pass a string or { text: "…" }');
    expect(thrown(() => cardToInputs(sentiment, [])).code).toBe('INVALID_ARGUMENT');
    const other = card({ input: { kind: 'other', tensor: 'img', description: 'an image' } });
    expect(thrown(() => cardToInputs(other, {})).message).toBe(
      'Model "test-model" takes other input (an image): cardToInputs() builds inputs for "features", "columns" and "text" cards only; pass model inputs by tensor name instead.',
    );
  });

  it('reports a broken token pattern as CARD_INVALID', () => {
    const bad = card({ input: { kind: 'text', tensor: 't', preprocessing: { lowercase: true, tokenPattern: '(', shape: 'row' } } });
    expect(thrown(() => cardToInputs(bad, 'x')).code).toBe('CARD_INVALID');
  });

  it('cardRow refuses a text card', () => {
    expect(thrown(() => cardRow(sentiment, {})).code).toBe('INVALID_ARGUMENT');
  });
});

describe('defaultValues', () => {
  it('uses the default, else the training mean (4 digits), else the middle of the range; first category', () => {
    expect(defaultValues(house)).toEqual({ rooms: 3, area: 255, city: 'north', age: 23.46 });
    expect(defaultValues(sentiment)).toEqual({});
  });
});

describe('interpret', () => {
  const iris = card({
    name: 'iris',
    outputs: { label: 'label', probabilities: 'probabilities', labels: ['setosa', 'versicolor', 'virginica'] },
  });

  it('names the label of a class-index output and gives each class its probability', () => {
    const out: Outputs = { label: i64([2, 0], [2]), probabilities: f32([0.1, 0.2, 0.7, 0.8, 0.15, 0.05], [2, 3]) };
    const first = interpret(iris, out);
    expect(first.kind).toBe('classification');
    if (first.kind !== 'classification') return;
    expect(first.label).toBe('virginica');
    expect(Object.keys(first.probabilities)).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(first.probabilities.virginica).toBeCloseTo(0.7, 6);
    const second = interpret(iris, out, 1);
    expect(second).toMatchObject({ kind: 'classification', label: 'setosa' });
  });

  it('keeps string labels, and takes the most probable class when there is no label output', () => {
    const strings = card({ task: 'binary-classification', outputs: { label: 'label', labels: ['no', 'yes'] } });
    expect(interpret(strings, { label: { data: ['yes'], dims: [1], type: 'string' } })).toEqual({ kind: 'classification', label: 'yes', probabilities: {} });
    const probsOnly = card({ outputs: { probabilities: 'p' } });
    expect(interpret(probsOnly, { p: f32([0.2, 0.5, 0.3], [1, 3]) })).toMatchObject({ label: '1' });
  });

  it('reads one probability column of a binary classifier as P(second label)', () => {
    const binary = card({ task: 'binary-classification', outputs: { probabilities: 'p', labels: ['benign', 'malignant'] } });
    const r = interpret(binary, { p: f32([0.25], [1, 1]) });
    expect(r).toMatchObject({ kind: 'classification', label: 'benign' });
    if (r.kind === 'classification') expect(r.probabilities).toEqual({ benign: 0.75, malignant: 0.25 });
  });

  it('reads a rank-1 [N] probabilities output as one probability per row (a binary classifier\'s second label)', () => {
    const binary = card({ task: 'binary-classification', outputs: { probabilities: 'p', labels: ['benign', 'malignant'] } });
    // Two rows: 0.2 is row 0's P(malignant), 0.9 row 1's; neither is a class of the other row.
    const out: Outputs = { p: f32([0.2, 0.9], [2]) };
    const first = interpret(binary, out, 0);
    expect(first).toMatchObject({ kind: 'classification', label: 'benign' });
    if (first.kind === 'classification') {
      expect(first.probabilities.benign).toBeCloseTo(0.8, 6);
      expect(first.probabilities.malignant).toBeCloseTo(0.2, 6);
    }
    const second = interpret(binary, out, 1);
    expect(second).toMatchObject({ kind: 'classification', label: 'malignant' });
    if (second.kind === 'classification') expect(second.probabilities.malignant).toBeCloseTo(0.9, 6);
    expect(interpretRows(binary, out).map((r) => (r.kind === 'classification' ? r.label : r.kind))).toEqual(['benign', 'malignant']);
    expect(thrown(() => interpret(binary, out, 2)).message).toBe('Row 2 is out of range for model "test-model": its outputs have 2 row(s).');
    // A scalar is the one row's value.
    expect(interpret(binary, { p: f32([0.7], []) })).toMatchObject({ label: 'malignant' });
  });

  it('refuses a rank-1 probabilities output for a card that is not a two-label classifier', () => {
    const three = card({ outputs: { probabilities: 'p', labels: ['a', 'b', 'c'] } });
    const e = thrown(() => interpret(three, { p: f32([0.2, 0.5, 0.3], [3]) }));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toBe(
      'Model card "test-model": its probabilities output "p" has dims [3], one probability per row: that is the probability of the second label of a binary classifier, but the card lists 3 labels "a", "b", "c". Expected dims [N, 3].',
    );
    const unlabelled = thrown(() => interpret(card({ outputs: { probabilities: 'p' } }), { p: f32([0.2, 0.8], [2]) }));
    expect(unlabelled.message).toBe(
      'Model card "test-model": its probabilities output "p" has dims [2], one probability per row: that is the probability of the second label of a binary classifier, but the card lists no labels. Expected dims [N, k] with k the number of labels, or 2 labels in the card.',
    );
  });

  it('gives a regression value with its unit, for [N] and [N, 1] outputs', () => {
    expect(interpret(house, { price: f32([312.5, 99], [2, 1]) }, 1)).toEqual({ kind: 'regression', value: 99, unit: 'k€' });
    expect(interpret(house, { price: f32([312.5], [1]) })).toEqual({ kind: 'regression', value: 312.5, unit: 'k€' });
    const single = card({ task: 'regression', outputs: {} });
    expect(interpret(single, { y: f32([4], [1, 1]) })).toEqual({ kind: 'regression', value: 4, unit: undefined });
  });

  it('says which output a card names that the model lacks, and which rows exist', () => {
    const e = thrown(() => interpret(iris, { labels: i64([0], [1]) }));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toBe('Model card "iris": its label output "label" is not among the model\'s outputs "labels".');
    const mismatch = thrown(() => interpret(iris, { label: i64([0], [1]), probabilities: f32([0.5, 0.5], [1, 2]) }));
    expect(mismatch.message).toContain('lists 3 labels');
    const row = thrown(() => interpret(iris, { label: i64([0], [1]), probabilities: f32([0.5, 0.2, 0.3], [1, 3]) }, 1));
    expect(row.message).toBe('Row 1 is out of range for model "iris": its outputs have 1 row(s).');
    expect(thrown(() => interpret(card({ task: 'other' }), {})).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => interpret(card({ outputs: {} }), {})).code).toBe('CARD_INVALID');
  });
});
