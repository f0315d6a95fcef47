/**
 * A pool of sessions for batch work: the model's own session (in the page's runtime worker)
 * plus extra runtime workers that each load the same model, and an ordered dispatcher that
 * hands chunks to whichever session is free and delivers the results in input order.
 *
 * Extra workers start in the background: the own session begins at once, and a worker joins
 * when its session is ready (for a short batch it may never be needed; it is ended anyway).
 * Every extra worker is ended when the batch is over: WebAssembly memory never shrinks.
 */
import * as Comlink from 'comlink';
import { abortError, MlPredictError, oneOf, quote, throwIfAborted } from '../errors.js';
import { nextCallId, RuntimeWorker } from '../worker/host.js';
import { transferablesOf, type LoadRequest } from '../worker/protocol.js';
import type { Model, Outputs, Tensor } from '../types.js';

/** One place a chunk can be predicted. */
export interface Slot {
  readonly label: string;
  run(feeds: Record<string, Tensor>, signal: AbortSignal): Promise<Outputs>;
  close(): void;
}

/** The model's own session: `model.predict` (validated, serialised with the model's other calls). */
export class ModelSlot implements Slot {
  readonly label = 'model';
  constructor(private readonly model: Model) {}
  run(feeds: Record<string, Tensor>, signal: AbortSignal): Promise<Outputs> {
    return this.model.predict(feeds, { signal });
  }
  close(): void {}
}

/** An extra runtime worker holding its own session of the same model. */
export class WorkerSlot implements Slot {
  private constructor(
    private readonly worker: RuntimeWorker,
    private readonly sessionId: number,
    readonly label: string,
  ) {}

