/**
 * Every trained model of the registry loads through the runtime worker in Chromium (string
 * tensors, TfIdfVectorizer, tree ensembles, Imputer, Scaler, OneHotEncoder, LinearClassifier,
 * MLP; one input or one per column) and gives on its card's
 * examples exactly what onnxruntime-web gives on the main thread; labels agree with probabilities.
 */
import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import type { Inputs } from '../../lib/index.js';
import { cardToInputs, interpretRows, openRegistry, type ClassificationResult, type ModelCard } from '../../lib/registry.js';
import { textToTensor } from '../../lib/tasks/text.js';

const TRAINED = ['sentiment-logreg', 'sentiment-svm', 'sentiment-tree', 'breast-cancer', 'house-price', 'iris', 'digits', 'titanic'];

function inputsOf(card: ModelCard): { inputs: Inputs; feeds: Record<string, ort.Tensor> } {
  const examples = card.examples as Record<string, unknown>[];
  if (card.input.kind === 'columns') {
    // One [N, 1] tensor per feature: strings for categories, float32 for numbers (null: an unknown value, NaN).
    const inputs = cardToInputs(card, examples.map(({ label: _label, ...values }) => values as Record<string, string | number>));
    const n = examples.length;
    const feeds = Object.fromEntries(
      card.input.features.map((f) => {
        const values = examples.map((e) => e[f.name]);
        const t = f.type === 'category' ? new ort.Tensor('string', values as string[], [n, 1]) : new ort.Tensor('float32', Float32Array.from(values, (v) => (v === null ? Number.NaN : Number(v))), [n, 1]);
        return [f.name, t];
      }),
    );
    return { inputs, feeds };
  }
  const name = card.input.tensor!;
  if (card.input.kind === 'text') {
    const t = textToTensor(
      examples.map((e) => e.text as string),
      card.input.preprocessing,
    );
    return { inputs: { [name]: t }, feeds: { [name]: new ort.Tensor('string', t.data as string[], t.dims) } };
  }
  const rows = examples.map((e) => (e.features ?? e.pixels) as number[]);
  return { inputs: { [name]: rows }, feeds: { [name]: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) } };
}

describe('trained models in the browser', () => {
  it.each(TRAINED)('%s: worker = main-thread onnxruntime-web on the card examples', async (name) => {
    const registry = await openRegistry('/models/registry.json');
    const model = await registry.load(name, { backend: 'wasm', cache: 'none' });
    const card = model.info.card!;
    const { inputs, feeds } = inputsOf(card);
    const out = await model.predict(inputs);
    const bytes = new Uint8Array(await (await fetch(registry.resolve(name).url)).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const direct = await session.run(feeds);
    await session.release();
    await model.dispose();
    for (const key of Object.keys(direct)) {
      expect(out[key]!.dims, `${name} ${key}`).toEqual(direct[key]!.dims);
      expect(Array.from(out[key]!.data as ArrayLike<number | bigint>), `${name} ${key}`).toEqual(Array.from(direct[key]!.data as ArrayLike<number | bigint>));
    }
    const friendly = interpretRows(card, out);
    expect(friendly).toHaveLength((card.examples as unknown[]).length);
    if (card.outputs.labels) {
      for (const row of friendly as ClassificationResult[]) {
        const best = Object.entries(row.probabilities).sort((a, b) => b[1] - a[1])[0]![0];
        expect(row.label).toBe(best);
        expect(Object.values(row.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
  });

  it('the sentiment models tell a clearly positive from a clearly negative sentence', async () => {
    const registry = await openRegistry('/models/registry.json');
    for (const name of ['sentiment-logreg', 'sentiment-svm']) {
      const model = await registry.load(name, { backend: 'wasm', cache: 'none' });
      const out = await model.predict({ tokens: textToTensor(['A wonderful film, beautifully acted and very moving.', 'The plot was boring and the acting was awful.']) });
      expect((interpretRows(model.info.card!, out) as ClassificationResult[]).map((r) => r.label), name).toEqual(['positive', 'negative']);
      await model.dispose();
    }
  });
});
