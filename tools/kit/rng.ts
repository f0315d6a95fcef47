/** Seeded pseudo-random numbers and splits: the same seed gives the same numbers everywhere. */

import { mulberry32 } from '../../lib/evaluate/random.js';

/** mulberry32: uniform numbers in [0, 1). */
export const rng = mulberry32;

/** Standard normal numbers (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Shuffles, splits and picks: lib/cli/split.ts, shared with `ml-predict card --holdout`. */
export { permutation, pick, split, type Split } from '../../lib/cli/split.js';
