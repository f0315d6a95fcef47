/** Helpers shared by browser tests. */
import { MlPredictError } from '../lib/errors.js';

/** The rejection of within(): a call that did not settle in time. */
export class Timeout extends Error {}

/** `promise`, or a Timeout rejection after `ms` naming `what`: no test waits without a bound. */
export function within<T>(ms: number, promise: Promise<T>, what = 'the call'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Puts bytes on the test server; returns their URL. */
export async function putFile(name: string, bytes: Uint8Array | string, type = 'application/octet-stream'): Promise<string> {
  const res = await fetch(`/__test/files/${encodeURIComponent(name)}`, { method: 'PUT', body: bytes as BodyInit, headers: { 'content-type': type } });
  if (!res.ok) throw new Error(`putFile ${name}: ${res.status}`);
  return new URL(`/__test/files/${encodeURIComponent(name)}`, location.href).href;
}

/** How many requests the test server saw for a file. */
export async function requestCount(name: string): Promise<number> {
  const res = await fetch(`/__test/count/${encodeURIComponent(name)}`);
  return ((await res.json()) as { count: number }).count;
}

/** Awaits a rejection and returns the MlPredictError (fails the test on anything else). */
export async function rejection(p: Promise<unknown>): Promise<MlPredictError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MlPredictError) return e;
    throw new Error(`expected an MlPredictError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Runs `fn` and returns the MlPredictError it throws (fails the test on anything else). */
export function thrown(fn: () => unknown): MlPredictError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlPredictError) return e;
    throw e;
  }
  throw new Error('expected an MlPredictError to be thrown');
}

let unique = 0;
export const uniqueName = (base: string): string => `${base}-${Date.now().toString(36)}-${++unique}.onnx`;

/**
 * Records the page's uncaught errors and unhandled rejections from now until `stop()`, which
 * returns them as text (an empty list when there were none).
 */
export function pageErrors(): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  const onError = (e: ErrorEvent) => seen.push(`error: ${e.message}`);
  const onRejection = (e: PromiseRejectionEvent) => seen.push(`unhandled rejection: ${String(e.reason)}`);
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return {
    async stop() {
      // An unhandled rejection is reported after the microtasks of its task: wait a task.
      await new Promise((r) => setTimeout(r, 0));
      removeEventListener('error', onError);
      removeEventListener('unhandledrejection', onRejection);
      return seen;
    },
  };
}

/** The runtime workers the library started while a tracker was installed. */
export interface RuntimeWorkers {
  /** Every runtime worker started, in order. */
  readonly created: Worker[];
  /** Those of them terminated (by the library, or through `kill`). */
  readonly ended: Set<Worker>;
  /** How many of them have not been terminated. */
  live(): number;
  /** Terminates a worker behind the library's back, as the browser would on a crash or OOM. */
  kill(worker: Worker): void;
  /** Puts the real Worker constructor back. */
  restore(): void;
}

/**
 * Wraps the Worker constructor (the real one underneath) until `restore()`, recording every
 * runtime worker the library starts and which of them are terminated.
 */
export function trackRuntimeWorkers(): RuntimeWorkers {
  const Original = globalThis.Worker;
  const created: Worker[] = [];
  const ended = new Set<Worker>();
  globalThis.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      if (options?.name === 'ml-predict-runtime') created.push(this);
    }
    override terminate(): void {
      ended.add(this);
      super.terminate();
    }
  };
  return {
    created,
    ended,
    live: () => created.filter((w) => !ended.has(w)).length,
    kill: (worker) => Original.prototype.terminate.call(worker),
    restore: () => {
      globalThis.Worker = Original;
    },
  };
}
