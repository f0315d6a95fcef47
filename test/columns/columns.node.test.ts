/**
 * "columns" cards (one [N, 1] input per feature, as skl2onnx exports pipelines) in pure logic:
 * card validation and the check against a model's inputs, values → inputs with missing values,
 * CSV columns → one tensor each, and categorical drift with missing values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCardInputs, validateCard, type ModelCard } from '../../lib/model/card.js';
import { cardRow, cardToInputs, defaultValues } from '../../lib/model/card-inputs.js';
import { ChunkBuilder, inputSpec, matchColumns } from '../../lib/batch/csv.js';
import { driftReport } from '../../lib/evaluate/drift.js';
import { DriftAccumulator } from '../../lib/evaluate/drift-accumulator.js';
import { monitorCategories, monitorRows } from '../../lib/evaluate/monitor-rows.js';
import type { TensorInfo } from '../../lib/types.js';
import { thrown } from '../helpers.js';

const dir = join(import.meta.dirname, '..', '..', 'public', 'models');
const titanic = JSON.parse(readFileSync(join(dir, 'titanic-1.0.0.card.json'), 'utf8')) as ModelCard;

/** The titanic model's inputs, as onnxruntime reports them. */
const INPUTS: TensorInfo[] = [
  ...['pclass', 'sex', 'embarked'].map((name): TensorInfo => ({ name, type: 'string', dims: ['N', 1] })),
  ...['age', 'fare', 'sibsp'].map((name): TensorInfo => ({ name, type: 'float32', dims: ['N', 1] })),
];
const TYPES = Object.fromEntries(INPUTS.map((i) => [i.name, i.type]));
const FARE_DEFAULT = ((titanic.input as { features: { name: string; default?: number }[] }).features.find((f) => f.name === 'fare')!).default!;

/** A copy of the titanic card with its input replaced. */
function withInput(input: unknown): unknown {
  return { ...structuredClone(titanic), input };
}

function feature(name: string): Record<string, unknown> {
  const input = titanic.input as unknown as { features: Record<string, unknown>[] };
  return structuredClone(input.features.find((f) => f.name === name)!);
}

describe('validateCard: columns input, missing values, category counts', () => {
  it('accepts the published titanic card', () => {
    expect(validateCard(structuredClone(titanic), 'titanic').input.kind).toBe('columns');
  });

  it.each([
    ['a tensor for the whole input', { kind: 'columns', tensor: 'x', features: [feature('age')] }, '"input.tensor" must be absent for input kind "columns"'],
    ['an empty tensor name', { kind: 'columns', features: [{ ...feature('age'), tensor: '' }] }, '"input.features[0].tensor" must be a non-empty string'],
    ['two features on one tensor', { kind: 'columns', features: [feature('age'), { ...feature('fare'), tensor: 'age' }] }, '"input.features[1].tensor" must be a tensor no other feature goes to (feature "age" goes to it too'],
    ['two features of one name', { kind: 'columns', features: [feature('age'), feature('age')] }, '"input.features[1].name" must be a name no other feature has'],
    ['missing that is not a boolean', { kind: 'columns', features: [{ ...feature('age'), missing: 'yes' }] }, '"input.features[0].missing" must be true or false; found "yes"'],
    ['missing on a category', { kind: 'columns', features: [{ ...feature('sex'), missing: true }] }, '"input.features[0].missing" must be absent (only numeric features allow missing values)'],
    ['a default outside the categories', { kind: 'columns', features: [{ ...feature('sex'), default: 'other' }] }, '"input.features[0].default" must be one of the categories "female", "male"; found "other"'],
    ['a feature tensor on a "features" card', { kind: 'features', tensor: 'x', features: [{ ...feature('age'), tensor: 'age' }] }, '"input.features[0].tensor" must be absent'],
  ])('refuses %s', (_, input, message) => {
    const e = thrown(() => validateCard(withInput(input), 'titanic'));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toContain(message);
  });

  it('checks reference.categories and missing counts', () => {
    const card = structuredClone(titanic) as unknown as { reference: { categories: Record<string, unknown>; features: Record<string, Record<string, unknown>> } };
    card.reference.categories.sex = { counts: { female: 1.5 } };
    expect(thrown(() => validateCard(card)).message).toContain('"reference.categories["sex"].counts["female"]" must be an integer ≥ 0; found 1.5');
    card.reference.categories.sex = { counts: {} };
    expect(thrown(() => validateCard(card)).message).toContain('"reference.categories["sex"].counts" must be the count of training rows per category');
    card.reference.categories.age = { counts: { a: 1 } };
    delete card.reference.categories.sex;
    expect(thrown(() => validateCard(card)).message).toContain('"reference.categories["age"]" must be absent: "age" is described in reference.features already');
    delete card.reference.categories.age;
    card.reference.features.age!.missing = -1;
    expect(thrown(() => validateCard(card)).message).toContain('"reference.features["age"].missing" must be an integer ≥ 0; found -1');
  });

  it('checkCardInputs: each feature to a fitting model input, each input fed', () => {
    expect(() => checkCardInputs(titanic, INPUTS)).not.toThrow();
    const renamed = INPUTS.map((i) => (i.name === 'sex' ? { ...i, name: 'gender' } : i));
    const e = thrown(() => checkCardInputs(titanic, renamed));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toBe(
      'Model card "titanic": feature "sex" goes to tensor "sex", which is not among the model\'s inputs "pclass", "gender", "embarked", "age", "fare", "sibsp". Set the feature\'s "tensor" to one of them.',
    );
    expect(thrown(() => checkCardInputs(titanic, [...INPUTS, { name: 'parch', type: 'float32', dims: ['N', 1] }])).message).toContain('no feature goes to the model\'s input "parch"');
    const stringAge = INPUTS.map((i) => (i.name === 'age' ? { ...i, type: 'string' as const } : i));
    expect(thrown(() => checkCardInputs(titanic, stringAge)).message).toContain('numeric feature "age" goes to input "age" of type string; expected a numeric type');
    const wide = INPUTS.map((i) => (i.name === 'fare' ? { ...i, dims: ['N', 3] } : i));
    expect(thrown(() => checkCardInputs(titanic, wide)).message).toContain('feature "fare" goes to input "fare" of dims [N, 3]; a column is [N] or [N, 1]');
  });
});

