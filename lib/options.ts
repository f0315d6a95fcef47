/**
 * The one option checker: every public function that takes an options object declares its
 * options here as rules and gets the same messages (`Unknown option "x" for f(). Expected one
 * of: …`, `Option "x" of f() is …. Expected …`), all `INVALID_ARGUMENT`.
 */
import { MlPredictError, oneOf, quote } from './errors.js';

/** What one option may be; `undefined` is always allowed (the option's default). */
export type OptionRule =
  | 'function'
  | 'signal'
  | 'string'
  | 'boolean'
  | 'object'
  | { readonly oneOf: readonly string[] }
  | { readonly integer: readonly [min: number, max: number] }
  | { readonly number: readonly [min: number, max: number]; readonly unit?: string }
  /** A check of its own: throws (or returns a message of what was expected). */
  | ((value: unknown) => string | undefined | void);

export type OptionRules = Readonly<Record<string, OptionRule>>;

function expected(rule: OptionRule, value: unknown): string | undefined {
  if (typeof rule === 'function') return rule(value) || undefined;
  switch (rule) {
    case 'function':
      return typeof value === 'function' ? undefined : 'a function';
    case 'signal':
      return value instanceof AbortSignal ? undefined : 'an AbortSignal';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'object':
      return value !== null && typeof value === 'object' ? undefined : 'an object';
  }
  if ('oneOf' in rule) return rule.oneOf.includes(value as string) ? undefined : `one of: ${oneOf(rule.oneOf)}`;
  if ('integer' in rule) {
    const [min, max] = rule.integer;
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? undefined : `an integer from ${min} to ${max}`;
  }
  const [min, max] = rule.number;
  const ok = typeof value === 'number' && value >= min && value <= max;
  return ok ? undefined : `${rule.unit ?? 'a number'} from ${min} to ${max}`;
}

/**
 * Checks `options` of `where` (e.g. `"loadModel()"`) against `rules`: it must be an object
 * (or undefined), have no key without a rule, and every defined value must pass its rule.
 * Returns the options, typed, with `{}` for undefined.
 */
export function checkOptions<T extends object>(options: T | undefined, where: string, rules: OptionRules): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new MlPredictError('INVALID_ARGUMENT', `Options of ${where} must be an object, got ${quote(options)}.`);
  }
  const known = Object.keys(rules);
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(rules, key)) {
      throw new MlPredictError('INVALID_ARGUMENT', `Unknown option ${quote(key)} for ${where}. Expected one of: ${oneOf(known)}.`);
    }
  }
  for (const [key, rule] of Object.entries(rules)) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const want = expected(rule, value);
    if (want !== undefined) throw new MlPredictError('INVALID_ARGUMENT', `Option ${quote(key)} of ${where} is ${quote(value)}. Expected ${want}.`);
  }
  return options;
}

/** `workers` of predictBatch() and batch jobs: sessions in the pool. */
export const WORKERS_RULE = { integer: [1, 16] } as const satisfies OptionRule;
/** `batchSize` of predictBatch() and batch jobs: rows per chunk. */
export const BATCH_SIZE_RULE = { integer: [1, 1_000_000] } as const satisfies OptionRule;
/** `maxBytes` of loadModel() and prefetchModel(): the model cache's budget, in bytes. */
export const MAX_BYTES_RULE: OptionRule = (value) => (typeof value === 'number' && value >= 0 ? undefined : 'a number of bytes ≥ 0');
