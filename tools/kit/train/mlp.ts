/**
 * A one-hidden-layer perceptron: inputs → ReLU(hidden) → softmax(classes), trained with
 * mini-batch SGD with momentum and a seeded shuffle. Weights are kept as float32 values (what
 * the ONNX file stores), so the model's own predictions use exactly the exported numbers.
 */
import { gaussian, permutation, rng } from '../rng.js';

export interface Mlp {
  inputs: number;
  hidden: number;
  classes: number;
  /** [inputs × hidden], row-major (input-major), as Gemm's B. */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden × classes]. */
  w2: Float32Array;
  b2: Float32Array;
}

export interface MlpOptions {
  hidden: number;
  classes: number;
  epochs: number;
  batch: number;
  learningRate: number;
  momentum: number;
  l2: number;
  seed: number;
}

/** Probabilities of each class for one row (float64 arithmetic on the float32 weights). */
export function mlpForward(m: Mlp, x: ArrayLike<number>, hiddenOut?: Float64Array): Float64Array {
  const h = hiddenOut ?? new Float64Array(m.hidden);
  h.set(m.b1);
  for (let i = 0; i < m.inputs; i++) {
    const v = Math.fround(x[i]!);
    if (v === 0) continue;
    const base = i * m.hidden;
    for (let j = 0; j < m.hidden; j++) h[j] = h[j]! + v * m.w1[base + j]!;
  }
  for (let j = 0; j < m.hidden; j++) if (h[j]! < 0) h[j] = 0;
  const z = new Float64Array(m.classes);
  z.set(m.b2);
  for (let j = 0; j < m.hidden; j++) {
    const v = h[j]!;
    if (v === 0) continue;
    const base = j * m.classes;
    for (let c = 0; c < m.classes; c++) z[c] = z[c]! + v * m.w2[base + c]!;
  }
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let c = 0; c < m.classes; c++) {
    z[c] = Math.exp(z[c]! - max);
    sum += z[c]!;
  }
  for (let c = 0; c < m.classes; c++) z[c] = z[c]! / sum;
  return z;
}

export function fitMlp(x: readonly Float32Array[], y: readonly number[], o: MlpOptions): Mlp {
  const d = x[0]!.length;
  const H = o.hidden;
  const K = o.classes;
  const random = rng(o.seed);
  const normal = gaussian(random);
  const w1 = new Float64Array(d * H).map(() => normal() * Math.sqrt(2 / d));
  const b1 = new Float64Array(H);
  const w2 = new Float64Array(H * K).map(() => normal() * Math.sqrt(2 / H));
  const b2 = new Float64Array(K);
  const v1 = new Float64Array(d * H);
  const vb1 = new Float64Array(H);
  const v2 = new Float64Array(H * K);
  const vb2 = new Float64Array(K);
  const g1 = new Float64Array(d * H);
  const gb1 = new Float64Array(H);
  const g2 = new Float64Array(H * K);
  const gb2 = new Float64Array(K);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  const z = new Float64Array(K);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const lr = o.learningRate * (1 - epoch / o.epochs) + o.learningRate * 0.05;
    const order = permutation(x.length, random);
    for (let start = 0; start < order.length; start += o.batch) {
      const batch = order.slice(start, start + o.batch);
      g1.fill(0);
      gb1.fill(0);
      g2.fill(0);
      gb2.fill(0);
      for (const r of batch) {
        const xr = x[r]!;
        h.set(b1);
        for (let i = 0; i < d; i++) {
          const v = xr[i]!;
          if (v === 0) continue;
          const base = i * H;
          for (let j = 0; j < H; j++) h[j] = h[j]! + v * w1[base + j]!;
        }
        for (let j = 0; j < H; j++) if (h[j]! < 0) h[j] = 0;
        z.set(b2);
        for (let j = 0; j < H; j++) {
          const v = h[j]!;
          if (v === 0) continue;
          for (let c = 0; c < K; c++) z[c] = z[c]! + v * w2[j * K + c]!;
        }
        let max = -Infinity;
        for (const v of z) max = Math.max(max, v);
        let sum = 0;
        for (let c = 0; c < K; c++) {
          z[c] = Math.exp(z[c]! - max);
          sum += z[c]!;
        }
        // z becomes dLoss/dlogits
        for (let c = 0; c < K; c++) z[c] = z[c]! / sum - (y[r] === c ? 1 : 0);
        dh.fill(0);
        for (let j = 0; j < H; j++) {
          const v = h[j]!;
          if (v === 0) continue;
          for (let c = 0; c < K; c++) {
            g2[j * K + c] = g2[j * K + c]! + v * z[c]!;
            dh[j] = dh[j]! + w2[j * K + c]! * z[c]!;
          }
        }
        for (let c = 0; c < K; c++) gb2[c] = gb2[c]! + z[c]!;
        for (let i = 0; i < d; i++) {
          const v = xr[i]!;
          if (v === 0) continue;
          const base = i * H;
          for (let j = 0; j < H; j++) if (h[j]! > 0) g1[base + j] = g1[base + j]! + v * dh[j]!;
        }
        for (let j = 0; j < H; j++) if (h[j]! > 0) gb1[j] = gb1[j]! + dh[j]!;
      }
      const n = batch.length;
      const step = (w: Float64Array, v: Float64Array, g: Float64Array, decay: number) => {
        for (let i = 0; i < w.length; i++) {
          v[i] = o.momentum * v[i]! - lr * (g[i]! / n + decay * w[i]!);
          w[i] = w[i]! + v[i]!;
        }
      };
      step(w1, v1, g1, o.l2);
      step(b1, vb1, gb1, 0);
      step(w2, v2, g2, o.l2);
      step(b2, vb2, gb2, 0);
    }
  }
  return {
    inputs: d,
    hidden: H,
    classes: K,
    w1: Float32Array.from(w1),
    b1: Float32Array.from(b1),
    w2: Float32Array.from(w2),
    b2: Float32Array.from(b2),
  };
}