describe('cardToInputs: a columns card', () => {
  const passenger = { pclass: '1', sex: 'female', embarked: 'C', age: 29, fare: '80.5', sibsp: 1 };

  it('gives one [N, 1] input per feature: strings for categories, numbers for the rest', () => {
    expect(cardToInputs(titanic, [passenger, { ...passenger, sex: 'male', age: 40 }], INPUTS)).toEqual({
      pclass: { data: ['1', '1'], dims: [2, 1] },
      sex: { data: ['female', 'male'], dims: [2, 1] },
      embarked: { data: ['C', 'C'], dims: [2, 1] },
      age: [[29], [40]],
      fare: [[80.5], [80.5]],
      sibsp: [[1], [1]],
    });
  });

  it('an empty, absent or null age is NaN (missing allowed); an empty fare takes its default; an empty category without default is refused', () => {
    for (const age of ['', '  ', undefined, null]) {
      const inputs = cardToInputs(titanic, { ...passenger, age: age as string | undefined, fare: '' }, INPUTS);
      expect(inputs.age).toEqual([[Number.NaN]]);
      expect(inputs.fare).toEqual([[FARE_DEFAULT]]);
    }
    const e = thrown(() => cardToInputs(titanic, { ...passenger, sex: '' }, INPUTS));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toBe('Missing value for "sex" of model "titanic" (no default in its card).');
    expect(thrown(() => cardToInputs(titanic, { ...passenger, fare: 'cheap' })).message).toBe('Feature "fare" of model "titanic" is "cheap". Expected a finite number.');
    expect(thrown(() => cardToInputs(titanic, { ...passenger, age: 'old' })).message).toBe(
      'Feature "age" of model "titanic" is "old". Expected a finite number (or an empty value, for a missing one).',
    );
    expect(thrown(() => cardToInputs(titanic, { ...passenger, embarked: 'X' })).message).toBe('Feature "embarked" of model "titanic" is "X". Expected one of: "C", "Q", "S".');
  });

  it('fits each value to its model input: rank 1, a numeric input for a category (its index)', () => {
    const inputs = INPUTS.map((i) => (i.name === 'pclass' ? { ...i, type: 'int64' as const } : i.name === 'fare' ? { ...i, dims: ['N'] } : i));
    const out = cardToInputs(titanic, passenger, inputs);
    expect(out.pclass).toEqual([[0]]);
    expect(out.fare).toEqual([80.5]);
    expect(thrown(() => cardToInputs(titanic, passenger, INPUTS.slice(1))).code).toBe('CARD_INVALID');
  });

  it('defaultValues covers a columns card; cardRow is for "features" cards', () => {
    expect(defaultValues(titanic)).toMatchObject({ pclass: '1', sex: 'female', embarked: 'C', fare: FARE_DEFAULT, sibsp: 0 });
    expect(defaultValues(titanic).age).toBeCloseTo(titanic.reference!.features.age!.mean, 1);
    expect(thrown(() => cardRow(titanic, passenger)).message).toContain('takes columns input, not one row of feature values: use cardToInputs()');
  });

  it('a "features" card with a missing feature puts NaN in its row', () => {
    const card = { ...structuredClone(titanic), input: { kind: 'features', tensor: 'x', features: [feature('age'), feature('sex')] } } as unknown as ModelCard;
    expect(cardToInputs(card, { age: '', sex: 'male' })).toEqual({ x: [[Number.NaN, 1]] });
  });
});

