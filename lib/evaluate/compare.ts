/**
 * compareModels(): two models (e.g. two versions of one) on the same rows, read with their
 * cards and compared like a shadow evaluation: agreement, probability differences, latency.
 */
import { MlPredictError, quote, throwIfAborted } from '../errors.js';
import type { CardValues } from '../model/interpret.js';
import type { Model } from '../types.js';
import { checkOptions } from '../options.js';
import { AGREEMENT_RULES, AgreementTracker, type AgreementOptions, type AgreementReport } from './agreement.js';

export interface CompareOptions extends AgreementOptions {
  signal?: AbortSignal;
  /** Rows compared so far, out of all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Predicts every row with both models (each row as its card reads it: feature values by name,
 * or a text) and reports how often they agree. `a` is the reference (the active version), `b` the
 * candidate.
 */
export async function compareModels(a: Model, b: Model, rows: readonly CardValues[], options: CompareOptions = {}): Promise<AgreementReport> {
  checkOptions(options, 'compareModels()', { ...AGREEMENT_RULES, signal: 'signal', onProgress: 'function' });
  for (const [side, m] of [['a', a], ['b', b]] as const) {
    if (!m.info.card) {
      throw new MlPredictError('INVALID_ARGUMENT', `compareModels(): model ${side} (${quote(m.info.name)}) has no card, so its outputs cannot be read and compared.`);
    }
  }
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new MlPredictError('INVALID_ARGUMENT', `compareModels() needs a non-empty array of rows; got ${quote(rows)}.`);
  }
  const { signal, onProgress, ...agreement } = options;
  const tracker = new AgreementTracker(agreement);
  for (let i = 0; i < rows.length; i++) {
    throwIfAborted(signal);
    const t0 = performance.now();
    const ra = await a.predictValues(rows[i]!, { signal });
    const t1 = performance.now();
    const rb = await b.predictValues(rows[i]!, { signal });
    const t2 = performance.now();
    tracker.add(ra.results[0]!, rb.results[0]!, { a: t1 - t0, b: t2 - t1 });
    onProgress?.(i + 1, rows.length);
  }
  return tracker.report();
}
