import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type Model, type ModelCard } from '../../lib/index.js';
import { interpret, interpretRows } from '../../lib/model/interpret.js';
import { cardFor } from '../element/fixtures.js';
import { inputRows } from '../fixtures/models.js';
import { decisionTree, IMPUTED, imputerPipeline, logisticRegression, twoColumns } from '../fixtures/skl2onnx.js';
import { rejection } from '../helpers.js';

const models: Model[] = [];
async function load(bytes: Uint8Array, name: string, card?: ModelCard): Promise<Model> {
  const m = await loadModel(bytes, { backend: 'wasm', name, cache: 'none', ...(card && { card }) });
  models.push(m);
  return m;
}

afterAll(async () => {
  await Promise.all(models.splice(0).map((m) => m.dispose()));
});

describe('a classifier exported with ZipMap (skl2onnx defaults)', () => {
  it('loads, predicts what its twin without ZipMap predicts, and names its string labels in info', async () => {
    const [zip, twin] = await Promise.all([load(logisticRegression(), 'lr-zipmap'), load(logisticRegression(false), 'lr-tensor')]);
    expect(zip.info.classes).toEqual({ labels: ['setosa', 'versicolor', 'virginica'], probabilities: 'output_probability', label: 'output_label' });
    expect(twin.info.classes).toBeUndefined();
    expect(zip.info.outputs).toEqual(twin.info.outputs);
    expect(zip.info.outputs.find((o) => o.name === 'output_probability')).toMatchObject({ type: 'float32', dims: [null, 3] });
    const rows = { float_input: inputRows(6, 4, 5) };
    const [a, b] = await Promise.all([zip.predict(rows), twin.predict(rows)]);
    expect(a.output_probability!.dims).toEqual([6, 3]);
    expect([...(a.output_probability!.data as Float32Array)]).toEqual([...(b.output_probability!.data as Float32Array)]);
    expect(a.output_label!.data).toEqual(b.output_label!.data);
    // Read without a card: the graph's labels.
    const results = interpretRows(undefined, a, zip.info.classes);
    expect(results.map((r) => r.kind === 'classification' && r.label)).toEqual(a.output_label!.data);
    expect((a.output_label!.data as string[]).every((l) => IRIS_LABELS.includes(l))).toBe(true);
  });

  it('with integer classes 1, 2, 3: the same probabilities, each label its class, not its index', async () => {
    const [zip, twin] = await Promise.all([load(decisionTree(), 'tree-zipmap'), load(decisionTree(false), 'tree-tensor')]);
    expect(zip.info.classes).toEqual({ labels: ['1', '2', '3'], probabilities: 'output_probability', label: 'output_label' });
    // One row per leaf: x0 ≤ 0.1 and x1 ≤ -0.3, x0 ≤ 0.1 and x1 > -0.3, x0 > 0.1.
    const rows = { float_input: [[0, -1], [0, 1], [1, 0]] };
    const [a, b] = await Promise.all([zip.predict(rows), twin.predict(rows)]);
    expect([...(a.output_probability!.data as Float32Array)]).toEqual([...(b.output_probability!.data as Float32Array)]);
    expect([...(a.output_label!.data as BigInt64Array)]).toEqual([1n, 2n, 3n]);
    expect(interpretRows(undefined, a, zip.info.classes).map((r) => r.kind === 'classification' && r.label)).toEqual(['1', '2', '3']);
    expect(interpret(undefined, a, 0, zip.info.classes)).toEqual({
      kind: 'classification',
      label: '1',
      probabilities: { '1': expect.closeTo(0.8, 6), '2': expect.closeTo(0.15, 6), '3': expect.closeTo(0.05, 6) },
    });
  });
});

const IRIS_LABELS = ['setosa', 'versicolor', 'virginica'];

