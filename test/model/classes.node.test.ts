import { describe, expect, it } from 'vitest';
import { interpret, interpretRows } from '../../lib/model/interpret.js';
import type { ModelCard } from '../../lib/model/card.js';
import type { GraphClasses, Outputs } from '../../lib/types.js';
import { thrown } from '../helpers.js';

/** Outputs of a ZipMap model read as tensors: output_label [N] and output_probability [N, 3]. */
function outputs(labels: BigInt64Array | string[], probabilities: number[]): Outputs {
  const rows = labels.length;
  return {
    output_label: { data: labels, dims: [rows], type: Array.isArray(labels) ? 'string' : 'int64' },
    output_probability: { data: Float32Array.from(probabilities), dims: [rows, probabilities.length / rows], type: 'float32' },
  };
}

const wine: GraphClasses = { labels: ['1', '2', '3'], probabilities: 'output_probability', label: 'output_label' };
const iris: GraphClasses = { labels: ['setosa', 'versicolor', 'virginica'], probabilities: 'output_probability', label: 'output_label' };

function card(outputs: ModelCard['outputs']): ModelCard {
  return {
    name: 'wine',
    version: '1.0.0',
    task: 'multiclass-classification',
    description: 'a card',
    input: { kind: 'features', tensor: 'float_input', features: [] },
    outputs,
    model: { file: 'wine.onnx', sha256: '', bytes: 0 },
    license: 'MIT',
  };
}

describe('the class labels a graph names (model.info.classes)', () => {
  it('read a classifier without a card: string labels, and integer labels as the values themselves, not indices', () => {
    const p = [0.25, 0.5, 0.25, 0.75, 0.125, 0.125];
    expect(interpret(undefined, outputs(['versicolor', 'setosa'], p), 1, iris)).toEqual({
      kind: 'classification',
      label: 'setosa',
      probabilities: { setosa: 0.75, versicolor: 0.125, virginica: 0.125 },
    });
    // Label 2 is the second class ('2'), not labels[2] ('3').
    expect(interpretRows(undefined, outputs(BigInt64Array.from([2n, 1n]), p), wine)).toEqual([
      { kind: 'classification', label: '2', probabilities: { '1': 0.25, '2': 0.5, '3': 0.25 } },
      { kind: 'classification', label: '1', probabilities: { '1': 0.75, '2': 0.125, '3': 0.125 } },
    ]);
    // Without a label output: the most probable class.
    expect(interpret(undefined, outputs(['x', 'y'], p), 0, { labels: iris.labels, probabilities: 'output_probability' })).toEqual({
      kind: 'classification',
      label: 'versicolor',
      probabilities: { setosa: 0.25, versicolor: 0.5, virginica: 0.25 },
    });
  });

  it('name the labels of a card that lists none; a card’s own labels win, each class keeping its place', () => {
    const p = [0.125, 0.125, 0.75];
    const own = card({ label: 'output_label', probabilities: 'output_probability', labels: ['barolo', 'grignolino', 'barbera'] });
    expect(interpret(own, outputs(BigInt64Array.from([3n]), p), 0, wine)).toEqual({
      kind: 'classification',
      label: 'barbera',
      probabilities: { barolo: 0.125, grignolino: 0.125, barbera: 0.75 },
    });
    const none = card({ label: 'output_label', probabilities: 'output_probability' });
    expect(interpret(none, outputs(BigInt64Array.from([3n]), p), 0, wine)).toEqual({ kind: 'classification', label: '3', probabilities: { '1': 0.125, '2': 0.125, '3': 0.75 } });
    // A card naming other outputs is read as it is.
    const other = card({ probabilities: 'p' });
    const o: Outputs = { p: { data: Float32Array.from(p), dims: [1, 3], type: 'float32' } };
    expect(interpret(other, o, 0, wine)).toEqual({ kind: 'classification', label: '2', probabilities: { '0': 0.125, '1': 0.125, '2': 0.75 } });
  });

  it('are needed when there is no card', () => {
    const e = thrown(() => interpret(undefined, outputs(['a'], [1, 0, 0])));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/needs a model card/);
  });
});
