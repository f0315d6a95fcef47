/**
 * `<ml-predict>`: one tag, a model URL, and an accessible form with results. This module holds
 * the element's properties and lifecycle; define.ts registers the tag. Beside it: loading.ts
 * (the load task), source.ts (where the model comes from), inputs.ts (`.input` and the form's
 * values), templates.ts (the shadow DOM), styles.ts, format.ts (what it shows and announces).
 */
import { LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { initialState, Task, TaskStatus } from '@lit/task';
import { MlPredictError } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import type { LoadProgress, Model } from '../types.js';
import {
  errorDetail,
  mlPredictEvent,
  type MlPredictErrorDetail,
  type MlPredictEventMap,
  type MlPredictResult,
  type MlPredictStatus,
} from './events.js';
import { failureHeading, resultText } from './format.js';
import { formInput, predictOn, type MlPredictInput } from './inputs.js';
import { ModelLoading } from './loading.js';
import { styles } from './styles.js';
import { renderView, type ViewActions } from './templates.js';

export type { MlPredictInput } from './inputs.js';

/** One predict() call's work, or `initialState` to clear the shown outcome. */
type PredictionArgs = readonly [work: Promise<MlPredictResult> | typeof initialState];

/**
 * Predictions on the user's device from an ONNX model: give it a model URL (and a model card
 * beside it, `name.card.json`) and it shows a form, runs the model in a worker and shows the result.
 *
 * @summary On-device ML predictions from an ONNX model, as one tag.
 *
 * @fires progress - While the model loads: `detail` is `{ phase: 'download' | 'verify' | 'compile', loaded, total }` (total undefined when unknown). Does not bubble.
 * @fires load - The model is ready: `detail.model` is the Model handle. Only the latest source's load fires. Does not bubble.
 * @fires error - Loading or a prediction failed: `detail` is `{ code, message, during: 'load' | 'predict', error }`. Does not bubble.
 * @fires prediction - A prediction finished: `detail` is the result (`kind` 'classification', 'regression' or 'raw'). Bubbles.
 *
 * @slot progress - Replaces the built-in progress bar while the model loads (listen to `progress` events to drive it).
 * @slot result - Replaces the built-in result view once there is a result (listen to `prediction` events).
 *
 * @csspart progress - The built-in progress area while the model loads.
 * @csspart form - The form generated from the model card.
 * @csspart result - The built-in result view.
 * @csspart error - The error message.
 *
 * @cssprop [--ml-predict-accent=#1d4ed8] - Buttons, bars and focus rings.
 * @cssprop [--ml-predict-on-accent=#ffffff] - Text on the accent colour.
 * @cssprop [--ml-predict-color=#1f2937] - Text colour.
 * @cssprop [--ml-predict-muted=#4b5563] - Secondary text.
 * @cssprop [--ml-predict-background=#ffffff] - Background of the element and its fields.
 * @cssprop [--ml-predict-border-color=#d1d5db] - Borders and bar tracks.
 * @cssprop [--ml-predict-error=#b91c1c] - Error text and border.
 * @cssprop [--ml-predict-radius=12px] - Corner radius of the element (fields use half).
 * @cssprop [--ml-predict-padding=1rem 1.25rem] - Inner spacing.
 *
 * @example
 * <script type="module">import 'ml-predict/ml-predict.js';</script>
 * <ml-predict src="/models/iris.onnx"></ml-predict>
 */
export class MlPredict extends LitElement {
  static override properties = {
    src: { type: String, reflect: true },
    integrity: { type: String },
    backend: { type: String },
    loading: { type: String, reflect: true },
    registry: { type: String },
    modelName: { type: String, attribute: 'model' },
    version: { type: String },
    card: { attribute: false },
    input: { attribute: false },
    _progress: { state: true },
    _result: { state: true },
    _error: { state: true },
    _loadedCard: { state: true },
    _announcement: { state: true },
  };

  static override styles = styles;

  /** URL of the ONNX model. A model card is looked for beside it (`name.onnx` → `name.card.json`). */
  declare src: string | undefined;
  /** Subresource integrity of the model, `sha256-<base64>`; a mismatch is an INTEGRITY_MISMATCH error. With `registry`, the registry's sha256 is used. */
  declare integrity: string | undefined;
  /** Backends to try in order: `auto` (default), `wasm`, `webgpu`, or a list such as `webgpu wasm`. */
  declare backend: string | undefined;
  /** `eager` (default) loads at once; `lazy` waits until the element is near the viewport. */
  declare loading: 'eager' | 'lazy';
  /** URL of a registry manifest (`registry.json`) to pick the model from, instead of `src`. */
  declare registry: string | undefined;
  /** With `registry`: the model's name in the manifest (attribute `model`); the registry's default model when absent. */
  declare modelName: string | undefined;
  /** With `registry`: a version or alias of the model; its `stable` alias (else the newest version) when absent. */
  declare version: string | undefined;
  /** A model card given directly; when set, no card is fetched. Checked like a fetched one: valid, and describing the model's bytes. */
  declare card: ModelCard | undefined;
  /**
   * What to predict on: model inputs by tensor name (`{ x: [[1, 2]] }`), feature values by the
   * card's feature names (`{ age: 40 }`), or a text for a text model. Setting it predicts (once the model is ready).
   */
  declare input: MlPredictInput | undefined;

  declare private _progress: LoadProgress | undefined;
  declare private _result: MlPredictResult | undefined;
  declare private _error: MlPredictErrorDetail | undefined;
  declare private _loadedCard: ModelCard | undefined;
  declare private _announcement: string;

  #internals: ElementInternals | undefined;
  readonly #actions: ViewActions = {
    submit: (event) => this.#onSubmit(event),
    retry: () => this.#loading.reload(),
  };

  readonly #loading = new ModelLoading(this, {
    reset: () => {
      this._progress = undefined;
      this._result = undefined;
      this._error = undefined;
      this._loadedCard = undefined;
    },
    released: () => void this.#prediction.run([initialState]),
    start: () => (this._announcement = 'Loading the model…'),
    card: (card) => (this._loadedCard = card),
    progress: (p) => {
      this._progress = p;
      this.dispatchEvent(mlPredictEvent('progress', { ...p }));
    },
    loaded: (model) => {
      this._announcement = `Model ${this.modelCard?.name ?? model.info.name} is ready.`;
      this.dispatchEvent(mlPredictEvent('load', { model }));
      if (this.input !== undefined) void this.predict().catch(() => undefined);
    },
    failed: (error) => this.#fail(errorDetail(error, 'load')),
  });

  /** The outcome shown is the latest predict() call's; like the load's, it is reported once the task has adopted it. */
  readonly #prediction = new Task<PredictionArgs, MlPredictResult>(this, {
    autoRun: false,
    task: ([work]) => work,
    onComplete: (result) =>
      queueMicrotask(() => {
        if (this.#prediction.status !== TaskStatus.COMPLETE || this.#prediction.value !== result) return;
        this._error = undefined;
        this._result = result;
        this._announcement = resultText(result);
        this.dispatchEvent(mlPredictEvent('prediction', result));
      }),
    onError: (error) =>
      queueMicrotask(() => {
        if (this.#prediction.status !== TaskStatus.ERROR || this.#prediction.error !== error) return;
        this._result = undefined;
        this.#fail(errorDetail(error, 'predict'));
      }),
  });

  constructor() {
    super();
    this.loading = 'eager';
    this._announcement = '';
    try {
      this.#internals = this.attachInternals();
    } catch {
      this.#internals = undefined; // custom states are a styling nicety only
    }
  }

  // Typed listeners for the element's own events (their names clash with DOM events of other
  // types in HTMLElementEventMap, so an augmentation cannot type them).
  override addEventListener<K extends keyof MlPredictEventMap>(
    type: K,
    listener: (this: MlPredict, ev: MlPredictEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof MlPredictEventMap>(
    type: K,
    listener: (this: MlPredict, ev: MlPredictEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  /** The loaded model's handle (undefined until `load`). Disposed by the element when its source changes or it is removed. */
  get model(): Model | undefined {
    return this.#loading.model;
  }

  /** The latest prediction's result. */
  get result(): MlPredictResult | undefined {
    return this._result;
  }

  /** `idle`, `loading`, `ready`, `predicting` or `error`; also exposed as a custom state for CSS, e.g. `ml-predict:state(loading)`. */
  get status(): MlPredictStatus {
    const status = this.#loading.status;
    return status === 'ready' && this.#prediction.status === TaskStatus.PENDING ? 'predicting' : status;
  }

  /** The card in use: the `card` property, else the one found beside the model. */
  get modelCard(): ModelCard | undefined {
    return this.card ?? this._loadedCard;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('input') && this.input !== undefined && this.model) void this.predict().catch(() => undefined);
  }

  protected override render(): TemplateResult {
    const { status, modelCard: card, model, input } = this;
    return renderView({ status, card, model, input, progress: this._progress, result: this._result, error: this._error, announcement: this._announcement }, this.#actions);
  }

  protected override updated(): void {
    // Bar widths through the CSSOM: a style attribute would need 'unsafe-inline' under a strict CSP.
    for (const fill of this.renderRoot.querySelectorAll<HTMLElement>('.fill[data-fill]')) {
      const width = `${fill.dataset.fill}%`;
      if (fill.style.inlineSize !== width) fill.style.inlineSize = width;
    }
    const states = this.#internals?.states;
    const status = this.status;
    if (states && !states.has(status)) {
      for (const s of ['idle', 'loading', 'ready', 'predicting', 'error']) states.delete(s);
      states.add(status);
    }
  }

  #fail(detail: MlPredictErrorDetail): void {
    this._error = detail;
    this._announcement = `${failureHeading(detail)}: ${detail.message}`;
    this.dispatchEvent(mlPredictEvent('error', detail));
  }

  /**
   * Predicts on `input` (default: the `input` property), waiting for the model if it is still
   * loading. Updates `result`, shows it and fires `prediction`; a failure fires `error` and rejects.
   * When calls overlap, each settles with its own outcome and the latest call's is the one shown.
   */
  async predict(input: MlPredictInput | undefined = this.input): Promise<MlPredictResult> {
    const work = (async () => {
      if (input === undefined) throw new MlPredictError('INVALID_ARGUMENT', 'Nothing to predict on: set the input property or pass an input.');
      const model = await this.#loading.whenReady();
      return predictOn(model, this.modelCard, input);
    })();
    await this.#prediction.run([work]); // settles once the outcome is shown (or a newer call replaced it)
    return work;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const card = this.modelCard;
    const input = card ? formInput(card, event.currentTarget as HTMLFormElement) : undefined;
    if (input !== undefined) this.input = input;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ml-predict': MlPredict;
  }
}
