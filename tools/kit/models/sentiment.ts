/**
 * Movie-review sentiment: three models over the same sentences and split — logistic regression
 * on TF-IDF (the default, published in two versions with different vocabulary sizes), a linear
 * SVM on TF-IDF with Platt-scaled probabilities, and a decision tree on word counts.
 * Tokenising is lib/tasks/text.ts (outside the graph: ONNX has no regex tokeniser); everything
 * after it — vocabulary lookup, TF-IDF, normalisation, the classifier — is inside the graph.
 */

import { DEFAULT_TEXT_PREPROCESSING, textToTensor, tokenize } from '../../../lib/tasks/text.js';
import { writeModel, type NodeDef, type TensorInit } from '../../onnx/writer.js';
import { round4, withModel, type CardDraft } from '../card-util.js';
import { loadSentences } from '../data.js';
import { l2NormalizeNodes, linearClassifierNode, OPSETS, tfidfNode, treeClassifierNodes } from '../graphs.js';
import { pick, split } from '../rng.js';
import { accuracy, featureStats, labelCounts, logLoss, macroF1 } from '../stats.js';
import { buildVocabulary, termCounts, tfidf, type Vocabulary } from '../text.js';
import { fitLinearSvm, fitLogistic, fitPlatt, softmax } from '../train/linear.js';
import { countNodes, fitClassTree, leafOf, toFloat32Rows, treeDepth } from '../train/tree.js';
import { SEED, type BuiltModel, type ParityFeed } from '../types.js';

const LABELS = ['negative', 'positive'];

const DATA = {
  name: 'Sentiment Labelled Sentences (imdb part)',
  source: 'UCI Machine Learning Repository; Kotzias, Denil, de Freitas, Smyth, "From Group to Individual Labels using Deep Features", KDD 2015',
  license: 'CC BY 4.0',
};

interface Prepared {
  trainTokens: string[][];
  testTokens: string[][];
  trainTexts: string[];
  testTexts: string[];
  yTrain: number[];
  yTest: number[];
}

function prepare(): Prepared {
  const { texts, labels } = loadSentences();
  const s = split(texts.length, 0.2, SEED, labels);
  const trainTexts = pick(texts, s.train);
  const testTexts = pick(texts, s.test);
  return {
    trainTexts,
    testTexts,
    trainTokens: trainTexts.map((t) => tokenize(t)),
    testTokens: testTexts.map((t) => tokenize(t)),
    yTrain: pick(labels, s.train),
    yTest: pick(labels, s.test),
  };
}

