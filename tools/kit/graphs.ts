/**
 * ONNX building blocks of the demo models, over tools/onnx/writer.ts: TF-IDF over string tokens,
 * L2 row normalisation, Imputer, Scaler, OneHotEncoder, LinearClassifier, tree ensembles
 * (classifier and regressor) and a small MLP. Classifiers give `label` (int64 [N]) and
 * `probabilities` (float [N, K]); no ZipMap.
 */
import type { AttributeValue, NodeDef, TensorInit } from '../onnx/writer.js';
import type { TreeNode } from './train/tree.js';

export const ML = 'ai.onnx.ml';
export const OPSETS = { '': 17, [ML]: 3 };

/**
 * TfIdfVectorizer over a [N, T] string tensor. `terms` are unigrams ("good") or bigrams
 * ("not good"), unigrams first; output column i is terms[i].
 */
export function tfidfNode(input: string, output: string, terms: readonly string[], weights?: readonly number[]): NodeDef {
  const unigrams = terms.filter((t) => !t.includes(' '));
  const bigrams = terms.filter((t) => t.includes(' '));
  if (terms.some((t, i) => (i < unigrams.length) !== !t.includes(' '))) throw new Error('tfidfNode: unigrams must come before bigrams');
  const pool = [...unigrams, ...bigrams.flatMap((b) => b.split(' '))];
  const attributes: Record<string, AttributeValue> = {
    mode: { s: weights ? 'TFIDF' : 'TF' },
    min_gram_length: { i: 1 },
    max_gram_length: { i: bigrams.length > 0 ? 2 : 1 },
    max_skip_count: { i: 0 },
    ngram_counts: { ints: bigrams.length > 0 ? [0, unigrams.length] : [0] },
    ngram_indexes: { ints: terms.map((_, i) => i) },
    pool_strings: { strings: pool },
  };
  if (weights) attributes.weights = { floats: weights };
  return { op: 'TfIdfVectorizer', inputs: [input], outputs: [output], attributes, name: 'tfidf' };
}

/** y = x / max(‖x‖₂, 1e-12) per row. */
export function l2NormalizeNodes(input: string, output: string): { nodes: NodeDef[]; initializers: TensorInit[] } {
  return {
    initializers: [{ name: 'l2_eps', type: 'float', dims: [], values: [1e-12] }],
    nodes: [
      { op: 'ReduceL2', inputs: [input], outputs: ['l2_norm'], attributes: { axes: { ints: [1] }, keepdims: { i: 1 } }, name: 'l2_norm' },
      { op: 'Max', inputs: ['l2_norm', 'l2_eps'], outputs: ['l2_safe'], name: 'l2_safe' },
      { op: 'Div', inputs: [input, 'l2_safe'], outputs: [output], name: 'l2_normalize' },
    ],
  };
}

/** ai.onnx.ml Scaler: (x − offset) × scale. */
export function scalerNode(input: string, output: string, offset: readonly number[], scale: readonly number[], name = 'scaler'): NodeDef {
  return { op: 'Scaler', domain: ML, inputs: [input], outputs: [output], attributes: { offset: { floats: offset }, scale: { floats: scale } }, name };
}

/** ai.onnx.ml Imputer as skl2onnx writes SimpleImputer: NaN in column j becomes `values[j]`. */
export function imputerNode(input: string, output: string, values: readonly number[]): NodeDef {
  return {
    op: 'Imputer',
    domain: ML,
    inputs: [input],
    outputs: [output],
    attributes: { imputed_value_floats: { floats: values }, replaced_value_float: { f: Number.NaN } },
    name: `imputer_${output}`,
  };
}

/**
 * ai.onnx.ml OneHotEncoder of one string column [N, 1] → float [N, K] (the encoder's [N, 1, K]
 * reshaped), column i for `categories[i]`; an unknown category is all zeros.
 */
export function oneHotNodes(input: string, output: string, categories: readonly string[]): { nodes: NodeDef[]; initializers: TensorInit[] } {
  const shape = `${output}_shape`;
  return {
    initializers: [{ name: shape, type: 'int64', dims: [2], values: [-1, categories.length] }],
    nodes: [
      { op: 'OneHotEncoder', domain: ML, inputs: [input], outputs: [`${output}_3d`], attributes: { cats_strings: { strings: categories }, zeros: { i: 1 } }, name: `onehot_${input}` },
      { op: 'Reshape', inputs: [`${output}_3d`, shape], outputs: [output], name: `reshape_${input}` },
    ],
  };
}

