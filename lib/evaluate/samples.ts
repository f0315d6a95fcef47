/** Checks and copies of the samples and count tables that the statistics take; every refusal is INVALID_ARGUMENT. */
import { MlPredictError, quote } from '../errors.js';

export function invalid(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

/** A copy of a sample of finite numbers; refuses an empty sample and NaN/±Infinity. */
export function finiteCopy(values: ArrayLike<number>, what: string): Float64Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw invalid(`${what} must be an array of numbers; got ${quote(values)}.`);
  }
  if (values.length === 0) throw invalid(`${what} is empty; a statistical test needs at least one value.`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(`${what} has ${quote(v)} at index ${i}; expected finite numbers only.`);
    }
    out[i] = v;
  }
  return out;
}

/** A sorted copy of a sample of finite numbers. */
export function sortedFinite(values: ArrayLike<number>, what: string): Float64Array {
  return finiteCopy(values, what).sort();
}

/** A table's own entry (never an inherited one such as "constructor"), or 0. */
export function countOf(counts: Readonly<Record<string, number>>, key: string): number {
  return Object.hasOwn(counts, key) ? counts[key]! : 0;
}

/** Checks a table of counts (finite, ≥ 0) and returns its total. */
export function checkCounts(counts: Readonly<Record<string, number>>, what: string): number {
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) {
    throw invalid(`${what} must be an object of counts by category; got ${quote(counts)}.`);
  }
  let total = 0;
  for (const [key, v] of Object.entries(counts)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw invalid(`${what} has ${quote(v)} for category ${quote(key)}; expected a finite number ≥ 0.`);
    }
    total += v;
  }
  if (!(total > 0)) throw invalid(`${what} is empty (its counts add up to ${total}); expected at least one observation.`);
  return total;
}