describe('CSV batch jobs: a columns card', () => {
  const header = ['name', 'Sex', 'age', 'pclass', 'embarked', 'fare', 'sibsp'];

  it('maps each CSV column to its own tensor, strings and numbers, an empty age as NaN', () => {
    const spec = inputSpec(titanic, TYPES, false, Object.fromEntries(INPUTS.map((i) => [i.name, i.dims.length])));
    expect(spec.kind).toBe('columns');
    const columns = matchColumns(spec, header);
    expect(columns).toEqual([3, 1, 4, 2, 5, 6]); // card order: pclass, sex, embarked, age, fare, sibsp
    const built = new ChunkBuilder(spec, header, columns).build(
      [
        ['Ann', 'female', '29', '1', 'C', '80.5', '1'],
        ['Bob', 'male', '', '3', 'S', '7.25', '0'],
        ['Cid', 'man', '30', '3', 'S', '', '0'],
        ['Dan', 'male', 'x', '2'],
      ],
      1,
    );
    expect(built.valid).toBe(2);
    expect(built.feeds!.sex).toEqual({ data: ['female', 'male'], dims: [2, 1] });
    expect(built.feeds!.pclass).toEqual({ data: ['1', '3'], dims: [2, 1] });
    expect(Array.from(built.feeds!.age!.data as Float32Array)).toEqual([29, Number.NaN]);
    expect(built.feeds!.age!.dims).toEqual([2, 1]);
    expect(built.feeds!.fare!.data).toBeInstanceOf(Float32Array);
    expect(built.errors).toEqual([
      { row: 3, kind: 'category', reason: 'column "Sex" is "man", expected one of: "female", "male"; column "fare" is empty' },
      { row: 4, kind: 'columns', reason: 'has 4 fields, expected 7 (one per header column)' },
    ]);
  });

  it('converts by each input\'s type; a missing column is CSV_INVALID naming it; an input a CSV cannot fill is refused', () => {
    const types = { ...TYPES, sibsp: 'int64' as const, fare: 'float64' as const };
    const spec = inputSpec(titanic, types, true, { age: 1 });
    const built = new ChunkBuilder(spec, header, matchColumns(spec, header)).build([['Ann', 'female', '', '1', 'C', '', '2']], 1);
    expect(built.feeds!.sibsp).toEqual({ data: BigInt64Array.of(2n), dims: [1, 1] });
    expect(built.feeds!.fare).toEqual({ data: Float64Array.of(FARE_DEFAULT), dims: [1, 1] }); // useDefaults
    expect(built.feeds!.age!.dims).toEqual([1]);
    const noAge = header.filter((h) => h !== 'age');
    const e = thrown(() => matchColumns(spec, noAge, 'CSV file p.csv'));
    expect(e.code).toBe('CSV_INVALID');
    expect(e.message).toBe('CSV file p.csv has no column "age". Expected columns: "pclass", "sex", "embarked", "age", "fare", "sibsp". Found: "name", "Sex", "pclass", "embarked", "fare", "sibsp".');
    expect(thrown(() => inputSpec(titanic, { ...TYPES, age: 'string' }, false)).code).toBe('UNSUPPORTED_MODEL');
    expect(thrown(() => inputSpec(titanic, { ...TYPES, parch: 'float32' }, false)).message).toContain('no feature goes to the model\'s input "parch"');
    const intAge = inputSpec(titanic, { ...TYPES, age: 'int32' }, false);
    expect(new ChunkBuilder(intAge, header, matchColumns(intAge, header)).build([['Ann', 'female', '', '1', 'C', '3', '0']], 1).errors[0]).toEqual({
      row: 1,
      kind: 'empty',
      reason: 'column "age" is empty, and input "age" (int32) cannot hold a missing value',
    });
  });
});