  /** Starts a worker and loads the model in it (from the IndexedDB cache for URL sources). */
  static async start(request: Omit<LoadRequest, 'callId'>, signal: AbortSignal, label: string): Promise<WorkerSlot> {
    throwIfAborted(signal);
    const worker = new RuntimeWorker();
    let onAbort: () => void = () => undefined;
    // Ending a worker leaves its pending calls unsettled: the abort rejects the wait itself.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const reply = await Promise.race([worker.call((api) => api.load({ ...request, callId: nextCallId() })), aborted]);
      throwIfAborted(signal);
      return new WorkerSlot(worker, reply.sessionId, label);
    } catch (e) {
      worker.end();
      if (signal.aborted) throw abortError(signal.reason);
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Feeds are the pool's own copies: their buffers are transferred, not copied. */
  run(feeds: Record<string, Tensor>, signal: AbortSignal): Promise<Outputs> {
    throwIfAborted(signal);
    const callId = nextCallId();
    return new Promise<Outputs>((resolve, reject) => {
      // Abort the call in the worker, and stop waiting at once (the pool may end the worker next).
      const onAbort = () => {
        void this.worker.api.abort(callId).catch(() => undefined);
        reject(abortError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.worker
        .call((api) => api.predict(Comlink.transfer({ callId, sessionId: this.sessionId, feeds }, transferablesOf(feeds))))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  close(): void {
    this.worker.end();
  }
}

/** Default pool size: one session per core, at most 4 (more rarely pays: each holds its own wasm heap). */
export function defaultWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, Math.floor(cores) || 1));
}

/** Checks a `workers` option: undefined (default) or an integer from 1 to 16. */
export function checkWorkers(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 16) {
    throw new MlPredictError('INVALID_ARGUMENT', `Option "workers" of ${where} is ${quote(value)}. Expected an integer from 1 to 16.`);
  }
  return value;
}

/** Checks a `batchSize` option: undefined (default) or an integer from 1 to 1,000,000. */
export function checkBatchSize(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new MlPredictError('INVALID_ARGUMENT', `Option "batchSize" of ${where} is ${quote(value)}. Expected an integer from 1 to 1000000.`);
  }
  return value;
}

/** Refuses option keys a function does not know, listing the ones it does. */
export function checkKeys(options: object, known: readonly string[], where: string): void {
  if (options === null || typeof options !== 'object') {
    throw new MlPredictError('INVALID_ARGUMENT', `Options of ${where} must be an object, got ${quote(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new MlPredictError('INVALID_ARGUMENT', `Unknown option ${quote(key)} for ${where}. Expected one of: ${oneOf(known)}.`);
    }
  }
}

export interface PoolOptions {
  /** The model whose own session is the first slot. */
  model: Model;
  /** The load request extra workers use; without one the pool is the model's session alone. */
  request: Omit<LoadRequest, 'callId'> | undefined;
  /** Total sessions wanted, the model's own included. */
  size: number;
  /**
   * Use the model's own session as one of them (default true). Batch jobs skip it when that
   * session runs several wasm threads: next to the CSV worker, one-thread sessions go faster.
   */
  own?: boolean;
}

/**
 * A set of slots: the model's own session at once, the extra workers as they become ready.
 * A worker that fails to start is left out (the batch goes on with the others).
 */
export class Pool {
  private readonly idle: Slot[] = [];
  private readonly waiters: Array<(slot: Slot) => void> = [];
  private readonly all: Slot[] = [];
  private readonly starting = new AbortController();
  private closed = false;
  /** Why extra workers could not start, if any failed. */
  readonly startErrors: unknown[] = [];

  constructor(options: PoolOptions) {
    const own = options.own !== false || !options.request;
    if (own) this.add(new ModelSlot(options.model));
    if (!options.request) return;
    // One wasm thread per extra worker: the pool is the parallelism, and sessions that each
    // spin their own thread pool on the same cores slow each other down.
    const request = { ...options.request, threads: 1 };
    for (let i = own ? 1 : 0; i < options.size; i++) {
      WorkerSlot.start(request, this.starting.signal, `worker ${own ? i : i + 1}`).then(
        (slot) => (this.closed ? slot.close() : this.add(slot)),
        (e: unknown) => {
          if (this.closed) return;
          this.startErrors.push(e);
          // No worker could start and there is no other slot: fall back to the model's session.
          if (this.all.length === 0 && this.startErrors.length === options.size - (own ? 1 : 0)) this.add(new ModelSlot(options.model));
        },
      );
    }
  }

  private add(slot: Slot): void {
    this.all.push(slot);
    this.release(slot);
  }

  /** A free slot (waits for one). */
  acquire(signal: AbortSignal): Promise<Slot> {
    throwIfAborted(signal);
    const slot = this.idle.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise<Slot>((resolve, reject) => {
      const waiter = (s: Slot) => {
        signal.removeEventListener('abort', onAbort);
        resolve(s);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: Slot): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.idle.push(slot);
  }

  /** Slots in use so far (the model's own and the workers that started). */
  get size(): number {
    return this.all.length;
  }

  /** Ends every extra worker (and stops those still starting). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.starting.abort();
    for (const slot of this.all) slot.close();
    this.idle.length = 0;
  }
}

export interface OrderedRun<T, R> {
  pool: Pool;
  /** Next item to predict, or undefined when there are no more. Called one at a time. */
  next: () => Promise<T | undefined> | T | undefined;
  /** Predicts one item on a slot. */
  exec: (slot: Slot, item: T, signal: AbortSignal) => Promise<R>;
  /** Receives each result in item order, one at a time (awaited before the next). */
  deliver: (item: T, result: R) => Promise<void> | void;
  signal?: AbortSignal;
  /** Items predicted but not yet delivered, at most (bounds memory when delivery is slow). Default 2 × 4. */
  maxPending?: number;
}

/**
 * Runs items over the pool, any slot taking the next item when free, and delivers results in
 * item order. The first error stops everything (in-flight calls are aborted) and rejects.
 */
export async function runOrdered<T, R>(run: OrderedRun<T, R>): Promise<void> {
  const controller = new AbortController();
  const outer = run.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw abortError(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const { signal } = controller;
  const maxPending = run.maxPending ?? 8;

  let failure: unknown;
  const fail = (e: unknown) => {
    if (failure === undefined) failure = e;
    controller.abort(e);
  };
  const ready = new Map<number, { item: T; result: R }>();
  const inFlight = new Set<Promise<void>>();
  let nextOut = 0;
  let delivering: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  // An abort must also end a wait for delivery (back-pressure).
  signal.addEventListener('abort', notify, { once: true });
  const flush = () => {
    delivering = delivering.then(async () => {
      while (!signal.aborted && ready.has(nextOut)) {
        const { item, result } = ready.get(nextOut)!;
        ready.delete(nextOut);
        nextOut++;
        await run.deliver(item, result);
        notify();
      }
    });
    delivering.catch(fail);
  };

  try {
    for (let index = 0; ; index++) {
      // Back-pressure: wait while too many results are waiting for delivery.
      while (!signal.aborted && index - nextOut >= maxPending) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (signal.aborted) break;
      // The next item first, then a free slot: reading the item overlaps the running predictions.
      let item: T | undefined;
      try {
        item = await run.next();
      } catch (e) {
        fail(e);
        break;
      }
      if (item === undefined || signal.aborted) break;
      const slot = await run.pool.acquire(signal).catch((e: unknown) => {
        fail(e);
        return undefined;
      });
      if (!slot) break;
      const i = index;
      const task = run
        .exec(slot, item, signal)
        .then(
          (result) => {
            ready.set(i, { item: item as T, result });
            flush();
          },
          fail,
        )
        .finally(() => {
          run.pool.release(slot);
          inFlight.delete(task);
          notify();
        });
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    flush();
    await delivering.catch(() => undefined);
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  if (failure !== undefined) {
    if (outer?.aborted) throw abortError(outer.reason);
    throw failure;
  }
  if (outer?.aborted) throw abortError(outer.reason);
}
