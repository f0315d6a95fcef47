/**
 * The one error class of ml-predict. Every failure a caller can act on carries a stable `code`;
 * messages quote the bad value and list the valid ones. Codes survive the worker boundary
 * through `toWire` / `fromWire`.
 */
export type MlPredictErrorCode =
  | 'INVALID_ARGUMENT'
  | 'FETCH_FAILED'
  | 'INTEGRITY_MISMATCH'
  | 'MODEL_INVALID'
  | 'UNSUPPORTED_MODEL'
  | 'NO_BACKEND'
  | 'INPUT_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'CACHE_CORRUPT'
  | 'CACHE_UNAVAILABLE'
  | 'WORKER_CRASHED'
  | 'ABORTED'
  | 'DISPOSED'
  | 'CARD_INVALID'
  | 'REGISTRY_INVALID'
  | 'UNKNOWN_MODEL'
  | 'CSV_INVALID'
  | 'RUN_FAILED'
  | 'OUT_OF_MEMORY'
  | 'INTERNAL';

export const ERROR_CODES: readonly MlPredictErrorCode[] = [
  'INVALID_ARGUMENT',
  'FETCH_FAILED',
  'INTEGRITY_MISMATCH',
  'MODEL_INVALID',
  'UNSUPPORTED_MODEL',
  'NO_BACKEND',
  'INPUT_MISMATCH',
  'QUOTA_EXCEEDED',
  'CACHE_CORRUPT',
  'CACHE_UNAVAILABLE',
  'WORKER_CRASHED',
  'ABORTED',
  'DISPOSED',
  'CARD_INVALID',
  'REGISTRY_INVALID',
  'UNKNOWN_MODEL',
  'CSV_INVALID',
  'RUN_FAILED',
  'OUT_OF_MEMORY',
  'INTERNAL',
];

export interface MlPredictErrorDetails {
  [key: string]: unknown;
}

export class MlPredictError extends Error {
  override readonly name = 'MlPredictError';
  readonly code: MlPredictErrorCode;
  /** Structured facts behind the message (e.g. bytes needed/available, each backend's reason). */
  readonly details: MlPredictErrorDetails | undefined;

  constructor(code: MlPredictErrorCode, message: string, details?: MlPredictErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

export function isMlPredictError(e: unknown, code?: MlPredictErrorCode): e is MlPredictError {
  return e instanceof MlPredictError && (code === undefined || e.code === code);
}

/** Serialisable form of an error, for crossing the worker boundary. */
export interface WireError {
  name: string;
  code: MlPredictErrorCode;
  message: string;
  details?: MlPredictErrorDetails;
  stack?: string;
}

export function toWire(e: unknown): WireError {
  if (e instanceof MlPredictError) {
    return { name: e.name, code: e.code, message: e.message, details: e.details, stack: e.stack };
  }
  if (e instanceof Error) {
    return { name: e.name, code: 'INTERNAL', message: e.message, stack: e.stack };
  }
  return { name: 'Error', code: 'INTERNAL', message: String(e) };
}

export function fromWire(w: WireError): MlPredictError {
  const err = new MlPredictError(w.code, w.message, w.details);
  if (w.stack) err.stack = w.stack;
  return err;
}

/** How deep quote() looks into arrays, and how much of a string or list it shows. */
const QUOTE_DEPTH = 3;
const QUOTE_STRING = 200;
const QUOTE_ITEMS = 8;

/**
 * Quotes a value for an error message: strings in double quotes, bigints with their `n`, other
 * values as JSON-ish text, bounded in depth and length. Never throws, whatever the value
 * (cycles, revoked proxies, throwing getters, 20,000 levels of nesting).
 */
export function quote(value: unknown, depth = 0): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value.length > QUOTE_STRING ? `${value.slice(0, QUOTE_STRING - 1)}…` : value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === undefined) return 'undefined';
    if (value === null) return 'null';
    if (typeof value === 'symbol') return value.toString();
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    if (Array.isArray(value)) {
      if (depth >= QUOTE_DEPTH) return '[…]';
      const items = Array.from({ length: Math.min(value.length, QUOTE_ITEMS) }, (_, i) => quote(value[i], depth + 1));
      return `[${items.join(', ')}${value.length > QUOTE_ITEMS ? ', …' : ''}]`;
    }
    if (ArrayBuffer.isView(value)) {
      const kind = Object.prototype.toString.call(value).slice(8, -1);
      return value instanceof DataView ? `DataView(${value.byteLength} bytes)` : `${kind}(${(value as unknown as ArrayLike<unknown>).length})`;
    }
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (json === undefined) return Object.prototype.toString.call(value);
    return json.length > 80 ? `${json.slice(0, 77)}…` : json;
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '(a value that cannot be read)';
    }
  }
}

/** `one of: "a", "b"` */
export function oneOf(values: readonly unknown[]): string {
  return values.length === 0 ? '(none)' : values.map(quote).join(', ');
}

/** The ABORTED error for an abort `reason`; a reason that is already an MlPredictError is returned as it is. */
export function abortError(reason?: unknown): MlPredictError {
  if (reason instanceof MlPredictError) return reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new MlPredictError('ABORTED', `The operation was aborted${why ? `: ${why}` : ''}.`);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal.reason);
}

/**
 * The one abort race of ml-predict: settles as `work` does, or rejects with `abortError(signal.reason)`
 * as soon as `signal` aborts (at once when it already has), calling `onAbort` first, once, so the caller
 * can stop the work elsewhere (a call in the worker, a load). The listener is removed when either
 * settles; a rejection of `work` after the abort is ignored.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(abortError(signal.reason));
    };
    if (signal.aborted) {
      work.catch(() => undefined);
      return abort();
    }
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
