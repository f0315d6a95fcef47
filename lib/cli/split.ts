/**
 * Seeded shuffles and train/test splits: the same seed gives the same rows everywhere (the model
 * kit's splits and `ml-predict card --holdout`). Pure.
 */
import { mulberry32 } from '../evaluate/random.js';

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, random: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface Split {
  train: number[];
  test: number[];
}

/**
 * A train/test split of row indices, stratified by label when labels are given (each class is
 * split in the same proportion), shuffled with a fixed seed. Indices come back sorted.
 */
export function split(n: number, testFraction: number, seed: number, labels?: readonly number[]): Split {
  const random = mulberry32(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels ? labels[i]! : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = groups.get(key)!;
    const order = permutation(rows.length, random).map((i) => rows[i]!);
    const nTest = Math.round(rows.length * testFraction);
    test.push(...order.slice(0, nTest));
    train.push(...order.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

export function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => values[i]!);
}
