/**
 * Decision trees (CART) for classification (Gini) and regression (squared error), random
 * forests and gradient-boosted regression trees, in plain TypeScript with seeded randomness.
 *
 * onnxruntime compares float32 features with float32 thresholds, so training does the same:
 * features are rounded to float32 first, thresholds are float32 values, and a row goes left
 * when feature ≤ threshold (BRANCH_LEQ).
 */
import { permutation, rng } from '../rng.js';

export type TreeNode =
  | { leaf: false; feature: number; threshold: number; left: TreeNode; right: TreeNode }
  | { leaf: true; value: number[] };

export interface TreeOptions {
  maxDepth: number;
  minLeaf: number;
  /** Features tried at each split (random subset); default all. */
  maxFeatures?: number;
  random?: () => number;
}

/** Rounds every value to float32, as onnxruntime sees it. */
export function toFloat32Rows(x: readonly ArrayLike<number>[]): Float32Array[] {
  return x.map((r) => Float32Array.from(r as ArrayLike<number>));
}

interface Target {
  /** Leaf value of a set of rows. */
  leaf(rows: readonly number[]): number[];
  /** Impurity helper: a running accumulator over rows. */
  make(): Acc;
}

interface Acc {
  add(row: number): void;
  remove(row: number): void;
  /** n × impurity of the rows added so far. */
  cost(): number;
  count: number;
}

function classTarget(y: readonly number[], k: number, weights?: readonly number[]): Target {
  const wOf = (i: number) => (weights ? weights[i]! : 1);
  return {
    leaf(rows) {
      const c = new Array<number>(k).fill(0);
      let total = 0;
      for (const r of rows) {
        c[y[r]!] = c[y[r]!]! + wOf(r);
        total += wOf(r);
      }
      return c.map((v) => v / total);
    },
    make() {
      const c = new Float64Array(k);
      let total = 0;
      const acc: Acc = {
        count: 0,
        add(r) {
          c[y[r]!] = c[y[r]!]! + wOf(r);
          total += wOf(r);
          acc.count++;
        },
        remove(r) {
          c[y[r]!] = c[y[r]!]! - wOf(r);
          total -= wOf(r);
          acc.count--;
        },
        cost() {
          if (total <= 0) return 0;
          let s = 0;
          for (let j = 0; j < k; j++) s += c[j]! * c[j]!;
          return total - s / total; // total × Gini
        },
      };
      return acc;
    },
  };
}

function valueTarget(y: readonly number[]): Target {
  return {
    leaf(rows) {
      let s = 0;
      for (const r of rows) s += y[r]!;
      return [s / rows.length];
    },
    make() {
      let s = 0;
      let s2 = 0;
      const acc: Acc = {
        count: 0,
        add(r) {
          s += y[r]!;
          s2 += y[r]! * y[r]!;
          acc.count++;
        },
        remove(r) {
          s -= y[r]!;
          s2 -= y[r]! * y[r]!;
          acc.count--;
        },
        cost() {
          return acc.count === 0 ? 0 : s2 - (s * s) / acc.count; // n × variance
        },
      };
      return acc;
    },
  };
}

function grow(x: readonly Float32Array[], rows: number[], target: Target, o: TreeOptions, depth: number): TreeNode {
  const leaf = (): TreeNode => ({ leaf: true, value: target.leaf(rows) });
  if (depth >= o.maxDepth || rows.length < 2 * o.minLeaf) return leaf();
  const all = target.make();
  for (const r of rows) all.add(r);
  const parentCost = all.cost();
  if (parentCost <= 1e-12) return leaf();
  const d = x[0]!.length;
  const features = o.maxFeatures && o.maxFeatures < d && o.random ? permutation(d, o.random).slice(0, o.maxFeatures) : Array.from({ length: d }, (_, i) => i);
  let best: { feature: number; threshold: number; cost: number } | undefined;
  for (const f of features) {
    const sorted = [...rows].sort((a, b) => x[a]![f]! - x[b]![f]! || a - b);
    const left = target.make();
    const right = target.make();
    for (const r of sorted) right.add(r);
    for (let i = 0; i < sorted.length - 1; i++) {
      left.add(sorted[i]!);
      right.remove(sorted[i]!);
      const a = x[sorted[i]!]![f]!;
      const b = x[sorted[i + 1]!]![f]!;
      if (a === b || left.count < o.minLeaf || right.count < o.minLeaf) continue;
      const cost = left.cost() + right.cost();
      if (!best || cost < best.cost - 1e-12) {
        let t = Math.fround((a + b) / 2);
        if (!(t >= a && t < b)) t = a;
        best = { feature: f, threshold: t, cost };
      }
    }
  }
  if (!best || best.cost >= parentCost - 1e-12) return leaf();
  const l: number[] = [];
  const r: number[] = [];
  for (const row of rows) (x[row]![best.feature]! <= best.threshold ? l : r).push(row);
  return {
    leaf: false,
    feature: best.feature,
    threshold: best.threshold,
    left: grow(x, l, target, o, depth + 1),
    right: grow(x, r, target, o, depth + 1),
  };
}