export function argmax(p: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

export function classificationMetrics(truth: readonly number[], probs: number[][], k: number): Record<string, number> {
  const pred = probs.map(argmax);
  return { accuracy: round4(accuracy(truth, pred)), macroF1: round4(macroF1(truth, pred, k)), logLoss: round4(logLoss(truth, probs)), testRows: truth.length };
}

function textCard(
  p: Prepared,
  name: string,
  version: string,
  description: string,
  metrics: Record<string, number>,
  training: Record<string, unknown>,
): CardDraft {
  return {
    name,
    version,
    task: 'text-classification',
    description,
    input: {
      kind: 'text',
      tensor: 'tokens',
      preprocessing: {
        ...DEFAULT_TEXT_PREPROCESSING,
        description:
          'Lower-case the text, take the matches of tokenPattern (flags "gu") as tokens, and feed a string tensor [texts, longest] with rows padded by "" (lib/tasks/text.ts textToTensor). Vocabulary lookup, TF-IDF and normalisation happen inside the graph.',
      },
      description: 'One English sentence of a movie review per row.',
    },
    outputs: {
      label: 'label',
      probabilities: 'probabilities',
      labels: LABELS,
      description: 'label: int64 index into labels; probabilities: float [N, 2].',
    },
    metrics,
    reference: {
      rows: p.trainTexts.length,
      description: 'Statistics of the training sentences: characters and tokens per sentence.',
      features: {
        characters: featureStats(
          p.trainTexts.map((t) => t.length),
          SEED,
          'Characters per sentence.',
        ),
        tokens: featureStats(
          p.trainTokens.map((t) => t.length),
          SEED,
          'Tokens per sentence (after tokenising).',
        ),
      },
      labels: labelCounts(p.yTrain, LABELS),
    },
    examples: [
      { text: 'A wonderful film, beautifully acted and very moving.' },
      { text: 'The plot was boring and the acting was awful.' },
      ...p.testTexts.slice(0, 3).map((text, i) => ({ text, label: LABELS[p.yTest[i]!] })),
    ],
    data: {
      ...DATA,
      rows: p.trainTexts.length + p.testTexts.length,
      split: `stratified 80/20, seed ${SEED}: ${p.trainTexts.length} train, ${p.testTexts.length} test`,
    },
    training,
    license: 'CC BY 4.0 (trained on CC BY 4.0 data)',
  };
}

/** Softmax over [w_c · x + b_c] with the float32 weights the graph stores. */
function linearProbs(x: Float64Array, weights: readonly (readonly number[])[], intercepts: readonly number[]): number[] {
  return softmax(
    weights.map((w, c) => {
      let s = Math.fround(intercepts[c]!);
      for (let j = 0; j < x.length; j++) if (x[j] !== 0) s += Math.fround(w[j]!) * x[j]!;
      return s;
    }),
  );
}

function textGraph(name: string, vocab: Vocabulary, mode: 'tfidf' | 'counts', classifier: NodeDef[]): Uint8Array {
  const nodes: NodeDef[] = [tfidfNode('tokens', mode === 'tfidf' ? 'tfidf' : 'counts', vocab.terms, mode === 'tfidf' ? vocab.idf : undefined)];
  const initializers: TensorInit[] = [];
  if (mode === 'tfidf') {
    const norm = l2NormalizeNodes('tfidf', 'features');
    nodes.push(...norm.nodes);
    initializers.push(...norm.initializers);
  }
  nodes.push(...classifier);
  return writeModel({
    opsets: OPSETS,
    doc: `${name}: movie-review sentiment. Input: tokens (string [N, T], padded with ""). Outputs: label (int64 [N]), probabilities (float [N, 2]) for ${LABELS.join(', ')}.`,
    graph: {
      name,
      inputs: [{ name: 'tokens', type: { tensor: 'string', shape: ['N', 'T'] } }],
      outputs: [
        { name: 'label', type: { tensor: 'int64', shape: ['N'] } },
        { name: 'probabilities', type: { tensor: 'float', shape: ['N', 2] } },
      ],
      initializers,
      nodes,
    },
  });
}

function parityFeeds(p: Prepared): Record<string, ParityFeed> {
  const t = textToTensor(p.testTexts);
  return { tokens: { type: 'string', data: t.data as string[], dims: [...t.dims] } };
}

const summary = (p: Prepared, metrics: Record<string, number>) => ({
  data: 'UCI Sentiment Labelled Sentences (imdb)',
  rows: `${p.trainTexts.length} / ${p.testTexts.length}`,
  metric: `accuracy ${metrics.accuracy!.toFixed(3)}`,
});

function logreg(p: Prepared, version: string, vocabSize: number): BuiltModel {
  const name = 'sentiment-logreg';
  const vocab = buildVocabulary(p.trainTokens, { size: vocabSize, minDf: 2, bigrams: true });
  const xTrain = p.trainTokens.map((t) => tfidf(t, vocab));
  const training = {
    algorithm: 'logistic regression (L2), full-batch gradient descent with Nesterov momentum',
    l2: 3e-4,
    iterations: 600,
    learningRate: 2,
    vocabulary: vocab.terms.length,
    ngrams: [1, 2],
    minDocumentFrequency: 2,
  };
  const m = fitLogistic(xTrain, p.yTrain, { classes: 2, l2: training.l2, iterations: training.iterations, learningRate: training.learningRate });
  const probs = p.testTokens.map((t) => linearProbs(tfidf(t, vocab), m.weights, m.intercepts));
  const metrics = classificationMetrics(p.yTest, probs, 2);
  const onnx = textGraph(name, vocab, 'tfidf', [linearClassifierNode('features', m.weights, m.intercepts)]);
  const card = withModel(
    textCard(
      p,
      name,
      version,
      `Logistic regression on TF-IDF of words and word pairs (${vocab.terms.length} terms): is a movie-review sentence positive or negative? The default sentiment model.`,
      metrics,
      training,
    ),
    onnx,
  );
  return {
    name,
    version,
    registry: {
      title: 'Movie-review sentiment (logistic regression)',
      task: 'text-classification',
      description: 'Positive or negative, for one English sentence about a film. TF-IDF + logistic regression.',
    },
    onnx,
    card,
    parity: { feeds: parityFeeds(p), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: summary(p, metrics),
  };
}

function svm(p: Prepared): BuiltModel {
  const name = 'sentiment-svm';
  const version = '1.0.0';
  const vocab = buildVocabulary(p.trainTokens, { size: 2000, minDf: 2, bigrams: true });
  const xTrain = p.trainTokens.map((t) => tfidf(t, vocab));
  const training = {
    algorithm: 'linear SVM (hinge loss, L2), dual coordinate descent; Platt scaling on training decision values',
    c: 0.5,
    epochs: 50,
    vocabulary: vocab.terms.length,
    ngrams: [1, 2],
    minDocumentFrequency: 2,
  };
  const { w, b } = fitLinearSvm(xTrain, p.yTrain, { c: training.c, epochs: training.epochs, seed: SEED });
  const f = xTrain.map((x) => w.reduce((s, wj, j) => s + wj * x[j]!, b));
  const platt = fitPlatt(f, p.yTrain);
  // p(positive) = sigmoid(a (w·x + b) + c) = softmax over [0, a w·x + a b + c].
  const weights = [w.map(() => 0), w.map((v) => v * platt.a)];
  const intercepts = [0, b * platt.a + platt.b];
  const probs = p.testTokens.map((t) => linearProbs(tfidf(t, vocab), weights, intercepts));
  const metrics = classificationMetrics(p.yTest, probs, 2);
  const onnx = textGraph(name, vocab, 'tfidf', [linearClassifierNode('features', weights, intercepts)]);
  const card = withModel(
    textCard(
      p,
      name,
      version,
      `Linear support-vector machine on TF-IDF of words and word pairs (${vocab.terms.length} terms), with Platt-scaled probabilities folded into its weights; the label is the more probable class.`,
      metrics,
      { ...training, platt: { a: platt.a, b: platt.b } },
    ),
    onnx,
  );
  return {
    name,
    version,
    registry: {
      title: 'Movie-review sentiment (linear SVM)',
      task: 'text-classification',
      description: 'Positive or negative, for one English sentence about a film. TF-IDF + linear SVM with Platt scaling.',
    },
    onnx,
    card,
    parity: { feeds: parityFeeds(p), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: summary(p, metrics),
  };
}

function tree(p: Prepared): BuiltModel {
  const name = 'sentiment-tree';
  const version = '1.0.0';
  const vocab = buildVocabulary(p.trainTokens, { size: 1000, minDf: 3, bigrams: false });
  const xTrain = toFloat32Rows(p.trainTokens.map((t) => termCounts(t, vocab)));
  const options = { maxDepth: 14, minLeaf: 3 };
  const t = fitClassTree(xTrain, p.yTrain, 2, options);
  const probs = p.testTokens.map((tok) => [...leafOf(t, termCounts(tok, vocab))]);
  const metrics = classificationMetrics(p.yTest, probs, 2);
  const onnx = textGraph(name, vocab, 'counts', treeClassifierNodes('counts', [t], 2));
  const card = withModel(
    textCard(
      p,
      name,
      version,
      `Decision tree (CART, Gini) on word counts (${vocab.terms.length} words, ${countNodes(t)} nodes, depth ${treeDepth(t)}); probabilities are the class shares of the training sentences in each leaf.`,
      metrics,
      { algorithm: 'CART decision tree (Gini)', ...options, vocabulary: vocab.terms.length, ngrams: [1, 1], minDocumentFrequency: 3, nodes: countNodes(t), depth: treeDepth(t) },
    ),
    onnx,
  );
  return {
    name,
    version,
    registry: {
      title: 'Movie-review sentiment (decision tree)',
      task: 'text-classification',
      description: 'Positive or negative, for one English sentence about a film. Word counts + decision tree.',
    },
    onnx,
    card,
    parity: { feeds: parityFeeds(p), expected: { label: probs.map(argmax), probabilities: probs } },
    summary: summary(p, metrics),
  };
}

export function buildSentiment(): BuiltModel[] {
  const p = prepare();
  return [logreg(p, '1.0.0', 600), logreg(p, '1.1.0', 2000), svm(p), tree(p)];
}