describe('missing values (NaN)', () => {
  it('pass to an input the graph imputes: a NaN predicts what the imputed value predicts', async () => {
    const model = await load(imputerPipeline(), 'imputer');
    expect(model.info.inputs).toEqual([{ name: 'float_input', type: 'float32', dims: [null, 3], missing: true }]);
    const withNaN = [[NaN, 0.3, 1], [2, NaN, NaN], [NaN, NaN, NaN], [1, 2, 3]];
    const filled = withNaN.map((row) => row.map((v, i) => (Number.isNaN(v) ? IMPUTED[i]! : v)));
    const [a, b, typed] = await Promise.all([
      model.predict({ float_input: withNaN }),
      model.predict({ float_input: filled }),
      model.predict({ float_input: { data: Float32Array.from(withNaN.flat()), dims: [4, 3] } }),
    ]);
    expect([...(a.output_probability!.data as Float32Array)]).toEqual([...(b.output_probability!.data as Float32Array)]);
    expect([...(typed.output_probability!.data as Float32Array)]).toEqual([...(b.output_probability!.data as Float32Array)]);
    expect(a.output_label!.data).toEqual(b.output_label!.data);
    // A NaN that was not imputed would make every probability NaN.
    expect((a.output_probability!.data as Float32Array).every((p) => Number.isFinite(p))).toBe(true);
    const inf = await rejection(model.predict({ float_input: [[Infinity, 0, 0]] }));
    expect(inf.code).toBe('INPUT_MISMATCH');
  });

  it('are refused by a model without an imputer, unless its card marks the feature as allowing them', async () => {
    const bytes = logisticRegression(false);
    const plain = await load(bytes, 'no-imputer');
    expect(plain.info.inputs[0]!.missing).toBeUndefined();
    const err = await rejection(plain.predict({ float_input: [[1, NaN, 3, 4]] }));
    expect(err.code).toBe('INPUT_MISMATCH');
    expect(err.message).toBe('Input "float_input" of model "no-imputer" has NaN at row 0, column 1. Values must be finite numbers.');
    const card = await cardFor(
      {
        name: 'iris-missing',
        version: '1.0.0',
        task: 'multiclass-classification',
        description: 'iris, petal width may be missing',
        input: {
          kind: 'features',
          tensor: 'float_input',
          features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({ name, type: 'number' as const, ...(name === 'petal_width' && { missing: true }) })),
        },
        outputs: { label: 'output_label', probabilities: 'output_probability', labels: IRIS_LABELS },
        model: { file: '', sha256: '', bytes: 0 },
        license: 'MIT',
      },
      bytes,
      'iris-missing.onnx',
    );
    const carded = await load(bytes, 'carded', card);
    expect(carded.info.inputs[0]!.missing).toBe(true);
    // The card's word is taken: NaN reaches the model (which gives NaN probabilities for it).
    const out = await carded.predict({ float_input: [[1, 2, 3, NaN]] });
    expect(out.output_probability!.dims).toEqual([1, 3]);
  });

  it('a "columns" card allows them in the tensor of each feature it marks, and nowhere else', async () => {
    const bytes = twoColumns();
    const card = await cardFor(
      {
        name: 'passengers',
        version: '1.0.0',
        task: 'binary-classification',
        description: 'survival from age (may be missing) and fare',
        input: { kind: 'columns', features: [{ name: 'age', type: 'number', missing: true }, { name: 'fare', type: 'number' }] },
        outputs: { label: 'output_label', probabilities: 'output_probability', labels: ['died', 'survived'] },
        model: { file: '', sha256: '', bytes: 0 },
        license: 'MIT',
      },
      bytes,
      'passengers.onnx',
    );
    const model = await load(bytes, 'passengers', card);
    expect(model.info.inputs.map((i) => [i.name, i.missing])).toEqual([['age', true], ['fare', undefined]]);
    const out = await model.predict({ age: [[NaN]], fare: [[7.25]] });
    expect(out.output_probability!.dims).toEqual([1, 2]);
    const err = await rejection(model.predict({ age: [[22]], fare: [[NaN]] }));
    expect(err.message).toBe('Input "fare" of model "passengers" has NaN at row 0, column 0. Values must be finite numbers.');
  });
});