export function fitClassTree(x: readonly Float32Array[], y: readonly number[], k: number, o: TreeOptions, rows?: number[]): TreeNode {
  return grow(x, rows ?? x.map((_, i) => i), classTarget(y, k), o, 0);
}

export function fitValueTree(x: readonly Float32Array[], y: readonly number[], o: TreeOptions, rows?: number[]): TreeNode {
  return grow(x, rows ?? x.map((_, i) => i), valueTarget(y), o, 0);
}

/** The leaf a row reaches, comparing float32 values like onnxruntime. */
export function leafOf(tree: TreeNode, row: ArrayLike<number>): number[] {
  let node = tree;
  while (!node.leaf) node = Math.fround(row[node.feature]!) <= node.threshold ? node.left : node.right;
  return node.value;
}

export function countNodes(tree: TreeNode): number {
  return tree.leaf ? 1 : 1 + countNodes(tree.left) + countNodes(tree.right);
}

export function treeDepth(tree: TreeNode): number {
  return tree.leaf ? 0 : 1 + Math.max(treeDepth(tree.left), treeDepth(tree.right));
}

export interface ForestOptions extends TreeOptions {
  trees: number;
  seed: number;
}

/** Random forest: bootstrap rows, a random subset of features at each split; average of leaf probabilities. */
export function fitForest(x: readonly Float32Array[], y: readonly number[], k: number, o: ForestOptions): TreeNode[] {
  const random = rng(o.seed);
  const trees: TreeNode[] = [];
  for (let t = 0; t < o.trees; t++) {
    const rows = Array.from({ length: x.length }, () => Math.floor(random() * x.length));
    trees.push(fitClassTree(x, y, k, { ...o, random }, rows));
  }
  return trees;
}

export interface BoostOptions {
  trees: number;
  learningRate: number;
  maxDepth: number;
  minLeaf: number;
  /** Fraction of rows drawn (without replacement) for each tree. */
  subsample: number;
  seed: number;
}

/** Gradient-boosted regression trees on squared error: base + Σ learningRate × tree. Leaves hold the scaled values. */
export function fitBoosted(x: readonly Float32Array[], y: readonly number[], o: BoostOptions): { base: number; trees: TreeNode[] } {
  const random = rng(o.seed);
  const base = y.reduce((a, b) => a + b, 0) / y.length;
  const pred = y.map(() => base);
  const trees: TreeNode[] = [];
  for (let t = 0; t < o.trees; t++) {
    const residual = y.map((v, i) => v - pred[i]!);
    const rows = permutation(x.length, random)
      .slice(0, Math.max(1, Math.round(x.length * o.subsample)))
      .sort((a, b) => a - b);
    const tree = scaleLeaves(fitValueTree(x, residual, { maxDepth: o.maxDepth, minLeaf: o.minLeaf }, rows), o.learningRate);
    trees.push(tree);
    for (let i = 0; i < x.length; i++) pred[i] = pred[i]! + leafOf(tree, x[i]!)[0]!;
  }
  return { base, trees };
}

function scaleLeaves(tree: TreeNode, s: number): TreeNode {
  if (tree.leaf) return { leaf: true, value: tree.value.map((v) => Math.fround(v * s)) };
  return { ...tree, left: scaleLeaves(tree.left, s), right: scaleLeaves(tree.right, s) };
}
