/**
 * Main-thread side of the runtime worker: starts it lazily, notices when it dies (pending calls
 * reject with WORKER_CRASHED, the next call starts a new one), ends it when it holds no session,
 * and shares one session between loads of the same model (reference counted).
 */
import * as Comlink from 'comlink';
import { abortable, abortError, MlPredictError, throwIfAborted } from '../errors.js';
import { WorkerConnection } from './connection.js';
import { resolveThreads, threadFacts } from '../backend/select.js';
import {
  RUNNING,
  STOP_FLAG_SLOTS,
  type LoadReply,
  type LoadRequest,
  type MonitorConfig,
  type PredictReply,
  type PredictRequest,
  type ProgressCallback,
  type RunningMessage,
  type RuntimeApi,
  type WarningCallback,
} from './protocol.js';
import type { LoadProgress, LoadWarning } from '../types.js';

/** How long a worker that holds no session lives on before it is ended (WebAssembly memory never shrinks). */
export let idleTimeoutMs = 2000;
/** For tests and benchmarks: change the idle delay. */
export function setIdleTimeout(ms: number): void {
  idleTimeoutMs = ms;
}

let shareStopFlags = true;
/** For tests: whether workers started from now on share stop flags with the page where they can (see RuntimeWorker.predict). */
export function setShareStopFlags(on: boolean): void {
  shareStopFlags = on;
}

let callIds = 0;
export const nextCallId = (): number => ++callIds;

export class RuntimeWorker {
  private readonly connection: WorkerConnection<RuntimeApi>;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sessions and loads this worker holds; at 0 the idle timer starts. */
  private holds = 0;
  /**
   * Predict calls not settled, by call id: whether the worker said it runs them (RUNNING), and,
   * for one given up after it was sent, why.
   */
  private readonly calls = new Map<number, { running: boolean; stopped?: string }>();
  /** Predict calls waiting on the page to be sent (see predict()), in order. */
  private readonly waiting: { callId: number; send: () => void; fail: (e: MlPredictError) => void }[] = [];
  /** Predict calls posted to the worker and not settled. */
  private inFlight = 0;
  /**
   * Stop flags shared with the worker, where the page can share memory (cross-origin isolated):
   * slot `callId % STOP_FLAG_SLOTS` holds the id of a stopped call, which the worker reads right
   * before it starts a run. Without them, calls are sent one at a time.
   */
  private readonly stopFlags = shareStopFlags && globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function'
    ? new Int32Array(new SharedArrayBuffer(STOP_FLAG_SLOTS * 4))
    : undefined;
  private stopFlagsSent = false;
  /** Why the worker stopped, for calls that come or wait after: a restart's error, else a crash's. */
  private stopError: MlPredictError | undefined;

  constructor() {
    live.add(this);
    const create = () => {
      const worker = new Worker(new URL('./runtime.js', import.meta.url), { type: 'module', name: 'ml-predict-runtime' });
      worker.addEventListener('message', (e: MessageEvent<Partial<RunningMessage> | undefined>) => {
        if (e.data?.type === RUNNING && typeof e.data.callId === 'number') this.running(e.data.callId);
      });
      return worker;
    };
    this.connection = new WorkerConnection<RuntimeApi>(create, crashed, () => {
      clearTimeout(this.idleTimer);
      this.stopError ??= crashed('terminated, crashed or out of memory');
      for (const w of this.waiting.splice(0)) w.fail(this.stopError);
      for (const [threads, w] of shared) if (w === this) shared.delete(threads);
      live.delete(this);
      // No worker left to share with: let go of the compiled code.
      if (live.size === 0) compiled.clear();
    });
  }

  /**
   * Loads a model into this worker, handing it onnxruntime's .wasm as another worker of the page
   * compiled it (no second compile), and keeping what it compiled for the next worker.
   */
  async load(req: LoadRequest, onProgress?: ProgressCallback, onWarning?: WarningCallback): Promise<LoadReply> {
    const reply = await this.call((api) => api.load({ ...req, compiled: Object.fromEntries(compiled) }, onProgress, onWarning));
    for (const [file, module] of Object.entries(reply.compiled ?? {})) compiled.set(file, module);
    return reply;
  }

  get dead(): boolean {
    return this.connection.dead;
  }

  /** Runs a call on the worker; rejects with WORKER_CRASHED if the worker dies first. */
  call<T>(fn: (api: Comlink.Remote<RuntimeApi>) => Promise<T>): Promise<T> {
    return this.connection.call(fn);
  }

  /**
   * Asks the worker to abort the load or predict with this call id. Never throws nor rejects:
   * a worker that has stopped has nothing left to abort.
   */
  abort(callId: number): void {
    this.connection.call((api) => api.abort(callId)).catch(() => undefined);
  }