describe('CSV batch jobs: a "features" card with a missing feature', () => {
  it('reads an empty cell of that feature as NaN in its row; other empty cells stay row errors', () => {
    const card = { ...structuredClone(titanic), input: { kind: 'features', tensor: 'x', features: [feature('age'), feature('fare')] } } as unknown as ModelCard;
    const spec = inputSpec(card, { x: 'float32' }, false);
    const header = ['age', 'fare'];
    const built = new ChunkBuilder(spec, header, matchColumns(spec, header)).build([['', '7.5'], ['30', '']], 1);
    expect(built.valid).toBe(1);
    expect(Array.from(built.feeds!.x!.data as Float32Array)).toEqual([Number.NaN, 7.5]);
    expect(built.errors).toEqual([{ row: 2, kind: 'empty', reason: 'column "fare" is empty' }]);
  });
});

describe('drift: categorical features and missing values', () => {
  const reference = titanic.reference!;

  it('counts categories against the card (z-test for two, chi-squared for three), leaves missing values out of the tests and counts them', () => {
    const live = { sex: ['male', 'female', null, 'male'], pclass: ['3', '1', '2', '3'], embarked: ['S', 'S', 'C', 'Q'] };
    const report = driftReport(reference, { features: { age: [22, Number.NaN, 40, 31], fare: [7, 70, 13, 9] }, categories: live });
    const by = Object.fromEntries(report.features.map((f) => [f.name, f]));
    expect(by.age).toMatchObject({ test: 'ks', currentSize: 3, missing: 1 });
    expect(by.fare!.missing).toBeUndefined();
    expect(by.sex).toMatchObject({ test: 'z', currentSize: 3, missing: 1, referenceSize: reference.rows });
    expect(by.pclass).toMatchObject({ test: 'chi2', currentSize: 4 });
    expect(report.skipped).toEqual([{ name: 'sibsp', reason: 'no live values' }]);
    // Only men in third class: both drift.
    const shifted = driftReport(reference, { features: {}, categories: { sex: Array(200).fill('male'), pclass: Array(200).fill('3') } });
    expect(shifted.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['pclass', 'sex']);
    const allMissing = driftReport(reference, { features: { age: [Number.NaN, Number.NaN] }, categories: { sex: [null] } });
    expect(allMissing.skipped).toContainEqual({ name: 'age', reason: 'all 2 live values are missing' });
    expect(allMissing.skipped).toContainEqual({ name: 'sex', reason: 'all 1 live values are missing' });
    expect(thrown(() => driftReport(reference, { features: {}, categories: { sex: [1] as never } })).message).toBe(
      'Live values of categorical feature "sex" have 1 at index 0; expected category names (or null for a missing value).',
    );
  });

  it('the monitor reads a columns card\'s tensors into rows, and the accumulator keeps names and NaN', () => {
    const layout = { columns: [{ tensor: 'sex', categories: ['female', 'male'] }, { tensor: 'age' }, { tensor: 'pclass', categories: ['1', '2', '3'] }] };
    const rows = monitorRows(layout, {
      sex: { data: ['male', ''], dims: [2, 1] },
      age: { data: Float32Array.of(22, Number.NaN), dims: [2, 1] },
      pclass: { data: BigInt64Array.of(2n, 7n), dims: [2] },
    });
    expect(rows).toEqual([
      ['male', 22, '3'],
      [null, Number.NaN, null],
    ]);
    expect(monitorRows(layout, { sex: { data: ['male'], dims: [1, 1] } })).toBeUndefined();
    const features = ['sex', 'age', 'pclass'];
    const acc = new DriftAccumulator(features, { seed: 1, categories: monitorCategories(features, layout) });
    acc.observe(rows as never, ['died', 'survived']);
    expect(acc.snapshot()).toEqual({ rows: 2, features: { age: [22, Number.NaN] }, categories: { sex: ['male', null], pclass: ['3', null] }, labels: { died: 1, survived: 1 } });
    expect(thrown(() => acc.observe([[1, 2, '3']])).message).toBe('Row 0 has 1 for categorical feature "sex"; expected a category name (or null when missing).');
    expect(thrown(() => new DriftAccumulator(['a'], { categories: ['b'] })).message).toContain('categorical feature "b" is not a feature');
  });
});
