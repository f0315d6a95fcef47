/**
 * Loading `<ml-predict>`'s model: a reactive controller around a @lit/task Task whose arguments
 * are the source attributes. A change of source reruns it and aborts the run in flight; only the
 * latest run's outcome is adopted, so only the newest source's model is reported. The controller
 * also holds `loading="lazy"` back until the element is near the viewport, stops the load and
 * disposes the model when the element is removed, and loads again when it is put back.
 */
import type { ReactiveController, ReactiveElement } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { MlPredictError } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import type { LoadProgress, Model } from '../types.js';
import { errorDetail } from './events.js';
import { loadSource, type SourceSpec } from './source.js';

/** The element whose model is loaded: its source attributes, `loading` and `card`. */
export type LoadingHost = ReactiveElement & Readonly<SourceSpec> & { readonly loading: 'eager' | 'lazy'; readonly card: ModelCard | undefined };

/** What the host hears of a load, each after the controller's own state says so. */
export interface LoadingHooks {
  /** A run begins: what the previous source showed (card, progress, result, error) is to be cleared. */
  reset(): void;
  /** The model was disposed (its source changed, or the element was removed): predictions on it are not to be shown. */
  released(): void;
  /** The model starts to load (after `reset`; not for an element that cannot load). */
  start(): void;
  card(card: ModelCard | undefined): void;
  progress(progress: LoadProgress): void;
  /** The model is ready: `status` is 'ready' and `model` is it. */
  loaded(model: Model): void;
  /** The load failed (not when it was aborted): `status` is 'error'. */
  failed(error: unknown): void;
}

/** `idle`: nothing to load yet (no source, not in the document, or lazy and not yet near the viewport). */
export type LoadingStatus = 'idle' | 'loading' | 'ready' | 'error';

type S = string | undefined;
type SourceArgs = readonly [src: S, integrity: S, backend: S, registry: S, modelName: S, version: S, mayLoad: boolean];

export class ModelLoading implements ReactiveController {
  readonly #host: LoadingHost;
  readonly #hooks: LoadingHooks;
  readonly #task: Task<SourceArgs, Model | undefined>;
  /** Whether a load may start: `loading` is eager, or the element has come near the viewport (it stays true). */
  #mayLoad = false;
  #observer: IntersectionObserver | undefined;

  constructor(host: LoadingHost, hooks: LoadingHooks) {
    this.#host = host;
    this.#hooks = hooks;
    // Added before the task, so this hostUpdate sets #mayLoad before the task reads its args.
    host.addController(this);
    this.#task = new Task<SourceArgs, Model | undefined>(host, {
      args: () => [host.src, host.integrity, host.backend, host.registry, host.modelName, host.version, this.#mayLoad],
      task: (args, { signal }) => this.#load(args, signal),
      // The task sets its status right after these return: report once it has.
      onComplete: (model) =>
        queueMicrotask(() => {
          if (model && this.model === model) hooks.loaded(model); // else a newer run or a removal came first
        }),
      onError: (error) =>
        queueMicrotask(() => {
          if (this.status === 'error' && this.#task.error === error) hooks.failed(error);
        }),
    });
  }

  /** The loaded model; undefined while loading, after a failure, and when the element cannot load. */
  get model(): Model | undefined {
    return this.#wanted && this.#task.status === TaskStatus.COMPLETE ? this.#task.value : undefined;
  }

  get status(): LoadingStatus {
    if (!this.#wanted) return 'idle';
    const status = this.#task.status;
    if (status === TaskStatus.COMPLETE) return this.#task.value ? 'ready' : 'idle';
    return status === TaskStatus.PENDING ? 'loading' : status === TaskStatus.ERROR ? 'error' : 'idle';
  }

  /** Whether the element should hold a model: in the document, with a source, and free to load. */
  get #wanted(): boolean {
    const host = this.#host;
    return host.isConnected && Boolean(host.src || host.registry) && this.#mayLoad;
  }

  /** Loads the current source again (after a failure: a failure is not remembered). */
  reload(): void {
    void this.#task.run();
  }

  /**
   * The model, once the load in flight (or the one an update pending now starts) has it. Rejects
   * with that load's error, or INVALID_ARGUMENT saying why there is no model.
   */
  async whenReady(): Promise<Model> {
    const host = this.#host;
    if (host.isUpdatePending && host.isConnected) await host.updateComplete;
    const model = this.model ?? (this.status === 'loading' ? await this.#task.taskComplete : undefined);
    if (model) return model;
    const failure = this.status === 'error' ? errorDetail(this.#task.error, 'load').message : undefined;
    const why = failure
      ? `its model failed to load (${failure})`
      : !host.isConnected
        ? 'it is not in the document'
        : host.src || host.registry
          ? 'its model is not loaded yet (loading="lazy" waits until it is near the viewport)'
          : 'it has no model: set its src or registry attribute';
    throw new MlPredictError('INVALID_ARGUMENT', `<ml-predict> cannot predict: ${why}.`);
  }

  hostConnected(): void {
    // Put back after a removal: load again (a shared session or the cache makes this cheap).
    if (this.#host.hasUpdated) this.reload();
  }

  hostDisconnected(): void {
    this.#task.abort(new MlPredictError('ABORTED', '<ml-predict> was removed from the document.'));
    this.#release();
    this.#host.requestUpdate(); // its status is idle now
  }

  hostUpdate(): void {
    if (this.#host.loading !== 'lazy') this.#mayLoad = true;
  }

  /** Stops watching the viewport and disposes the last run's model. */
  #release(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    const model = this.#task.value;
    if (!model || model.disposed) return;
    void model.dispose();
    this.#hooks.released();
  }

  /** One run: clears the previous source's state, then loads (undefined when the element cannot load). */
  async #load(args: SourceArgs, signal: AbortSignal): Promise<Model | undefined> {
    const [src, integrity, backend, registry, modelName, version, mayLoad] = args;
    const host = this.#host;
    this.#release();
    this.#hooks.reset();
    if (!host.isConnected || (!src && !registry)) return undefined;
    if (!mayLoad) {
      this.#watchViewport();
      return undefined;
    }
    this.#hooks.start();
    return loadSource(
      { src, integrity, backend, registry, modelName, version },
      { card: host.card, signal, onCard: (card) => this.#hooks.card(card), onProgress: (p) => this.#hooks.progress(p) },
    );
  }

  #watchViewport(): void {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        this.#mayLoad = true;
        this.#host.requestUpdate();
      },
      { rootMargin: '200px' },
    );
    this.#observer = observer;
    observer.observe(this.#host);
  }
}
