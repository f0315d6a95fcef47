/**
 * Who may run a batch job. Across tabs: a job runs in one context at a time, the one holding its
 * Web Lock `ml-predict-job:<id>`; the browser frees a dead page's lock, which is how a job left
 * "running" by a closed tab is told from one running in another tab. Within a page: one job runs
 * at a time, the one holding the page's turn; the others wait for it in the order they asked.
 */
import { abortable, abortError, MlPredictError, quote, throwIfAborted } from '../errors.js';

const lockName = (id: string) => `ml-predict-job:${id}`;

/** INVALID_ARGUMENT: another context holds the job's lock. */
function busy(id: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', `Batch job ${quote(id)} is running in another tab or window; pause or cancel it there.`);
}

/**
 * Runs `fn` holding job `id`'s lock and settles as it does. `{ signal }`: waits for the lock
 * (rejects with `abortError(signal.reason)` when the signal aborts first); `'if-available'`:
 * rejects with INVALID_ARGUMENT ("running in another tab") at once when another context holds
 * it. Without Web Locks (no `navigator.locks`), runs `fn` at once.
 */
export async function withLock<T>(id: string, fn: () => Promise<T>, wait: { signal?: AbortSignal } | 'if-available'): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn();
  if (wait === 'if-available') {
    return locks.request(lockName(id), { ifAvailable: true }, async (lock) => {
      if (!lock) throw busy(id);
      return fn();
    });
  }
  try {
    return await locks.request(lockName(id), wait.signal ? { signal: wait.signal } : {}, fn);
  } catch (e) {
    // A lock request given up for the signal rejects with the browser's AbortError.
    if (wait.signal?.aborted && (e as { name?: string } | null)?.name === 'AbortError') throw abortError(wait.signal.reason);
    throw e;
  }
}

/** True when some context of this origin holds job `id`'s lock (it runs the job there). */
export async function lockHeld(id: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return false;
  const state = await locks.query();
  return (state.held ?? []).some((l) => l.name === lockName(id));
}

/** Whether a job of this page holds the turn, and the jobs waiting for it, first come first. */
let turnHeld = false;
const waiting: Array<() => void> = [];

/**
 * Takes this page's turn to run a job: at once when it is free, else after `onWait()` (called
 * only when the caller has to wait) when the jobs ahead have passed it on. Resolves with the
 * function that passes the turn on (calling it again does nothing). Rejects with
 * `abortError(signal.reason)` when `signal` aborts first, holding no turn then.
 */
export async function takeTurn(signal: AbortSignal, onWait: () => Promise<void>): Promise<() => void> {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next();
    else turnHeld = false;
  };
  if (!turnHeld) {
    turnHeld = true;
    return release;
  }
  await onWait();
  // The job ahead may have passed the turn on while onWait ran.
  if (!turnHeld) {
    throwIfAborted(signal);
    turnHeld = true;
    return release;
  }
  let handOver!: () => void;
  const turn = new Promise<void>((resolve) => (handOver = resolve));
  waiting.push(handOver);
  await abortable(turn, signal, () => {
    const i = waiting.indexOf(handOver);
    if (i >= 0) waiting.splice(i, 1);
    // Aborted just after the turn was handed over: pass it on, as this caller will not run.
    else release();
  });
  return release;
}
