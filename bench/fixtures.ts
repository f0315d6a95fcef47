/**
 * Models made for the benchmarks with the repo's ONNX writer: a large random tree ensemble
 * (the kind of model a batch job runs for seconds), deterministic.
 */
import { writeModel } from '../tools/onnx/writer.js';
import { treeRegressorNode } from '../tools/kit/graphs.js';
import type { TreeNode } from '../tools/kit/train/tree.js';
import { seeded } from '../test/fixtures/models.js';

/** `trees` full binary trees of `depth` on `features` float inputs: features float [N, features] → value float [N, 1]. */
export function treeEnsembleModel(trees: number, depth: number, features: number): Uint8Array {
  const random = seeded(42);
  const grow = (d: number): TreeNode =>
    d === depth
      ? { leaf: true, value: [random() * 0.1] }
      : { leaf: false, feature: Math.floor(((random() + 1) / 2) * features) % features, threshold: random() * 5 + 5, left: grow(d + 1), right: grow(d + 1) };
  const forest = Array.from({ length: trees }, () => grow(0));
  return writeModel({
    opsets: { '': 17, 'ai.onnx.ml': 3 },
    graph: {
      name: `trees-${trees}x${depth}`,
      inputs: [{ name: 'features', type: { tensor: 'float', shape: ['N', features] } }],
      outputs: [{ name: 'value', type: { tensor: 'float', shape: ['N', 1] } }],
      nodes: [treeRegressorNode('features', 'value', forest, 0)],
    },
  });
}
