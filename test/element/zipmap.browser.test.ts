import { afterEach, describe, expect, it } from 'vitest';
import '../../lib/element/define.js';
import type { MlPredict } from '../../lib/element/ml-predict.js';
import type { ModelCard } from '../../lib/model/card.js';
import { decisionTree, logisticRegression } from '../fixtures/skl2onnx.js';
import { loaded, next, part, serveModel } from './fixtures.js';

const elements: MlPredict[] = [];

function create(src: string): MlPredict {
  const el = document.createElement('ml-predict');
  el.setAttribute('src', src);
  el.setAttribute('backend', 'wasm');
  elements.push(el);
  document.body.append(el);
  return el;
}

afterEach(() => {
  for (const el of elements.splice(0)) el.remove();
});

/** The class names and the headline label the result shows. */
function shown(el: MlPredict): { label: string; names: string[] } {
  const result = part(el, 'result')!;
  return {
    label: result.querySelector('.headline strong')!.textContent!,
    names: [...result.querySelectorAll('.probabilities .name')].map((n) => n.textContent!),
  };
}

describe('<ml-predict> with a ZipMap classifier', () => {
  it('shows the label names the graph gives, without a card', async () => {
    const { url } = await serveModel(logisticRegression(), undefined);
    const el = create(url);
    await loaded(el);
    const predicted = next(el, 'prediction');
    el.input = { float_input: [[0.5, -0.25, 1, 0.75]] };
    const { detail } = await predicted;
    if (detail.kind !== 'classification') throw new Error(`expected a classification, got ${detail.kind}`);
    expect(Object.keys(detail.probabilities)).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(detail.label).toBe((detail.outputs.output_label!.data as string[])[0]);
    await el.updateComplete;
    expect(shown(el)).toEqual({ label: detail.label, names: ['setosa', 'versicolor', 'virginica'] });
  });

  it('integer classes show as their values; a card’s own labels win', async () => {
    const card: ModelCard = {
      name: 'wine-tree',
      version: '1.0.0',
      task: 'multiclass-classification',
      description: 'Which cultivar, from two measurements.',
      input: { kind: 'features', tensor: 'float_input', features: [{ name: 'alcohol', type: 'number', default: 1 }, { name: 'hue', type: 'number', default: 0 }] },
      outputs: { label: 'output_label', probabilities: 'output_probability', labels: ['barolo', 'grignolino', 'barbera'] },
      model: { file: '', sha256: '', bytes: 0 },
      license: 'MIT',
    };
    const bare = create((await serveModel(decisionTree(), undefined)).url);
    const carded = create((await serveModel(decisionTree(), card)).url);
    await Promise.all([loaded(bare), loaded(carded)]);
    const [a, b] = [next(bare, 'prediction'), next(carded, 'prediction')];
    // x0 > 0.1: the third leaf, class 3 (barbera).
    bare.input = { float_input: [[1, 0]] };
    carded.input = { alcohol: 1, hue: 0 };
    await Promise.all([a, b]);
    await Promise.all([bare.updateComplete, carded.updateComplete]);
    expect(shown(bare)).toEqual({ label: '3', names: ['1', '2', '3'] });
    expect(shown(carded)).toEqual({ label: 'barbera', names: ['barolo', 'grignolino', 'barbera'] });
  });
});
