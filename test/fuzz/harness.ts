/**
 * What every fuzz case asserts after it: the call settled within a bound, any failure is an
 * MlPredictError with one of the codes allowed for the case and a message without onnxruntime's
 * build paths, and a known-good model still loads and predicts right (the worker is alive).
 */
import { expect } from 'vitest';
import { loadModel, MlPredictError, type MlPredictErrorCode } from '../../lib/index.js';
import { inputRows, sigmoidModel } from '../fixtures/models.js';
import { Timeout, within } from '../helpers.js';

export { within };

/** FUZZ_LONG=1 (npm run fuzz -- --long): ten times the cases, other seeds. */
export const LONG = import.meta.env.VITE_FUZZ_LONG === '1';
export const SCALE = LONG ? 10 : 1;

export type Outcome = { ok: true } | { ok: false; code: MlPredictErrorCode };

/**
 * The broken promises of one run, collected so that a run reports all of them, not the first:
 * a hang, a raw error, a wrong code, a build path in a message.
 */
export class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
  /** Distinct problems with their first example and a count, for the failure message. */
  summary(): string[] {
    const byKind = new Map<string, { examples: string[]; count: number }>();
    for (const p of this.list) {
      const kind = p.replace(/^[^:]*: /, '').replace(/\d+/g, 'N').slice(0, 120);
      const seen = byKind.get(kind) ?? { examples: [], count: 0 };
      seen.count++;
      if (seen.examples.length < 3) seen.examples.push(p.slice(0, 400));
      byKind.set(kind, seen);
    }
    return [...byKind.values()].map(({ examples, count }) => `${count}× ${examples.join(' | ')}`);
  }
}

/**
 * Settles `promise` into an outcome and records a problem unless it is success (where `okAllowed`)
 * or an MlPredictError with one of `codes`, a message, and no build path, within `ms`.
 */
export async function check(
  problems: Problems,
  label: string,
  promise: Promise<unknown>,
  codes: readonly MlPredictErrorCode[],
  { okAllowed = true, ms = 20_000 }: { okAllowed?: boolean; ms?: number } = {},
): Promise<Outcome> {
  try {
    await within(ms, promise, label);
    if (!okAllowed) problems.add(`${label}: succeeded, but must fail with one of ${codes.join(', ')}`);
    return { ok: true };
  } catch (e) {
    if (e instanceof Timeout) {
      problems.add(`${label}: ${e.message}`);
      return { ok: false, code: 'INTERNAL' };
    }
    if (!(e instanceof MlPredictError)) {
      problems.add(`${label}: rejected with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not an MlPredictError`);
      return { ok: false, code: 'INTERNAL' };
    }
    if (!codes.includes(e.code)) problems.add(`${label}: rejected with ${e.code} (${e.message.slice(0, 200)}), expected one of ${codes.join(', ')}`);
    if (e.message.length === 0) problems.add(`${label}: ${e.code} with an empty message`);
    if (/\.(cc|cpp|h):\d+/.test(e.message)) problems.add(`${label}: a build path in the message: ${e.message.slice(0, 300)}`);
    return { ok: false, code: e.code };
  }
}

let good: { bytes: Uint8Array; x: number[][]; y: number[] } | undefined;

/** The known-good model predicts what it predicted before the cases began. */
export async function expectHealthy(after: string): Promise<void> {
  if (!good) {
    const bytes = sigmoidModel();
    const x = inputRows(3, 4);
    const model = await loadModel(bytes, { backend: 'wasm', cache: 'none', name: 'known-good' });
    good = { bytes, x, y: Array.from((await model.predict({ x })).y!.data as Float32Array) };
    await model.dispose();
    return;
  }
  const { bytes, x, y } = good;
  const model = await within(30_000, loadModel(bytes, { backend: 'wasm', cache: 'none', name: 'known-good' }), `the known-good model after ${after}`);
  const out = await within(30_000, model.predict({ x }), `the known-good predict after ${after}`);
  expect(Array.from(out.y!.data as Float32Array), `known-good output after ${after}`).toEqual(y);
  await model.dispose();
}

/** Counts of outcomes by category, printed at the end of a file for the record. */
export class Tally {
  private readonly counts = new Map<string, Map<string, number>>();
  add(category: string, outcome: Outcome): void {
    const row = this.counts.get(category) ?? new Map<string, number>();
    const key = outcome.ok ? 'ok' : outcome.code;
    row.set(key, (row.get(key) ?? 0) + 1);
    this.counts.set(category, row);
  }
  get total(): number {
    let n = 0;
    for (const row of this.counts.values()) for (const v of row.values()) n += v;
    return n;
  }
  toString(): string {
    return [...this.counts]
      .map(([category, row]) => `${category}: ${[...row].map(([k, v]) => `${k} ${v}`).join(', ')}`)
      .join('\n');
  }
}
