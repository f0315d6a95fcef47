/**
 * Linear models trained in plain TypeScript, deterministically: logistic regression (binary and
 * multinomial, L2-regularised, full-batch gradient descent with Nesterov momentum) and a linear
 * SVM (L2-regularised hinge loss by dual coordinate descent, Hsieh et al. 2008) with Platt
 * scaling for probabilities.
 */
import { permutation, rng } from '../rng.js';

export type Matrix = readonly ArrayLike<number>[];

export interface LinearModel {
  /** One row of weights per class score. */
  weights: number[][];
  intercepts: number[];
}

/** A row as its non-zero entries: most rows of text features are almost all zeros. */
interface SparseRow {
  index: Int32Array;
  value: Float64Array;
}

function sparse(x: ArrayLike<number>): SparseRow {
  const index: number[] = [];
  const value: number[] = [];
  for (let j = 0; j < x.length; j++) {
    if (x[j] !== 0) {
      index.push(j);
      value.push(x[j]!);
    }
  }
  return { index: Int32Array.from(index), value: Float64Array.from(value) };
}

function dot(w: ArrayLike<number>, x: SparseRow): number {
  let s = 0;
  for (let k = 0; k < x.index.length; k++) s += w[x.index[k]!]! * x.value[k]!;
  return s;
}

/** Numerically stable softmax, in place. */
export function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.exp(z[i]! - m);
    sum += z[i]!;
  }
  for (let i = 0; i < z.length; i++) z[i] = z[i]! / sum;
  return z;
}

export interface LogisticOptions {
  classes: number;
  /** L2 penalty (on weights, not intercepts) per row of data. */
  l2: number;
  iterations: number;
  learningRate: number;
}

/**
 * Multinomial logistic regression (softmax over `classes` scores). For two classes the first
 * row is kept at zero, so p(1) = sigmoid(w·x + b): the binary model in softmax form.
 */
export function fitLogistic(rows: Matrix, y: readonly number[], o: LogisticOptions): LinearModel {
  const n = rows.length;
  const d = rows[0]!.length;
  const x = rows.map(sparse);
  const k = o.classes;
  const free = k === 2 ? [1] : Array.from({ length: k }, (_, i) => i);
  const w = Array.from({ length: k }, () => new Float64Array(d));
  const b = new Float64Array(k);
  const vw = Array.from({ length: k }, () => new Float64Array(d));
  const vb = new Float64Array(k);
  const gw = Array.from({ length: k }, () => new Float64Array(d));
  const gb = new Float64Array(k);
  const mu = 0.9;
  const look = Array.from({ length: k }, () => new Float64Array(d));
  const lookB = new Float64Array(k);
  for (let it = 0; it < o.iterations; it++) {
    for (const c of free) {
      for (let j = 0; j < d; j++) look[c]![j] = w[c]![j]! + mu * vw[c]![j]!;
      lookB[c] = b[c]! + mu * vb[c]!;
      gw[c]!.fill(0);
      gb[c] = 0;
    }
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const z = Array.from({ length: k }, (_, c) => dot(look[c]!, xi) + lookB[c]!);
      const p = softmax(z);
      for (const c of free) {
        const err = p[c]! - (y[i] === c ? 1 : 0);
        if (err === 0) continue;
        const g = gw[c]!;
        for (let q = 0; q < xi.index.length; q++) g[xi.index[q]!] = g[xi.index[q]!]! + err * xi.value[q]!;
        gb[c] = gb[c]! + err;
      }
    }
    for (const c of free) {
      for (let j = 0; j < d; j++) {
        const grad = gw[c]![j]! / n + o.l2 * look[c]![j]!;
        vw[c]![j] = mu * vw[c]![j]! - o.learningRate * grad;
        w[c]![j] = w[c]![j]! + vw[c]![j]!;
      }
      vb[c] = mu * vb[c]! - o.learningRate * (gb[c]! / n);
      b[c] = b[c]! + vb[c]!;
    }
  }
  return { weights: w.map((r) => Array.from(r)), intercepts: Array.from(b) };
}

export interface SvmOptions {
  /** Cost of a margin violation. */
  c: number;
  epochs: number;
  seed: number;
}

/** Linear SVM for labels 0/1 (trained as −1/+1); returns w and b of the decision function w·x + b. */
export function fitLinearSvm(rows: Matrix, y: readonly number[], o: SvmOptions): { w: number[]; b: number } {
  const n = rows.length;
  const d = rows[0]!.length;
  const x = rows.map(sparse);
  // The bias is learnt as the weight of a constant feature 1.
  const w = new Float64Array(d + 1);
  const alpha = new Float64Array(n);
  const qii = x.map((xi) => xi.value.reduce((s, v) => s + v * v, 0) + 1);
  const random = rng(o.seed);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (const i of permutation(n, random)) {
      const xi = x[i]!;
      const yi = y[i] === 1 ? 1 : -1;
      const g = yi * (dot(w, xi) + w[d]!) - 1;
      const a = alpha[i]!;
      const pg = a === 0 ? Math.min(g, 0) : a === o.c ? Math.max(g, 0) : g;
      if (pg === 0) continue;
      const next = Math.min(Math.max(a - g / qii[i]!, 0), o.c);
      const delta = (next - a) * yi;
      alpha[i] = next;
      for (let q = 0; q < xi.index.length; q++) w[xi.index[q]!] = w[xi.index[q]!]! + delta * xi.value[q]!;
      w[d] = w[d]! + delta;
    }
  }
  return { w: Array.from(w.subarray(0, d)), b: w[d]! };
}

/**
 * Platt scaling: p(1 | f) = sigmoid(a·f + b), fitted by Newton's method on decision values f
 * with Platt's smoothed targets.
 */
export function fitPlatt(f: readonly number[], y: readonly number[]): { a: number; b: number } {
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const t = y.map((v) => (v === 1 ? hi : lo));
  let a = 1;
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < f.length; i++) {
      const p = 1 / (1 + Math.exp(-(a * f[i]! + b)));
      const e = p - t[i]!;
      const s = p * (1 - p);
      ga += e * f[i]!;
      gb += e;
      haa += s * f[i]! * f[i]!;
      hab += s * f[i]!;
      hbb += s;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-12) break;
  }
  return { a, b };
}
