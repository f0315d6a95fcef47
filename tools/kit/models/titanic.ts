/**
 * A titanic-style scikit-learn pipeline in skl2onnx's layout: one input per column (string
 * [N, 1] for pclass, sex and embarked; float [N, 1] for age, fare and sibsp), SimpleImputer
 * (median) and StandardScaler on the numeric columns, OneHotEncoder on the string ones, Concat,
 * logistic regression; outputs `label` and `probabilities` as tensors (no ZipMap). Trained on
 * the synthetic passengers of data.ts (makeTitanic), whose ages are missing for about one in five.
 */
import type { Feature, ModelCard } from '../../../lib/model/card.js';
import { categoryStats } from '../../../lib/cli/stats.js';
import { writeModel, type NodeDef, type TensorInit } from '../../onnx/writer.js';
import { csvLine } from '../../../lib/batch/csv.js';
import { fileEntry, withModel } from '../card-util.js';
import { makeTitanic, TITANIC_CATEGORIES, type TitanicRow } from '../data.js';
import { imputerNode, linearClassifierNode, OPSETS, oneHotNodes, scalerNode } from '../graphs.js';
import { pick, split } from '../rng.js';
import { featureStats, labelCounts, round7 } from '../stats.js';
import { fitLogistic, softmax } from '../train/linear.js';
import { SEED, type BuiltModel, type ParityFeed } from '../types.js';
import { argmax, classificationMetrics } from './sentiment.js';

const NUMERIC = ['age', 'fare', 'sibsp'] as const;
const CATEGORICAL = ['pclass', 'sex', 'embarked'] as const;
const LABELS = ['died', 'survived'];
/** Passengers generated (as many as on the real list of the Kaggle training file). */
const ROWS = 891;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What the fitted preprocessing needs: medians (imputer), means and 1 / std (scaler), all float32. */
interface Preprocessing {
  medians: number[];
  offsets: number[];
  scales: number[];
}

function fitPreprocessing(train: readonly TitanicRow[]): Preprocessing {
  const medians = NUMERIC.map((k) => Math.fround(median(train.map((r) => r[k]).filter((v) => !Number.isNaN(v)))));
  const imputed = NUMERIC.map((k, j) => train.map((r) => (Number.isNaN(r[k]) ? medians[j]! : Math.fround(r[k]))));
  const offsets = imputed.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
  const scales = imputed.map((v, j) => 1 / (Math.sqrt(v.reduce((a, b) => a + (b - offsets[j]!) ** 2, 0) / v.length) || 1));
  return { medians, offsets: offsets.map(Math.fround), scales: scales.map(Math.fround) };
}

/** The row the classifier sees, as the graph computes it: imputed, scaled numbers, then one-hot categories. */
function design(p: Preprocessing, r: TitanicRow): number[] {
  const numbers = NUMERIC.map((k, j) => {
    const v = Number.isNaN(r[k]) ? p.medians[j]! : Math.fround(r[k]);
    return Math.fround((v - p.offsets[j]!) * p.scales[j]!);
  });
  const hot = CATEGORICAL.flatMap((k) => TITANIC_CATEGORIES[k].map((c) => (c === r[k] ? 1 : 0)));
  return [...numbers, ...hot];
}

