import { describe, expect, it } from 'vitest';
import { chiSquaredTest, ksTwoSample, zTestProportions } from '../../lib/evaluate/stats.js';
import { jensenShannon, jensenShannonCounts, jensenShannonDistance, populationStd, sturgesBins, wasserstein1, wassersteinNormed } from '../../lib/evaluate/distances.js';
import { chiSquaredSf, gammaP, gammaQ, kolmogorovSf, logGamma, normalTwoSided } from '../../lib/evaluate/special.js';
import { thrown } from '../helpers.js';
import { mulberry32 as rng } from '../../lib/evaluate/random.js';

/** numpy default_rng(11): normal(0, 1) × 40 and normal(0.6, 1.3) × 31, rounded to 2 places (the samples of the scipy comparisons). */
const SCIPY_A = [
  0.03, 1.36, 1.22, -0.51, -0.3, -0.53, 0.57, -0.06, 0.75, -1.85, 1.57, -0.1, 0.68, -0.14, -0.38, 0.46, 0.82, -0.2, -0.15, 0.69, -0.87,
  -1.51, 0.39, -0.67, -1.92, -0.81, -0.47, -1.19, -1.49, 0.04, 0.9, -0.23, -0.74, 0.38, 0.72, -0.3, 0.54, 1.04, -0.21, -0.81,
];
const SCIPY_B = [
  1.05, 0.92, 2.03, -1.07, -0.26, -0.49, -1.65, 0.76, 1.29, -0.36, 2.4, 1.67, 1.42, 1.12, 1.84, -1.13, 1.4, 1.38, -1.7, 1.05, 0.27, 1.62,
  0.03, 0.58, 1.05, -0.54, 1.38, 0.46, 1.24, -0.08, 2.01,
];



// -------------------------------------------------------------------------------------------
// An independent exact KS computation: enumerate every way of labelling the pooled values
// (C(n+m, n) of them), compute D for each from the two ECDFs in floating point, and count the labellings
// whose D is at least the observed one. That is the exact permutation p-value; without ties it
// equals the lattice-path probability that ksTwoSample computes.