  /**
   * Sends predict call `request` to the worker. With stop flags, at once: the worker queues it,
   * and skips it if it is stopped before its turn. Without, once no other predict of this worker
   * is in flight (onnxruntime runs one at a time in a worker anyway): a call waiting here is
   * stopped for nothing, while one already posted would be taken up by the worker before an
   * abort message posted after it could reach it.
   */
  predict(request: PredictRequest, transfer: Transferable[]): Promise<PredictReply> {
    const { callId } = request;
    if (this.dead) return Promise.reject(this.stopError ?? crashed('it had already stopped'));
    this.calls.set(callId, { running: false });
    if (this.stopFlags && !this.stopFlagsSent) {
      this.stopFlagsSent = true;
      // Posted before the first predict: the worker has them before it runs anything.
      const flags = this.stopFlags.buffer as SharedArrayBuffer;
      this.call((api) => api.useStopFlags(flags)).catch(() => undefined);
    }
    return new Promise<PredictReply>((resolve, reject) => {
      const send = () => {
        this.inFlight++;
        this.call((api) => api.predict(Comlink.transfer(request, transfer)))
          .then(resolve, reject)
          .finally(() => {
            this.calls.delete(callId);
            this.inFlight--;
            this.next();
          });
      };
      const fail = (e: MlPredictError) => {
        this.calls.delete(callId);
        reject(e);
      };
      this.waiting.push({ callId, send, fail });
      this.next();
    });
  }

  private next(): void {
    while (!this.dead && this.waiting.length > 0 && (this.stopFlags || this.inFlight === 0)) this.waiting.shift()!.send();
  }

  private running(callId: number): void {
    const call = this.calls.get(callId);
    if (!call) return;
    call.running = true;
    // Given up after it was sent, but the worker took it up before the abort: only ending stops it.
    if (call.stopped !== undefined) this.restart(call.stopped);
  }

  /**
   * Stops predict call `callId`, `why` (e.g. "that was aborted"). One still waiting on the page
   * is dropped; one posted that has not started is aborted in the worker, which lives on; one
   * inside `session.run`, which nothing else interrupts, is stopped by ending the worker (restart()).
   */
  stop(callId: number, why: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    const at = this.waiting.findIndex((w) => w.callId === callId);
    if (at >= 0) return this.waiting.splice(at, 1)[0]!.fail(abortError());
    if (call.running) return this.restart(why);
    call.stopped = why;
    if (this.stopFlags) Atomics.store(this.stopFlags, callId % STOP_FLAG_SLOTS, callId);
    this.abort(callId);
  }

  /**
   * Ends the worker to stop a call that runs in it. Every other call and load pending on it
   * rejects with a WORKER_CRASHED error whose `details.restart` is true: they were not answered
   * and nothing of theirs is lost, so predict() and acquire() send them again to a new worker,
   * reloading the sessions they need (`isRestart`).
   */
  restart(why: string): void {
    if (this.dead) return;
    this.stopError = new MlPredictError(
      'WORKER_CRASHED',
      `The ml-predict runtime worker was ended to stop a call ${why} while it ran; this call was pending on it. The next call starts a new worker.`,
      { restart: true },
    );
    this.connection.stop(this.stopError);
  }

  hold(): void {
    this.holds++;
    clearTimeout(this.idleTimer);
  }

  unhold(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds === 0 && !this.dead) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        if (this.holds === 0) this.end();
      }, idleTimeoutMs);
    }
  }

  /** Ends the worker and frees all its memory. */
  end(): void {
    if (this.dead) return;
    this.stopError = crashed('it was ended');
    this.connection.stop(this.stopError);
  }
}

/** A call that failed only because its worker was ended to stop another one (RuntimeWorker.restart). */
export function isRestart(e: unknown): boolean {
  return e instanceof MlPredictError && e.code === 'WORKER_CRASHED' && e.details?.restart === true;
}

/** How many times one call is sent again after restarts before its WORKER_CRASHED stands. */
export const MAX_RESENDS = 50;

function crashed(reason: string): MlPredictError {
  return new MlPredictError('WORKER_CRASHED', `The ml-predict runtime worker stopped during the call (${reason}). The next call starts a new worker.`);
}

/** Every runtime worker of the page that has not stopped (the model's and batch pools' extra ones). */
const live = new Set<RuntimeWorker>();
/** onnxruntime's .wasm modules compiled by one of those workers, by file (lib/backend/ort-env.ts). */
const compiled = new Map<string, WebAssembly.Module>();

/**
 * The page's runtime workers by wasm thread count. onnxruntime sets its thread count once per
 * WebAssembly instance, so models that ask for different counts get different workers; all
 * models with the same count share one.
 */
const shared = new Map<number, RuntimeWorker>();

/**
 * The page's runtime worker for `threads` wasm threads, started on first use. Without a count
 * (calls that create no session: probe, prefetch), any running one, else the default one.
 */
export function runtimeWorker(threads?: number): RuntimeWorker {
  if (threads === undefined) {
    for (const w of shared.values()) if (!w.dead) return w;
    threads = resolveThreads('auto', threadFacts()).threads;
  }
  let worker = shared.get(threads);
  if (!worker || worker.dead) {
    worker = new RuntimeWorker();
    shared.set(threads, worker);
  }
  return worker;
}