function graph(p: Preprocessing, weights: number[][], intercepts: number[]): Uint8Array {
  const nodes: NodeDef[] = [
    { op: 'Concat', inputs: [...NUMERIC], outputs: ['numeric'], attributes: { axis: { i: 1 } }, name: 'concat_numeric' },
    imputerNode('numeric', 'numeric_imputed', p.medians),
    scalerNode('numeric_imputed', 'numeric_scaled', p.offsets, p.scales),
  ];
  const initializers: TensorInit[] = [];
  for (const k of CATEGORICAL) {
    const oh = oneHotNodes(k, `${k}_onehot`, TITANIC_CATEGORIES[k]);
    nodes.push(...oh.nodes);
    initializers.push(...oh.initializers);
  }
  nodes.push(
    { op: 'Concat', inputs: ['numeric_scaled', ...CATEGORICAL.map((k) => `${k}_onehot`)], outputs: ['design'], attributes: { axis: { i: 1 } }, name: 'concat_all' },
    linearClassifierNode('design', weights, intercepts),
  );
  return writeModel({
    opsets: OPSETS,
    doc: 'titanic: a scikit-learn-style pipeline (SimpleImputer + StandardScaler on age, fare, sibsp; OneHotEncoder on pclass, sex, embarked; logistic regression) in skl2onnx\'s layout, trained on synthetic titanic-like passengers. Inputs: pclass, sex, embarked (string [N, 1]); age (NaN when unknown), fare, sibsp (float [N, 1]). Outputs: label (int64 [N], 0 died, 1 survived), probabilities (float [N, 2]).',
    graph: {
      name: 'titanic',
      inputs: [
        ...CATEGORICAL.map((k) => ({ name: k, type: { tensor: 'string' as const, shape: ['N', 1] } })),
        ...NUMERIC.map((k) => ({ name: k, type: { tensor: 'float' as const, shape: ['N', 1] } })),
      ],
      outputs: [
        { name: 'label', type: { tensor: 'int64', shape: ['N'] } },
        { name: 'probabilities', type: { tensor: 'float', shape: ['N', 2] } },
      ],
      nodes,
      initializers,
    },
  });
}

const DESCRIPTIONS: Record<string, string> = {
  pclass: 'Ticket class: 1 first, 2 second, 3 third',
  sex: 'Sex of the passenger',
  embarked: 'Port of embarkation: C Cherbourg, Q Queenstown, S Southampton',
  age: 'Age in years; leave empty when unknown (the model imputes the training median)',
  fare: 'Ticket price',
  sibsp: 'Siblings and spouses aboard',
};

function features(train: readonly TitanicRow[]): Feature[] {
  const cats: Feature[] = CATEGORICAL.map((k) => ({ name: k, type: 'category', categories: [...TITANIC_CATEGORIES[k]], description: DESCRIPTIONS[k] }));
  const nums: Feature[] = NUMERIC.map((k) => {
    const v = train.map((r) => r[k]).filter((x) => !Number.isNaN(x));
    const f: Feature = { name: k, type: 'number', description: DESCRIPTIONS[k], min: Math.min(...v), max: Math.max(...v) };
    if (k === 'age') return { ...f, unit: 'years', missing: true };
    if (k === 'fare') return { ...f, unit: '£', default: round7(median(v)) };
    return { ...f, default: median(v) };
  });
  return [...cats, ...nums];
}

function reference(train: readonly TitanicRow[]): NonNullable<ModelCard['reference']> {
  return {
    rows: train.length,
    description: 'Statistics of the raw training columns (before imputing, scaling and one-hot encoding in the graph); missing ages are counted, not part of the statistics.',
    // featureStats leaves NaN (an unknown age) out and counts it in `missing`.
    features: Object.fromEntries(NUMERIC.map((k, j) => [k, featureStats(train.map((r) => r[k]), SEED + j)])),
    categories: Object.fromEntries(CATEGORICAL.map((k) => [k, categoryStats(train.map((r) => r[k]), TITANIC_CATEGORIES[k])])),
    labels: labelCounts(train.map((r) => r.survived), LABELS),
  };
}

/** A card example: the passenger's values by feature name (an unknown age as null) and the known outcome. */
function example(r: TitanicRow): Record<string, unknown> {
  return { pclass: r.pclass, sex: r.sex, embarked: r.embarked, age: Number.isNaN(r.age) ? null : r.age, fare: r.fare, sibsp: r.sibsp, label: LABELS[r.survived] };
}

/** The training rows as CSV: the model's columns (an unknown age as an empty cell) and `survived` (0 or 1). */
export function titanicCsv(rows: readonly TitanicRow[]): string {
  const header = [...CATEGORICAL, ...NUMERIC, 'survived'];
  const lines = rows.map((r) => csvLine([r.pclass, r.sex, r.embarked, Number.isNaN(r.age) ? '' : String(r.age), String(r.fare), String(r.sibsp), String(r.survived)]));
  return [csvLine(header), ...lines].join('\r\n') + '\r\n';
}