function ecdfD(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

function bruteForceKs(a: readonly number[], b: readonly number[]): { statistic: number; pValue: number; total: number } {
  const pooled = [...a, ...b].sort((x, y) => x - y);
  const n = a.length;
  const N = pooled.length;
  const observed = ecdfD(a, b);
  let total = 0;
  let atLeast = 0;
  // Walk the labellings as a path over the sorted pooled values: D is the largest
  // |i/n − j/m| after each value, so each labelling costs O(N), not O(N²).
  const m = N - n;
  const choose = (start: number, left: number, i: number, j: number, d: number): void => {
    if (start === N) {
      total++;
      if (d >= observed - 1e-12) atLeast++;
      return;
    }
    if (left > 0) {
      const i2 = i + 1;
      choose(start + 1, left - 1, i2, j, Math.max(d, Math.abs(i2 / n - j / m)));
    }
    if (N - start > left) {
      const j2 = j + 1;
      choose(start + 1, left, i, j2, Math.max(d, Math.abs(i / n - j2 / m)));
    }
  };
  choose(0, n, 0, 0, 0);
  return { statistic: observed, pValue: atLeast / total, total };
}

/** n distinct values: a random permutation of 0..N−1 split in two, so there are no ties. */
function distinctSamples(n: number, m: number, seed: number, shift = 0): [number[], number[]] {
  const r = rng(seed);
  const keys = Array.from({ length: n + m }, (_, i) => ({ v: i + 0.5, k: r() + (i < n ? 0 : shift) }));
  keys.sort((x, y) => x.k - y.k);
  const values = keys.map((x) => x.v);
  return [values.slice(0, n), values.slice(n)];
}

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('ksTwoSample', () => {
  it('matches an exact permutation computation (every labelling enumerated) to 1e-9', () => {
    const sizes: [number, number, number][] = [
      [1, 1, 0],
      [1, 5, 0],
      [3, 4, 0.5],
      [5, 5, 0],
      [6, 9, 0.4],
      [4, 12, 0.8],
      [8, 8, 0.3],
      [7, 12, 0],
      [9, 10, 0.6],
      [10, 10, 0.2],
    ];
    let compared = 0;
    for (const [n, m, shift] of sizes) {
      for (let seed = 1; seed <= 3; seed++) {
        const [a, b] = distinctSamples(n, m, seed * 101 + n * 7 + m, shift);
        const brute = bruteForceKs(a, b);
        expect(brute.total).toBe(Math.round(binomial(n + m, n)));
        const ks = ksTwoSample(a, b);
        expect(ks.method).toBe('exact');
        expect(Math.abs(ks.statistic - brute.statistic)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(ks.pValue - brute.pValue)).toBeLessThanOrEqual(1e-9);
        compared++;
      }
    }
    expect(compared).toBe(30);
  });

  it('gives hand-derived p-values: separated samples, interleaved samples', () => {
    // All 3 of a below all 3 of b: only 2 of the C(6, 3) = 20 paths reach D = 1.
    expect(ksTwoSample([1, 2, 3], [4, 5, 6])).toEqual({ statistic: 1, pValue: expect.closeTo(0.1, 15), method: 'exact' });
    // 2 against 3: 2 of C(5, 2) = 10.
    expect(ksTwoSample([5, 4], [1, 2, 3]).pValue).toBeCloseTo(0.2, 15);
    // a = [1, 3], b = [2, 4]: D = 1/2, and every path has |i/2 − j/2| = 1/2 after its first step.
    expect(ksTwoSample([1, 3], [2, 4])).toEqual({ statistic: 0.5, pValue: 1, method: 'exact' });
    // Identical samples: D = 0, p = 1.
    expect(ksTwoSample([1, 2, 3], [3, 2, 1])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('equals the Gnedenko–Korolyuk closed form for equal sizes', () => {
    // P(D ≥ h/n) = 2 Σ_{k≥1} (−1)^{k−1} C(2n, n − kh) / C(2n, n)   (n = m, no ties).
    const n = 50;
    for (const [seed, shift] of [
      [1, 0],
      [2, 0.1],
      [3, 0.25],
      [4, 0.5],
    ] as const) {
      const [a, b] = distinctSamples(n, n, seed, shift);
      const ks = ksTwoSample(a, b);
      const h = Math.round(ks.statistic * n);
      let p = 0;
      for (let k = 1; n - k * h >= 0; k++) p += (k % 2 === 1 ? 2 : -2) * (binomial(2 * n, n - k * h) / binomial(2 * n, n));
      expect(Math.abs(ks.pValue - Math.min(1, p))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('matches scipy.stats.ks_2samp on published samples (scipy 1.17.1)', () => {
    const [a, b] = [SCIPY_A, SCIPY_B];
    const ks = ksTwoSample(a, b);
    expect(ks.statistic).toBeCloseTo(0.4483870967741935, 14);
    expect(Math.abs(ks.pValue - 0.0010559757359912786)).toBeLessThan(1e-15);
    // The test is symmetric.
    expect(ksTwoSample(b, a).pValue).toBeCloseTo(ks.pValue, 15);
  });

  it('handles ties in the statistic as scipy does (right-continuous ECDFs)', () => {
    // scipy: ks_2samp([1,1,2,2,3], [2,3,3,4,4,4]) → D = 0.6333…, p = 0.177489177…
    const ks = ksTwoSample([1, 1, 2, 2, 3], [2, 3, 3, 4, 4, 4]);
    expect(ks.statistic).toBeCloseTo(19 / 30, 15);
    expect(ks.pValue).toBeCloseTo(0.17748917748917747, 14);
    // A naive ECDF walk that steps one value at a time would report 0.8 here (after 1, 1, 2, 2
    // of a but before the 2 of b); D must compare both ECDFs after the whole tied value.
    expect(ecdfD([1, 1, 2, 2, 3], [2, 3, 3, 4, 4, 4])).toBeCloseTo(19 / 30, 15);
  });

  it('uses the asymptotic distribution above 10,000 values, close to the exact p-value', () => {
    const r = rng(5);
    const a = Array.from({ length: 10_001 }, () => r());
    const b = Array.from({ length: 300 }, () => r() * 0.9 + 0.06);
    const auto = ksTwoSample(a, b);
    expect(auto.method).toBe('asymptotic');
    const exact = ksTwoSample(a, b, { method: 'exact' });
    expect(exact.statistic).toBe(auto.statistic);
    expect(Math.abs(auto.pValue - exact.pValue) / exact.pValue).toBeLessThan(0.02);
    expect(ksTwoSample([1, 2, 3], [4, 5, 6], { method: 'asymptotic' }).method).toBe('asymptotic');
  });

  it('refuses empty samples, NaN and unknown methods with INVALID_ARGUMENT quoting the value', () => {
    expect(thrown(() => ksTwoSample([], [1])).code).toBe('INVALID_ARGUMENT');
    const nan = thrown(() => ksTwoSample([1, Number.NaN], [1]));
    expect(nan.code).toBe('INVALID_ARGUMENT');
    expect(nan.message).toMatch(/NaN at index 1/);
    expect(thrown(() => ksTwoSample([1], [Infinity])).message).toMatch(/Infinity at index 0/);
    expect(thrown(() => ksTwoSample([1], [2], { method: 'fast' as 'exact' })).message).toMatch(/"fast"/);
  });
});

describe('special functions', () => {
  it('log-gamma matches known values', () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(10.3)).toBeCloseTo(13.482036786138359, 12);
    expect(logGamma(1e-3)).toBeCloseTo(6.907178885383853, 12);
    expect(logGamma(171.5)).toBeCloseTo(709.1431630309283, 9);
  });

  it('incomplete gamma: series and continued fraction agree with scipy and with closed forms', () => {
    // scipy.special.gammaincc / gammainc
    expect(gammaQ(0.5, 2)).toBeCloseTo(0.04550026389635857, 14);
    expect(gammaP(3.5, 1.2)).toBeCloseTo(0.06556292042202891, 14);
    expect(gammaQ(20, 25)).toBeCloseTo(0.1335748340856504, 13);
    expect(gammaP(100, 90)).toBeCloseTo(0.15822098918643007, 12);
    expect(gammaQ(100, 90)).toBeCloseTo(0.84177901081357, 12);
    expect(gammaQ(1e4, 1.02e4)).toBeCloseTo(0.02328732213359879, 10);
    // a = 1: Q(1, x) = e^{−x}, on both sides of x = a + 1.
    for (const x of [0.1, 1.5, 2.5, 10, 40]) expect(gammaQ(1, x)).toBeCloseTo(Math.exp(-x), 14);
    for (const [a, x] of [
      [0.7, 0.3],
      [4, 9],
      [30, 28],
    ] as const) {
      expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 14);
    }
    expect(gammaQ(2, 0)).toBe(1);
    expect(thrown(() => gammaQ(0, 1)).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => gammaQ(1, Number.NaN)).message).toMatch(/NaN/);
  });

  it('chi-squared survival function: chi2.sf(3.84, 1) ≈ 0.05 and other scipy values', () => {
    expect(chiSquaredSf(3.84, 1)).toBeCloseTo(0.05004352124870519, 13);
    expect(chiSquaredSf(10, 5)).toBeCloseTo(0.07523524614651217, 13);
    expect(chiSquaredSf(100, 80)).toBeCloseTo(0.064570368921133, 12);
    expect(chiSquaredSf(0.5, 3)).toBeCloseTo(0.9188914116546758, 13);
    expect(chiSquaredSf(250, 200)).toBeCloseTo(0.009379131668826098, 12);
    // 2 dof: sf(x) = e^{−x/2}; tiny values keep their relative precision.
    expect(chiSquaredSf(40, 2) / 2.0611536224385566e-9).toBeCloseTo(1, 11);
    expect(chiSquaredSf(1500, 1000) / 1.0454640385980825e-22).toBeCloseTo(1, 8);
  });

  it('normal two-sided tail and Kolmogorov survival function match scipy', () => {
    expect(normalTwoSided(1.96)).toBeCloseTo(0.04999579029644087, 14);
    expect(normalTwoSided(-5) / 5.733031437583866e-7).toBeCloseTo(1, 11);
    expect(normalTwoSided(0)).toBe(1);
    // scipy.stats.kstwobign.sf, on both sides of the switch at x = 1.
    const known: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.2, 0.11224966667072497],
      [1.3581, 0.0499996304316674],
      [2.0, 0.0006709252557796953],
    ];
    for (const [x, p] of known) expect(Math.abs(kolmogorovSf(x) - p)).toBeLessThan(1e-14);
    expect(kolmogorovSf(0)).toBe(1);
  });
});

describe('chiSquaredTest', () => {
  it('matches scipy.stats.chisquare with expected counts from proportions', () => {
    expect(chiSquaredTest({ a: 30, b: 70 }, { a: 0.5, b: 0.5 })).toEqual({ statistic: 16, pValue: expect.closeTo(6.334248366623988e-5, 17), dof: 1 });
    const r = chiSquaredTest({ w: 10, x: 20, y: 30, z: 40 }, { w: 1, x: 1, y: 1, z: 1 });
    expect(r.statistic).toBeCloseTo(20, 12);
    expect(r.pValue).toBeCloseTo(0.00016974243555282632, 16);
    expect(r.dof).toBe(3);
  });

  it('is Evidently’s chisquare drift test: current counts against reference counts scaled to the current size', () => {
    // Evidently: f_exp = reference counts × (current size / reference size), f_obs = current counts.
    const r = chiSquaredTest({ a: 20, b: 25, c: 15 }, { a: 50, b: 30, c: 20 });
    expect(r.statistic).toBeCloseTo(6.805555555555555, 12);
    expect(r.pValue).toBeCloseTo(0.033280695068423294, 14);
    expect(r.dof).toBe(2);
  });

  it('categories missing on one side: a new category is infinitely unlikely; a vanished one counts', () => {
    expect(chiSquaredTest({ a: 5, new: 1 }, { a: 1 })).toEqual({ statistic: Infinity, pValue: 0, dof: 1 });
    // Expected {a: 5, b: 5}, observed {a: 10}: (10−5)²/5 + (0−5)²/5 = 10.
    expect(chiSquaredTest({ a: 10 }, { a: 1, b: 1 }).statistic).toBeCloseTo(10, 12);
    expect(chiSquaredTest({ a: 3 }, { a: 7 })).toEqual({ statistic: 0, pValue: 1, dof: 0 });
  });

  it('reads only the tables’ own keys: a category named "toString" is new, not inherited', () => {
    expect(chiSquaredTest({ toString: 2, a: 1 }, { a: 1 })).toEqual({ statistic: Infinity, pValue: 0, dof: 1 });
    expect(chiSquaredTest({ constructor: 5, a: 5 }, { constructor: 1, a: 1 }).statistic).toBe(0);
    expect(jensenShannonCounts({ constructor: 1 }, { a: 1 })).toBeCloseTo(1, 14);
  });

  it('refuses negative, NaN and empty counts', () => {
    expect(thrown(() => chiSquaredTest({ a: -1, b: 2 }, { a: 1 })).message).toMatch(/-1 for category "a"/);
    expect(thrown(() => chiSquaredTest({ a: Number.NaN }, { a: 1 })).message).toMatch(/NaN/);
    expect(thrown(() => chiSquaredTest({}, { a: 1 })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('zTestProportions', () => {
  it('matches Evidently’s two-proportion z-test', () => {
    // reference 60 × 0, 40 × 1; current 30 × 0, 45 × 1 → z = −2.6197, p = 0.0088011 (scipy norm).
    const r = zTestProportions({ '0': 60, '1': 40 }, { '0': 30, '1': 45 });
    expect(r.statistic).toBeCloseTo(-2.619684159977919, 12);
    expect(r.pValue).toBeCloseTo(0.008801123765284746, 14);
    expect(zTestProportions({ yes: 5 }, { yes: 9 })).toEqual({ statistic: 0, pValue: 1 });
    expect(thrown(() => zTestProportions({ a: 1, b: 1, c: 1 }, { a: 1 })).message).toMatch(/two categories; got 3/);
  });
});

describe('distances', () => {
  const [a, b] = [SCIPY_A, SCIPY_B];

  it('Wasserstein-1 on hand-checked cases and against scipy', () => {
    // Every unit of mass moves 5: W = 5.
    expect(wasserstein1([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 14);
    // ∫|F_a − F_b|: on [0,1) |1/4 − 2/3|, [1,2) |2/4 − 2/3|, [2,3) |3/4 − 2/3|, [3,5) |1 − 2/3|
    // = 5/12 + 2/12 + 1/12 + 8/12 = 4/3.
    expect(wasserstein1([0, 1, 2, 3], [0, 0, 5])).toBeCloseTo(4 / 3, 14);
    expect(wasserstein1([2, 2], [2])).toBe(0);
    expect(wasserstein1(a, b)).toBeCloseTo(0.7228387096774195, 13);
    expect(populationStd(a)).toBeCloseTo(0.8457872072808857, 14);
    expect(wassersteinNormed(a, b)).toBeCloseTo(0.8546342430518281, 13);
    // A shift by 2 std moves every value by 2 std: normalised W = 2.
    expect(wassersteinNormed(a, a.map((v) => v + 2 * populationStd(a)))).toBeCloseTo(2, 12);
    // Evidently floors the std at 0.001.
    expect(wassersteinNormed([1, 1, 1], [1.01, 1.01])).toBeCloseTo(10, 10);
    expect(wassersteinNormed([0, 1], [0, 2], 4)).toBeCloseTo(0.125, 14);
  });

  it('Jensen–Shannon distance (√ divergence, base 2) on hand-checked cases and scipy values', () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 14);
    expect(jensenShannonDistance([0.2, 0.8], [2, 8])).toBeCloseTo(0, 7);
    // P = (½, ½), Q = (1, 0): M = (¾, ¼); KL(P‖M) = ½ log₂(2/3) + ½ log₂ 2, KL(Q‖M) = log₂(4/3).
    const js = (0.5 * Math.log2(2 / 3) + 0.5 * Math.log2(2) + Math.log2(4 / 3)) / 2;
    expect(jensenShannonDistance([0.5, 0.5], [1, 0])).toBeCloseTo(Math.sqrt(js), 14);
    expect(jensenShannonDistance([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(0.3831358798599423, 14);
    expect(jensenShannonDistance([1, 2, 3], [3, 2, 1])).toBeCloseTo(0.35470351519813204, 14);
    expect(jensenShannonCounts({ x: 1, y: 2, z: 3 }, { z: 1, y: 2, x: 3 })).toBeCloseTo(0.35470351519813204, 14);
  });

  it('bins numeric samples as Evidently does: Sturges bins over both samples', () => {
    expect(sturgesBins(71)).toBe(8);
    // Evidently get_binned_data + scipy jensenshannon(base 2) on a, b → 0.40900653304489365.
    expect(jensenShannon(a, b)).toBeCloseTo(0.40900653304489365, 13);
    // ≤ 20 distinct reference values: each value is a category.
    expect(jensenShannon([0, 0, 1, 1], [0, 1, 1, 1])).toBeCloseTo(jensenShannonDistance([2, 2], [1, 3]), 14);
    expect(thrown(() => jensenShannon(a, b, 0)).code).toBe('INVALID_ARGUMENT');
  });
});