export interface SessionLease {
  reply: LoadReply;
  worker: RuntimeWorker;
}

type Listener<T> = (value: T) => void;

/** A load in flight, with the callers waiting on it. */
class PendingLoad {
  /** Callers waiting on this load, with a signal or without; the last one to give up cancels it. */
  waiters = 0;
  cancelled = false;
  readonly callId = nextCallId();
  readonly promise: Promise<SessionLease>;

  constructor(
    readonly worker: RuntimeWorker,
    run: (load: PendingLoad) => Promise<SessionLease>,
  ) {
    this.promise = run(this);
  }
}

/**
 * One onnxruntime session, shared by every Model handle that loaded the same model. Loads
 * (again, after a worker crash) on demand; released when the last handle is disposed.
 */
export class SharedSession {
  refs = 0;
  private loading: PendingLoad | undefined;
  private lease_: SessionLease | undefined;
  readonly progress = new Set<Listener<LoadProgress>>();
  readonly warnings = new Set<Listener<LoadWarning>>();
  /** Drift monitoring to (re)start whenever a session is made, e.g. after a worker crash. */
  monitorConfig: MonitorConfig | undefined;

  constructor(
    readonly key: string | undefined,
    readonly request: Omit<LoadRequest, 'callId'>,
  ) {}

  /**
   * A live session, loading one when there is none or its worker died; callers that come while
   * a load is in flight join it. Every caller counts among the load's waiters: an abort of
   * `signal` rejects this call with ABORTED, and stops the load only when no other caller,
   * with a signal or without, still waits on it.
   */
  async acquire(signal?: AbortSignal): Promise<SessionLease> {
    for (let sends = 0; ; sends++) {
      try {
        return await this.acquireOnce(signal);
      } catch (e) {
        // The worker was ended to stop another call: load again in a new one.
        if (!isRestart(e) || sends >= MAX_RESENDS || signal?.aborted) throw e;
      }
    }
  }

  private async acquireOnce(signal?: AbortSignal): Promise<SessionLease> {
    if (this.lease_ && !this.lease_.worker.dead) return this.lease_;
    throwIfAborted(signal);
    this.lease_ = undefined;
    const load = (this.loading ??= new PendingLoad(runtimeWorker(this.request.threads), (l) => this.load(l)));
    load.waiters++;
    let waiting = true;
    const leave = () => {
      if (waiting) load.waiters--;
      waiting = false;
    };
    try {
      return await abortable(load.promise, signal, () => {
        leave();
        if (load.waiters === 0) this.cancel(load);
      });
    } finally {
      leave();
    }
  }

  /** Stops a load still in flight; a later acquire() starts a new one rather than joining it. */
  private cancel(load: PendingLoad): void {
    if (this.loading !== load) return;
    this.loading = undefined;
    load.cancelled = true;
    load.worker.abort(load.callId);
  }

  private async load(me: PendingLoad): Promise<SessionLease> {
    const { worker } = me;
    worker.hold();
    const onProgress = Comlink.proxy((p: LoadProgress) => this.progress.forEach((l) => l(p)));
    const onWarning = Comlink.proxy((w: LoadWarning) => this.warnings.forEach((l) => l(w)));
    let reply: LoadReply;
    try {
      reply = await worker.load({ ...this.request, callId: me.callId }, onProgress, onWarning);
    } catch (e) {
      worker.unhold();
      throw e;
    } finally {
      if (this.loading === me) this.loading = undefined;
    }
    if (me.cancelled) {
      // Cancelled after the worker had already made the session: nobody will use it.
      void worker.call((api) => api.release(reply.sessionId)).catch(() => undefined).finally(() => worker.unhold());
      throw abortError();
    }
    if (this.monitorConfig) {
      const config = this.monitorConfig;
      await worker.call((api) => api.monitor(reply.sessionId, config));
    }
    this.lease_ = { reply, worker };
    return this.lease_;
  }

  /** Releases the session in its worker (and lets the worker end when idle). */
  async release(): Promise<void> {
    const lease = this.lease_;
    this.lease_ = undefined;
    if (this.key !== undefined && registry.get(this.key) === this) registry.delete(this.key);
    if (!lease) return;
    if (!lease.worker.dead) {
      await lease.worker.call((api) => api.release(lease.reply.sessionId)).catch(() => undefined);
      lease.worker.unhold();
    }
  }
}

const registry = new Map<string, SharedSession>();

/** The shared session for a key (same URL + version + integrity + backend + threads), or a new one. */
export function sharedSession(key: string | undefined, request: Omit<LoadRequest, 'callId'>): SharedSession {
  if (key === undefined) return new SharedSession(undefined, request);
  let shared = registry.get(key);
  if (!shared) {
    shared = new SharedSession(key, request);
    registry.set(key, shared);
  }
  return shared;
}