/** ai.onnx.ml LinearClassifier with one row per class and SOFTMAX: label = argmax, probabilities. */
export function linearClassifierNode(input: string, weights: readonly (readonly number[])[], intercepts: readonly number[]): NodeDef {
  return {
    op: 'LinearClassifier',
    domain: ML,
    inputs: [input],
    outputs: ['label', 'probabilities'],
    name: 'linear_classifier',
    attributes: {
      coefficients: { floats: weights.flat() },
      intercepts: { floats: intercepts },
      classlabels_ints: { ints: weights.map((_, i) => i) },
      multi_class: { i: 1 },
      post_transform: { s: 'SOFTMAX' },
    },
  };
}

interface FlatTrees {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  values: number[];
  modes: string[];
  trueIds: number[];
  falseIds: number[];
  leaves: { tree: number; node: number; value: number[] }[];
}

/** Flattens trees in pre-order, node ids from 0 in each tree. */
function flatten(trees: readonly TreeNode[]): FlatTrees {
  const f: FlatTrees = { treeIds: [], nodeIds: [], featureIds: [], values: [], modes: [], trueIds: [], falseIds: [], leaves: [] };
  trees.forEach((root, tree) => {
    let next = 0;
    const visit = (node: TreeNode): number => {
      const id = next++;
      const at = f.nodeIds.length;
      f.treeIds.push(tree);
      f.nodeIds.push(id);
      if (node.leaf) {
        f.featureIds.push(0);
        f.values.push(0);
        f.modes.push('LEAF');
        f.trueIds.push(0);
        f.falseIds.push(0);
        f.leaves.push({ tree, node: id, value: node.value });
      } else {
        f.featureIds.push(node.feature);
        f.values.push(node.threshold);
        f.modes.push('BRANCH_LEQ');
        f.trueIds.push(0);
        f.falseIds.push(0);
        f.trueIds[at] = visit(node.left);
        f.falseIds[at] = visit(node.right);
      }
      return id;
    };
    visit(root);
  });
  return f;
}

function nodeAttributes(f: FlatTrees): Record<string, AttributeValue> {
  return {
    nodes_treeids: { ints: f.treeIds },
    nodes_nodeids: { ints: f.nodeIds },
    nodes_featureids: { ints: f.featureIds },
    nodes_values: { floats: f.values },
    nodes_modes: { strings: f.modes },
    nodes_truenodeids: { ints: f.trueIds },
    nodes_falsenodeids: { ints: f.falseIds },
  };
}

/**
 * TreeEnsembleClassifier whose leaves hold class probabilities divided by the number of trees
 * (so the sum is the forest's average), followed by ArgMax for the label: onnxruntime's own
 * label output is not reliable for two classes with weights for both, so it stays internal.
 */
export function treeClassifierNodes(input: string, trees: readonly TreeNode[], classes: number): NodeDef[] {
  const f = flatten(trees);
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classIds: number[] = [];
  const classWeights: number[] = [];
  for (const leaf of f.leaves) {
    for (let c = 0; c < classes; c++) {
      classTree.push(leaf.tree);
      classNode.push(leaf.node);
      classIds.push(c);
      classWeights.push(leaf.value[c]! / trees.length);
    }
  }
  return [
    {
      op: 'TreeEnsembleClassifier',
      domain: ML,
      inputs: [input],
      outputs: ['tree_label', 'probabilities'],
      name: 'trees',
      attributes: {
        ...nodeAttributes(f),
        classlabels_int64s: { ints: Array.from({ length: classes }, (_, i) => i) },
        class_treeids: { ints: classTree },
        class_nodeids: { ints: classNode },
        class_ids: { ints: classIds },
        class_weights: { floats: classWeights },
        post_transform: { s: 'NONE' },
      },
    },
    argMaxNode('probabilities', 'label'),
  ];
}

/** TreeEnsembleRegressor: base + Σ leaf values (one target). */
export function treeRegressorNode(input: string, output: string, trees: readonly TreeNode[], base: number): NodeDef {
  const f = flatten(trees);
  return {
    op: 'TreeEnsembleRegressor',
    domain: ML,
    inputs: [input],
    outputs: [output],
    name: 'trees',
    attributes: {
      ...nodeAttributes(f),
      n_targets: { i: 1 },
      target_treeids: { ints: f.leaves.map((l) => l.tree) },
      target_nodeids: { ints: f.leaves.map((l) => l.node) },
      target_ids: { ints: f.leaves.map(() => 0) },
      target_weights: { floats: f.leaves.map((l) => l.value[0]!) },
      base_values: { floats: [base] },
      aggregate_function: { s: 'SUM' },
      post_transform: { s: 'NONE' },
    },
  };
}

export function argMaxNode(input: string, output: string): NodeDef {
  return { op: 'ArgMax', inputs: [input], outputs: [output], attributes: { axis: { i: 1 }, keepdims: { i: 0 } }, name: 'argmax' };
}
