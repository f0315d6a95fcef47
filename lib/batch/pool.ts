/**
 * A pool of sessions for batch work: the model's own session (in the page's runtime worker)
 * plus extra runtime workers that each load the same model, and an ordered dispatcher that
 * hands chunks to whichever session is free and delivers the results in input order.
 *
 * Extra workers start in the background: the own session begins at once, and a worker joins
 * when its session is ready (for a short batch it may never be needed). Each extra worker runs
 * `threads` wasm threads, so that the sessions together use the cores once and no more. When
 * the model's own session runs more threads than that, it takes chunks only until the extra
 * workers are ready (`own: 'until-ready'`), then steps aside.
 *
 * After a batch the extra workers wait in the model's `WorkerReserve` for the next batch
 * (`keepWorkers` ms, default 10 s): their start (wasm compile, session create) costs hundreds
 * of milliseconds, which a second batch then does not pay. They are ended after that time, when
 * the model is disposed, or at once after a failed or aborted batch.
 */
import { abortable, abortError, throwIfAborted } from '../errors.js';
import { nextCallId, RuntimeWorker } from '../worker/host.js';
import type { LoadRequest } from '../worker/protocol.js';
import { predictOn } from '../worker/session-client.js';
import { forTransfer } from '../tensor/validate.js';
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
    /** wasm threads of its session. */
    readonly threads: number,
  ) {}

  /**
   * Starts a worker and loads the model in it (from the IndexedDB cache for URL sources). When
   * `signal` aborts first, the worker is ended and this rejects with ABORTED.
   */
  static async start(request: Omit<LoadRequest, 'callId'>, signal: AbortSignal, label: string): Promise<WorkerSlot> {
    throwIfAborted(signal);
    const worker = new RuntimeWorker();
    try {
      const reply = await abortable(worker.load({ ...request, callId: nextCallId() }), signal, () => worker.end());
      return new WorkerSlot(worker, reply.sessionId, label, request.threads);
    } catch (e) {
      worker.end();
      throw e;
    }
  }

  /** Feeds are checked already (views are fine): copied onto reused buffers and transferred. */
  run(chunk: Record<string, Tensor>, signal: AbortSignal): Promise<Outputs> {
    return predictOn(this.worker, this.sessionId, forTransfer(chunk), signal);
  }

  /** The worker stopped (ended, or crashed while it waited in a reserve). */
  get dead(): boolean {
    return this.worker.dead;
  }

  close(): void {
    this.worker.end();
  }
}

function cores(): number {
  return Math.max(1, Math.floor(globalThis.navigator?.hardwareConcurrency ?? 1) || 1);
}

/**
 * Default pool size: as many sessions as fit on the cores next to the model's own one, which
 * already runs `ownThreads` wasm threads (at most 4 sessions: each holds its own wasm heap). On
 * 2 cores a model with `threads: 'auto'` (1 thread there) gets 2; one with 2 threads gets 1: its
 * threads already use both cores, and a second session would only share them.
 */
export function defaultWorkers(ownThreads = 1): number {
  return Math.max(1, Math.min(4, Math.floor(cores() / Math.max(1, ownThreads))));
}

/** wasm threads for each extra worker of a pool of `size` sessions: the cores shared out, never more than the model's own. */
export function threadsPerWorker(size: number, ownThreads: number): number {
  return Math.max(1, Math.min(ownThreads, Math.floor(cores() / size)));
}

/**
 * Extra workers of one model kept between batches, so that the next batch finds them started.
 * Each waits `keepMs` after its batch, then ends; `close()` (the model's dispose) ends them all.
 */
export class WorkerReserve {
  private readonly waiting = new Map<WorkerSlot, ReturnType<typeof setTimeout> | undefined>();
  private closed = false;

  /** A kept worker with `threads` wasm threads, if one waits (it leaves the reserve). */
  take(threads: number): WorkerSlot | undefined {
    for (const [slot, timer] of this.waiting) {
      if (slot.dead) {
        // It crashed while it waited: forget it.
        clearTimeout(timer);
        this.waiting.delete(slot);
        continue;
      }
      if (slot.threads !== threads) continue;
      clearTimeout(timer);
      this.waiting.delete(slot);
      return slot;
    }
    return undefined;
  }

  /** Keeps a worker for `keepMs` (0, or a closed reserve: ends it now). */
  keep(slot: WorkerSlot, keepMs: number): void {
    if (this.closed || keepMs <= 0) {
      slot.close();
      return;
    }
    const timer = setTimeout(() => {
      this.waiting.delete(slot);
      slot.close();
    }, keepMs);
    this.waiting.set(slot, timer);
  }

  /** Workers waiting now. */
  get size(): number {
    return this.waiting.size;
  }

