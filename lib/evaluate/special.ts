/**
 * Special functions behind the p-values of the drift tests: log-gamma, the regularised incomplete
 * gamma functions, the chi-squared and normal tails, and the Kolmogorov distribution. Pure.
 */
import { quote } from '../errors.js';
import { invalid } from './samples.js';

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw invalid(`logGamma needs a finite x > 0; got ${quote(x)}.`);
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const GAMMA_EPS = 1e-16;
const GAMMA_TINY = 1e-300;

/** P(a, x) by its series; converges fast for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  const maxIter = 100_000 + Math.ceil(10 * Math.sqrt(a));
  for (let n = 0; n < maxIter; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * GAMMA_EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges fast for x ≥ a + 1. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / GAMMA_TINY;
  let d = 1 / b;
  let h = d;
  const maxIter = 100_000 + Math.ceil(10 * Math.sqrt(a));
  for (let i = 1; i < maxIter; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < GAMMA_TINY) d = GAMMA_TINY;
    c = b + an / c;
    if (Math.abs(c) < GAMMA_TINY) c = GAMMA_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function checkGammaArgs(name: string, a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a)) throw invalid(`${name} needs a finite a > 0; got a = ${quote(a)}.`);
  if (!(x >= 0) || Number.isNaN(x)) throw invalid(`${name} needs x ≥ 0; got x = ${quote(x)}.`);
}

/**
 * The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a): a series below
 * x = a + 1, the continued fraction of Q above it (Numerical Recipes, §6.2).
 */
export function gammaP(a: number, x: number): number {
  checkGammaArgs('gammaP', a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x). */
export function gammaQ(a: number, x: number): number {
  checkGammaArgs('gammaQ', a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/** Survival function of the chi-squared distribution: P(X ≥ x) for `dof` degrees of freedom. */
export function chiSquaredSf(x: number, dof: number): number {
  if (!(dof > 0) || !Number.isFinite(dof)) throw invalid(`chiSquaredSf needs dof > 0; got ${quote(dof)}.`);
  if (Number.isNaN(x)) throw invalid(`chiSquaredSf needs a number x; got ${quote(x)}.`);
  if (x <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

/** Two-sided tail of the standard normal distribution: P(|Z| ≥ |z|) = erfc(|z| / √2). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) throw invalid(`normalTwoSided needs a number; got ${quote(z)}.`);
  // erfc(t) = Q(1/2, t²) for t ≥ 0.
  return gammaQ(0.5, (z * z) / 2);
}

/**
 * Survival function of the Kolmogorov distribution (the limit of √n·D_n): P(K > x) =
 * 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²}; below x = 1, 1 − (√(2π)/x) Σ_{k≥1} e^{−(2k−1)²π²/(8x²)},
 * which converges fast there. This is scipy's `kstwobign.sf`.
 */
export function kolmogorovSf(x: number): number {
  if (Number.isNaN(x)) throw invalid(`kolmogorovSf needs a number; got ${quote(x)}.`);
  if (x <= 0) return 1;
  if (x < 1) {
    const t = -(Math.PI * Math.PI) / (8 * x * x);
    let sum = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(t * (2 * k - 1) * (2 * k - 1));
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * sum));
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