function parityFeeds(rows: readonly TitanicRow[]): Record<string, ParityFeed> {
  const feeds: Record<string, ParityFeed> = {};
  for (const k of CATEGORICAL) feeds[k] = { type: 'string', data: rows.map((r) => r[k]), dims: [rows.length, 1] };
  for (const k of NUMERIC) feeds[k] = { type: 'float32', data: Float32Array.from(rows, (r) => r[k]), dims: [rows.length, 1] };
  return feeds;
}

export function buildTitanic(): BuiltModel {
  const name = 'titanic';
  const version = '1.0.0';
  const rows = makeTitanic(ROWS, SEED);
  const s = split(rows.length, 0.2, SEED, rows.map((r) => r.survived));
  const train = pick(rows, s.train);
  const test = pick(rows, s.test);
  const p = fitPreprocessing(train);
  const training = { algorithm: 'SimpleImputer (median) and StandardScaler on age, fare, sibsp; OneHotEncoder on pclass, sex, embarked; logistic regression (L2), full-batch gradient descent with Nesterov momentum', l2: 1e-2, iterations: 500, learningRate: 0.5 };
  const m = fitLogistic(train.map((r) => design(p, r)), train.map((r) => r.survived), { classes: 2, l2: training.l2, iterations: training.iterations, learningRate: training.learningRate });
  const probs = test.map((r) => {
    const z = design(p, r);
    return softmax(m.weights.map((w, c) => w.reduce((acc, wj, j) => acc + Math.fround(wj) * z[j]!, Math.fround(m.intercepts[c]!))));
  });
  const metrics = classificationMetrics(test.map((r) => r.survived), probs, 2);
  const onnx = graph(p, m.weights, m.intercepts);
  const csv = new TextEncoder().encode(titanicCsv(train));
  const csvFile = `${name}-${version}.train.csv`;
  const card = withModel(
    {
      name,
      version,
      task: 'binary-classification',
      description:
        'Did a passenger survive, from ticket class, sex, port, age, fare and siblings aboard? A scikit-learn-style pipeline as skl2onnx exports it: one input per column, the age imputed when unknown, scaling, one-hot encoding and logistic regression inside the graph. Trained on synthetic titanic-like passengers, not the real list.',
      input: {
        kind: 'columns',
        features: features(train),
        description: 'One [N, 1] tensor per column: strings for pclass, sex and embarked; float for age (NaN when unknown), fare and sibsp.',
      },
      outputs: { label: 'label', probabilities: 'probabilities', labels: LABELS, description: 'label: int64 index into labels; probabilities: float [N, 2].' },
      metrics,
      reference: reference(train),
      examples: [test.find((r) => r.survived === 1 && !Number.isNaN(r.age))!, test.find((r) => r.survived === 0 && !Number.isNaN(r.age))!, test.find((r) => Number.isNaN(r.age))!].map(example),
      assets: { 'training-data': fileEntry(csvFile, csv) },
      data: {
        name: 'Synthetic titanic-like passengers',
        source: `generated by tools/kit/data.ts (makeTitanic, seed ${SEED}): shares and patterns like the real passenger list, no real passengers; the training split is ${csvFile}`,
        license: 'CC0 1.0',
        rows: rows.length,
        split: `stratified 80/20, seed ${SEED}: ${train.length} train, ${test.length} test`,
      },
      training,
      license: 'CC0 1.0',
    },
    onnx,
  );
  return {
    name,
    version,
    registry: { title: 'Titanic survival (pipeline, one input per column)', task: 'binary-classification', description: 'Survival from six columns of mixed types, an unknown age imputed; a scikit-learn-style pipeline with one input per column.' },
    onnx,
    card,
    assets: [{ name: 'training-data', file: csvFile, bytes: csv }],
    parity: { feeds: parityFeeds(test), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: { data: 'Synthetic titanic-like passengers', rows: `${train.length} / ${test.length}`, metric: `accuracy ${metrics.accuracy!.toFixed(3)}` },
  };
}