  close(): void {
    this.closed = true;
    for (const [slot, timer] of this.waiting) {
      clearTimeout(timer);
      slot.close();
    }
    this.waiting.clear();
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
   * Use the model's own session as one of them (default true). `false`: extra workers only
   * (batch jobs, when that session runs several wasm threads: next to the CSV worker,
   * one-thread sessions go faster). `'until-ready'`: the own session takes chunks until every
   * extra worker is ready, then steps aside (its threads would share the workers' cores).
   */
  own?: boolean | 'until-ready';
  /** wasm threads of each extra worker (default 1). */
  threads?: number;
  /** Where extra workers come from and go back to after a successful batch; without one they are ended. */
  reserve?: WorkerReserve;
  /** How long a kept worker waits for the next batch (ms, default 10,000). */
  keepMs?: number;
}

/**
 * A set of slots: the model's own session at once, the extra workers as they become ready
 * (kept ones from the reserve at once). A worker that fails to start is left out (the batch
 * goes on with the others).
 */
export class Pool {
  private readonly idle: Slot[] = [];
  private readonly waiters: Array<(slot: Slot) => void> = [];
  private readonly all: Slot[] = [];
  private readonly starting = new AbortController();
  private readonly reserve: WorkerReserve | undefined;
  private readonly keepMs: number;
  private ownSlot: ModelSlot | undefined;
  private readonly own: PoolOptions['own'];
  private extrasWanted = 0;
  private extrasReady = 0;
  private closed = false;
  /** Why extra workers could not start, if any failed. */
  readonly startErrors: unknown[] = [];

  constructor(options: PoolOptions) {
    this.reserve = options.reserve;
    this.keepMs = options.keepMs ?? 10_000;
    const own = (this.own = options.own ?? true);
    const request = options.request;
    if (own !== false || !request) {
      this.ownSlot = new ModelSlot(options.model);
      this.add(this.ownSlot);
    }
    if (!request) return;
    const threads = options.threads ?? 1;
    const first = own === true ? 1 : 0;
    this.extrasWanted = options.size - first;
    for (let i = first; i < options.size; i++) {
      const label = `worker ${own === true ? i : i + 1}`;
      const kept = this.reserve?.take(threads);
      if (kept) {
        this.addExtra(kept);
        continue;
      }
      WorkerSlot.start({ ...request, threads }, this.starting.signal, label).then(
        // Ready after the pool closed: kept after a successful batch, ended after a failed one.
        (slot) => (this.closed ? this.giveBack(slot, !this.starting.signal.aborted) : this.addExtra(slot)),
        (e: unknown) => {
          if (this.closed) return;
          this.startErrors.push(e);
          this.extrasWanted--;
          // No worker could start and there is no other slot: fall back to the model's session.
          if (this.all.length === 0 && this.extrasWanted === 0) this.add(new ModelSlot(options.model));
          else this.retireOwnWhenReady();
        },
      );
    }
    this.retireOwnWhenReady();
  }

  private add(slot: Slot): void {
    this.all.push(slot);
    this.release(slot);
  }

  private addExtra(slot: WorkerSlot): void {
    this.extrasReady++;
    this.add(slot);
    this.retireOwnWhenReady();
  }

  /** `own: 'until-ready'`: once every extra worker that could start is ready, the own session stops taking chunks. */
  private retireOwnWhenReady(): void {
    if (this.own !== 'until-ready' || !this.ownSlot || this.extrasReady === 0 || this.extrasReady < this.extrasWanted) return;
    const i = this.idle.indexOf(this.ownSlot);
    if (i >= 0) this.idle.splice(i, 1);
    this.all.splice(this.all.indexOf(this.ownSlot), 1);
    this.ownSlot = undefined;
  }

  /** A free slot (waits for one); an abort of `signal` rejects with ABORTED and takes no slot. */
  acquire(signal: AbortSignal): Promise<Slot> {
    throwIfAborted(signal);
    const slot = this.idle.shift();
    if (slot) return Promise.resolve(slot);
    let waiter: (s: Slot) => void = () => undefined;
    const handed = new Promise<Slot>((resolve) => {
      waiter = resolve;
      this.waiters.push(waiter);
    });
    return abortable(handed, signal, () => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      // Handed a slot just before the abort: it goes back to the pool.
      else void handed.then((s) => this.release(s));
    });
  }

  release(slot: Slot): void {
    if (this.closed || !this.all.includes(slot)) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.idle.push(slot);
  }

  /** Labels of the slots in use now, e.g. `['model', 'worker 1']`. */
  get labels(): string[] {
    return this.all.map((s) => s.label);
  }

  /** Slots in use now (the model's own, unless it stepped aside, and the workers that started). */
  get size(): number {
    return this.all.length;
  }

  private giveBack(slot: WorkerSlot, keep = true): void {
    if (keep && this.reserve) this.reserve.keep(slot, this.keepMs);
    else slot.close();
  }

  /**
   * Ends the pool. After a successful batch (`keep`), its extra workers go to the reserve for
   * the next batch, and those still starting go there when ready; otherwise (a failure or an
   * abort may leave a call running in them) they end, and those starting are stopped.
   */
  close(keep = false): void {
    if (this.closed) return;
    this.closed = true;
    if (!keep || !this.reserve) this.starting.abort();
    for (const slot of this.all) if (slot instanceof WorkerSlot) this.giveBack(slot, keep);
    this.all.length = 0;
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
