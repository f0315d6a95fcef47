/**
 * `<ml-predict>`: one tag, a model URL, and an accessible form with results. This module
 * defines the class only; `ml-predict/ml-predict.js` (define.ts) registers the tag.
 */
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { MlPredictError, type MlPredictErrorCode } from '../errors.js';
import { loadModel } from '../model/load.js';
import { cardToInputs, defaultValues, interpret, type FeatureValue } from '../model/interpret.js';
import { validateCard, type Feature, type ModelCard } from '../model/card.js';
import { openRegistry } from '../model/registry.js';
import type { BackendName, BackendOption, Inputs, LoadProgress, Model, OutputTensor } from '../types.js';
import {
  mlPredictEvent,
  type MlPredictErrorDetail,
  type MlPredictEventMap,
  type MlPredictResult,
  type MlPredictStatus,
} from './events.js';

/** What `.input` accepts: model inputs by tensor name, feature values by card feature name, or a text for a text model. */
export type MlPredictInput = Inputs | Readonly<Record<string, FeatureValue | undefined>> | string;

const SOURCE_PROPERTIES = ['src', 'integrity', 'backend', 'registry', 'modelName', 'version'] as const;

interface ResolvedSource {
  url: string;
  integrity: string | undefined;
  version: string | undefined;
  name: string | undefined;
  /** The card, when the source came with one (a registry checks its card against the model's sha256). */
  card: ModelCard | undefined;
  /** A card beside the model to look for (src only). */
  cardUrl: string | undefined;
}

/** `a.onnx?x` → `a.card.json?x`: the card beside a model (http and https only: a blob or data URL has nothing beside it). */
function cardUrlFor(modelUrl: string): string | undefined {
  const url = new URL(modelUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.pathname = /\.onnx$/i.test(url.pathname) ? url.pathname.replace(/\.onnx$/i, '.card.json') : `${url.pathname}.card.json`;
  return url.href;
}

/**
 * Fetches the card beside a model and checks it field by field. A missing card (404, offline,
 * or an HTML page from an app's fallback route) is not an error; a broken one is CARD_INVALID.
 */
async function fetchCard(url: string, signal: AbortSignal): Promise<ModelCard | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal.aborted) throw e;
    return undefined; // offline or unreachable: the model may still load from the cache
  }
  if (!res.ok) return undefined;
  if ((res.headers.get('content-type') ?? '').includes('html')) return undefined;
  let json: unknown;
  try {
    json = await res.json();
  } catch (e) {
    if (signal.aborted) throw e;
    throw new MlPredictError('CARD_INVALID', `The model card ${JSON.stringify(url)} is not valid JSON: ${(e as Error).message}`);
  }
  return validateCard(json, url);
}

function parseBackend(value: string | undefined): BackendOption | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const list = value.split(/[\s,]+/).filter(Boolean);
  // Validation (and its message listing the valid backends) is loadModel's.
  return list.length === 1 ? (list[0] as BackendName) : (list as BackendName[]);
}

function errorDetail(e: unknown, during: 'load' | 'predict'): MlPredictErrorDetail {
  if (e instanceof MlPredictError) return { code: e.code, message: e.message, during, error: e };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL' as MlPredictErrorCode, message, during, error: e };
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });

function formatValue(v: number | bigint | string | boolean): string {
  return typeof v === 'number' ? numberFormat.format(v) : String(v);
}

function phaseText(p: LoadProgress | undefined): string {
  if (!p || p.phase === 'download') {
    if (!p) return 'Loading model…';
    if (p.total) {
      const mb = (n: number) => bytesFormat.format(n / 1e6);
      return `Downloading model… ${percentFormat.format(p.loaded / p.total)} (${mb(p.loaded)} of ${mb(p.total)})`;
    }
    return `Downloading model… ${bytesFormat.format(p.loaded / 1e6)}`;
  }
  return p.phase === 'verify' ? 'Checking the model…' : 'Preparing the model…';
}

const prettyName = (name: string): string => name.replace(/[_-]+/g, ' ');

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
    _status: { state: true },
    _progress: { state: true },
    _result: { state: true },
    _error: { state: true },
    _loadedCard: { state: true },
    _announcement: { state: true },
  };

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

  declare private _status: MlPredictStatus;
  declare private _progress: LoadProgress | undefined;
  declare private _result: MlPredictResult | undefined;
  declare private _error: MlPredictErrorDetail | undefined;
  declare private _loadedCard: ModelCard | undefined;
  declare private _announcement: string;

  #model: Model | undefined;
  #loadSeq = 0;
  #predictSeq = 0;
  #abort: AbortController | undefined;
  #loaded: Promise<Model> | undefined;
  #observer: IntersectionObserver | undefined;
  #visible = false;
  #internals: ElementInternals | undefined;

  constructor() {
    super();
    this.loading = 'eager';
    this._status = 'idle';
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
    return this.#model;
  }

  /** The latest prediction's result. */
  get result(): MlPredictResult | undefined {
    return this._result;
  }

  /** `idle`, `loading`, `ready`, `predicting` or `error`; also exposed as a custom state for CSS, e.g. `ml-predict:state(loading)`. */
  get status(): MlPredictStatus {
    return this._status;
  }

  /** The card in use: the `card` property, else the one found beside the model. */
  get modelCard(): ModelCard | undefined {
    return this.card ?? this._loadedCard;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after a removal: load again (a shared session or the cache makes this cheap).
    if (this.hasUpdated && !this.#model && !this.#abort) this.#startLoad();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
    this._status = 'idle';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const sourceChanged = SOURCE_PROPERTIES.some((p) => changed.has(p));
    if (sourceChanged || (changed.has('loading') && this._status === 'idle')) this.#startLoad();
    if (changed.has('input') && this.input !== undefined && this.#model) void this.predict().catch(() => undefined);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Bar widths through the CSSOM: a style attribute would need 'unsafe-inline' under a strict CSP.
    for (const fill of this.renderRoot.querySelectorAll<HTMLElement>('.fill[data-fill]')) {
      const width = `${fill.dataset.fill}%`;
      if (fill.style.inlineSize !== width) fill.style.inlineSize = width;
    }
    if ((changed as Map<PropertyKey, unknown>).has('_status')) {
      const states = this.#internals?.states;
      if (states) {
        for (const s of ['idle', 'loading', 'ready', 'predicting', 'error']) states.delete(s);
        states.add(this._status);
      }
    }
  }

  /** Stops any load in flight and frees the model. */
  #stop(): void {
    this.#loadSeq++;
    this.#abort?.abort(new MlPredictError('ABORTED', 'The source of <ml-predict> changed or it was removed.'));
    this.#abort = undefined;
    this.#loaded = undefined;
    this.#observer?.disconnect();
    this.#observer = undefined;
    const model = this.#model;
    this.#model = undefined;
    if (model) void model.dispose();
  }

  #startLoad(): void {
    this.#stop();
    this._progress = undefined;
    this._result = undefined;
    this._error = undefined;
    this._loadedCard = undefined;
    if (!this.isConnected || (!this.src && !this.registry)) {
      this._status = 'idle';
      return;
    }
    if (this.loading === 'lazy' && !this.#visible) {
      this._status = 'idle';
      this.#observer = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          this.#visible = true;
          this.#startLoad();
        },
        { rootMargin: '200px' },
      );
      this.#observer.observe(this);
      return;
    }
    const seq = this.#loadSeq;
    const abort = new AbortController();
    this.#abort = abort;
    this._status = 'loading';
    this._announcement = 'Loading the model…';
    const loaded = this.#load(seq, abort.signal);
    this.#loaded = loaded;
    loaded.catch(() => undefined);
  }

  async #resolveSource(signal: AbortSignal): Promise<ResolvedSource> {
    if (this.src) {
      let url: string;
      try {
        url = new URL(this.src, document.baseURI).href;
      } catch {
        throw new MlPredictError('INVALID_ARGUMENT', `The src ${JSON.stringify(this.src)} of <ml-predict> is not a valid URL.`);
      }
      return { url, integrity: this.integrity || undefined, version: undefined, name: undefined, card: undefined, cardUrl: cardUrlFor(url) };
    }
    // A registry: the model by name (or the default one), with its integrity and checked card.
    const registry = await openRegistry(this.registry!, { signal });
    const r = registry.resolve(this.modelName || undefined, this.version || undefined);
    const card = this.card ? undefined : await registry.card(r.name, r.version, { signal });
    return { url: r.url, integrity: r.integrity, version: r.version, name: r.name, card, cardUrl: undefined };
  }

  async #load(seq: number, signal: AbortSignal): Promise<Model> {
    const current = () => seq === this.#loadSeq;
    try {
      const source = await this.#resolveSource(signal);
      const fetched = this.card ? undefined : (source.card ?? (source.cardUrl ? await fetchCard(source.cardUrl, signal) : undefined));
      const card = this.card ?? fetched;
      if (!current()) throw new MlPredictError('ABORTED', 'A newer source replaced this one.');
      this._loadedCard = fetched;
      const model = await loadModel(source.url, {
        backend: parseBackend(this.backend),
        integrity: source.integrity,
        version: source.version,
        name: source.name,
        signal,
        card: card ?? false,
        onProgress: (p) => {
          if (!current()) return;
          this._progress = p;
          this.dispatchEvent(mlPredictEvent('progress', { ...p }));
        },
      });
      if (!current()) {
        void model.dispose();
        throw new MlPredictError('ABORTED', 'A newer source replaced this one.');
      }
      this.#model = model;
      this.#abort = undefined;
      this._status = 'ready';
      this._announcement = `Model ${card?.name ?? model.info.name} is ready.`;
      this.dispatchEvent(mlPredictEvent('load', { model }));
      if (this.input !== undefined) void this.predict().catch(() => undefined);
      return model;
    } catch (e) {
      if (current()) {
        this.#abort = undefined;
        this._status = 'error';
        if (e instanceof MlPredictError && e.code === 'CARD_INVALID') this._loadedCard = undefined;
        this.#fail(errorDetail(e, 'load'));
      }
      throw e;
    }
  }

  #fail(detail: MlPredictErrorDetail): void {
    this._error = detail;
    this._announcement = `${detail.during === 'load' ? 'The model could not be loaded' : 'The prediction failed'}: ${detail.message}`;
    this.dispatchEvent(mlPredictEvent('error', detail));
  }

  /** Model inputs for an `.input` value: tensor names pass through; anything else goes through the card. */
  #toInputs(model: Model, input: MlPredictInput): Inputs {
    const card = this.modelCard;
    if (typeof input === 'string') {
      if (!card) throw new MlPredictError('INVALID_ARGUMENT', `Model "${model.info.name}" has no card, so a text cannot be turned into inputs; pass inputs by tensor name.`);
      return cardToInputs(card, input);
    }
    const names = model.info.inputs.map((i) => i.name);
    const keys = Object.keys(input);
    if (!card || (keys.length > 0 && keys.every((k) => names.includes(k)))) return input as Inputs;
    return cardToInputs(card, input as Readonly<Record<string, FeatureValue | undefined>>);
  }

  /**
   * Predicts on `input` (default: the `input` property), waiting for the model if it is still
   * loading. Updates `result`, shows it and fires `prediction`; a failure fires `error` and rejects.
   */
  async predict(input: MlPredictInput | undefined = this.input): Promise<MlPredictResult> {
    const seq = ++this.#predictSeq;
    const current = () => seq === this.#predictSeq;
    try {
      if (input === undefined) throw new MlPredictError('INVALID_ARGUMENT', 'Nothing to predict on: set the input property or pass an input.');
      if (!this.#model && !this.#loaded) await this.updateComplete; // a source set in this task starts loading in the update
      const model = this.#model ?? (await this.#waitForModel());
      this._status = 'predicting';
      const outputs = await model.predict(this.#toInputs(model, input));
      const card = this.modelCard;
      const result: MlPredictResult =
        card && (card.task !== 'other') ? { ...interpret(card, outputs), outputs } : { kind: 'raw', outputs };
      if (current() && model === this.#model) {
        this._status = 'ready';
        this._error = undefined;
        this._result = result;
        this._announcement = this.#resultText(result);
        this.dispatchEvent(mlPredictEvent('prediction', result));
      }
      return result;
    } catch (e) {
      if (current()) {
        if (this._status === 'predicting') this._status = 'ready';
        this._result = undefined;
        this.#fail(errorDetail(e, 'predict'));
      }
      throw e;
    }
  }

  #waitForModel(): Promise<Model> {
    if (this.#loaded) return this.#loaded;
    const why = this._status === 'error' ? `its model failed to load (${this._error?.message ?? 'unknown error'})` : 'it has no model: set its src or registry attribute';
    return Promise.reject(new MlPredictError('INVALID_ARGUMENT', `<ml-predict> cannot predict: ${why}.`));
  }

  #resultText(result: MlPredictResult): string {
    if (result.kind === 'classification') {
      const p = result.probabilities[result.label];
      return `Prediction: ${result.label}${p !== undefined ? ` (${percentFormat.format(p)})` : ''}.`;
    }
    if (result.kind === 'regression') return `Prediction: ${numberFormat.format(result.value)}${result.unit ? ` ${result.unit}` : ''}.`;
    return `Prediction done: ${Object.keys(result.outputs).join(', ')}.`;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const card = this.modelCard;
    if (!card) return;
    const data = new FormData(form);
    if (card.input.kind === 'text') {
      this.input = String(data.get('text') ?? '');
      return;
    }
    if (card.input.kind !== 'features') return;
    const values: Record<string, FeatureValue> = {};
    for (const f of card.input.features) {
      const raw = String(data.get(f.name) ?? '');
      if (raw.trim() === '') continue;
      values[f.name] = f.type === 'number' ? Number(raw) : raw;
    }
    this.input = values;
  }

  #retry(): void {
    this.#startLoad();
  }

  static override styles = css`
    :host {
      --_accent: var(--ml-predict-accent, #1d4ed8);
      --_on-accent: var(--ml-predict-on-accent, #ffffff);
      --_color: var(--ml-predict-color, #1f2937);
      --_muted: var(--ml-predict-muted, #4b5563);
      --_bg: var(--ml-predict-background, #ffffff);
      --_border: var(--ml-predict-border-color, #d1d5db);
      --_error: var(--ml-predict-error, #b91c1c);
      --_radius: var(--ml-predict-radius, 12px);
      display: block;
      box-sizing: border-box;
      color: var(--_color);
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: var(--ml-predict-padding, 1rem 1.25rem);
      font-family: inherit;
      line-height: 1.45;
    }
    :host([hidden]) {
      display: none;
    }
    *,
    *::before,
    *::after {
      box-sizing: inherit;
    }
    .visually-hidden {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      margin: -1px;
      padding: 0;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
      border: 0;
    }
    .stack > * + * {
      margin-block-start: 1rem;
    }
    .title {
      margin: 0;
      font-weight: 600;
      font-size: 1.05em;
    }
    .title .version {
      font-weight: 400;
      color: var(--_muted);
      font-size: 0.85em;
      margin-inline-start: 0.35em;
    }
    .description {
      margin: 0.2rem 0 0;
      color: var(--_muted);
      font-size: 0.9em;
    }
    .progress .phase {
      margin: 0 0 0.4rem;
      font-size: 0.9em;
      color: var(--_muted);
    }
    .track {
      display: block;
      block-size: 0.5rem;
      border-radius: 999px;
      background: var(--_border);
      overflow: hidden;
    }
    .fill {
      display: block;
      block-size: 100%;
      inline-size: 0;
      border-radius: inherit;
      background: var(--_accent);
      transition: inline-size 0.2s ease-out;
    }
    .indeterminate .fill {
      inline-size: 35%;
      animation: slide 1.2s ease-in-out infinite;
    }
    @keyframes slide {
      from {
        transform: translateX(-100%);
      }
      to {
        transform: translateX(300%);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .fill {
        transition: none;
      }
      .indeterminate .fill {
        animation: none;
        inline-size: 100%;
        opacity: 0.4;
      }
    }
    .fields {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 13rem), 1fr));
      gap: 0.85rem 1rem;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      min-inline-size: 0;
    }
    .field.wide {
      grid-column: 1 / -1;
    }
    label {
      font-weight: 600;
      font-size: 0.9em;
    }
    .unit,
    .hint {
      font-weight: 400;
      color: var(--_muted);
    }
    .hint {
      font-size: 0.8em;
    }
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: calc(var(--_radius) / 2);
      padding: 0.45rem 0.6rem;
      inline-size: 100%;
    }
    textarea {
      resize: vertical;
      min-block-size: 6rem;
    }
    input:focus-visible,
    select:focus-visible,
    textarea:focus-visible,
    button:focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    input:user-invalid {
      border-color: var(--_error);
    }
    .actions {
      display: flex;
      align-items: center;
      gap: 0.75rem;
      margin-block-start: 1rem;
    }
    button {
      font: inherit;
      font-weight: 600;
      color: var(--_on-accent);
      background: var(--_accent);
      border: 1px solid var(--_accent);
      border-radius: calc(var(--_radius) / 2);
      padding: 0.5rem 1.1rem;
      cursor: pointer;
    }
    button.secondary {
      color: var(--_accent);
      background: transparent;
    }
    button:hover {
      filter: brightness(1.1);
    }
    .busy {
      font-size: 0.9em;
      color: var(--_muted);
    }
    .result {
      border-block-start: 1px solid var(--_border);
      padding-block-start: 1rem;
    }
    .stack > slot {
      display: block;
    }
    .caption {
      display: block;
      font-size: 0.8em;
      text-transform: uppercase;
      letter-spacing: 0.06em;
      color: var(--_muted);
    }
    .headline {
      margin: 0 0 0.75rem;
    }
    .headline strong {
      font-size: 1.6em;
      font-weight: 700;
    }
    .headline .unit,
    .headline .confidence {
      margin-inline-start: 0.15em;
      color: var(--_muted);
    }
    .probabilities {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: minmax(4rem, max-content) 1fr 4.5em;
      gap: 0.4rem 0.75rem;
      align-items: center;
    }
    .probabilities li {
      display: contents;
    }
    .probabilities .name {
      overflow-wrap: anywhere;
    }
    .probabilities .pct {
      text-align: end;
      font-variant-numeric: tabular-nums;
    }
    .probabilities .top .name,
    .probabilities .top .pct {
      font-weight: 700;
    }
    .probabilities li:not(.top) .fill {
      opacity: 0.55;
    }
    .outputs {
      margin: 0.25rem 0 0;
    }
    .outputs dt {
      font-weight: 600;
    }
    .outputs dt .hint {
      margin-inline-start: 0.25em;
    }
    .outputs dt:not(:first-child) {
      margin-block-start: 0.5rem;
    }
    .outputs dd {
      margin: 0;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 0.85em;
      overflow-wrap: anywhere;
    }
    .error {
      border: 1px solid var(--_error);
      border-radius: calc(var(--_radius) / 2);
      padding: 0.75rem 0.9rem;
    }
    .error .heading {
      margin: 0;
      font-weight: 700;
      color: var(--_error);
    }
    .error .message {
      margin: 0.25rem 0 0;
      overflow-wrap: anywhere;
    }
    .error .code {
      margin: 0.25rem 0 0;
      font-size: 0.8em;
      color: var(--_muted);
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    }
    .error button {
      margin-block-start: 0.75rem;
    }
  `;

  protected override render(): TemplateResult {
    const card = this.modelCard;
    const status = this._status;
    return html`
      <div role="status" class="visually-hidden">${this._announcement}</div>
      <div class="stack">
        ${card ? this.#renderHeader(card) : nothing}
        ${status === 'loading' ? this.#renderProgress() : nothing}
        ${this._error ? this.#renderError(this._error) : nothing}
        ${(status === 'ready' || status === 'predicting') && card ? keyed(card, this.#renderForm(card)) : nothing}
        ${(status === 'ready' || status === 'predicting') && !card ? this.#renderNoCard() : nothing}
        ${this._result ? html`<slot name="result">${this.#renderResult(this._result)}</slot>` : nothing}
      </div>
    `;
  }

  #renderHeader(card: ModelCard): TemplateResult {
    return html`<div class="header">
      <p class="title">${prettyName(card.name)}<span class="version">${card.version ? `v${card.version}` : ''}</span></p>
      ${card.description ? html`<p class="description">${card.description}</p>` : nothing}
    </div>`;
  }

  #renderProgress(): TemplateResult {
    const p = this._progress;
    const determinate = p !== undefined && p.total !== undefined && p.total > 0;
    const pct = determinate ? Math.min(100, Math.round((p.loaded / p.total!) * 100)) : undefined;
    return html`<slot name="progress">
      <div part="progress" class="progress">
        <p class="phase">${phaseText(p)}</p>
        <div
          class="track ${determinate ? '' : 'indeterminate'}"
          role="progressbar"
          aria-label="Loading the model"
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${pct ?? nothing}
        >
          <span class="fill" data-fill=${pct ?? nothing}></span>
        </div>
      </div>
    </slot>`;
  }

  #renderError(error: MlPredictErrorDetail): TemplateResult {
    return html`<div part="error" class="error">
      <p class="heading">${error.during === 'load' ? 'The model could not be loaded' : 'The prediction failed'}</p>
      <p class="message">${error.message}</p>
      <p class="code">${error.code}</p>
      ${error.during === 'load' ? html`<button type="button" class="secondary" @click=${this.#retry}>Try again</button>` : nothing}
    </div>`;
  }

  #renderNoCard(): TemplateResult | typeof nothing {
    const model = this.#model;
    if (!model) return nothing;
    const inputs = model.info.inputs.map((i) => `${i.name} (${i.type} [${i.dims.map((d) => d ?? '?').join(', ')}])`).join(', ');
    return html`<div class="header">
      <p class="title">${prettyName(model.info.name)}</p>
      <p class="description">No model card: set the <code>input</code> property to predict. Inputs: ${inputs}.</p>
    </div>`;
  }

  #renderField(feature: Feature, index: number, value: FeatureValue | undefined): TemplateResult {
    const id = `field-${index}`;
    const hintId = `hint-${index}`;
    const label = html`<label for=${id}>${prettyName(feature.name)}${feature.type === 'number' && feature.unit ? html` <span class="unit">(${feature.unit})</span>` : nothing}</label>`;
    if (feature.type === 'category') {
      return html`<div class="field">
        ${label}
        <select id=${id} name=${feature.name} aria-describedby=${feature.description ? hintId : nothing}>
          ${feature.categories.map((c) => html`<option value=${c} ?selected=${c === String(value)}>${c}</option>`)}
        </select>
        ${feature.description ? html`<span class="hint" id=${hintId}>${feature.description}</span>` : nothing}
      </div>`;
    }
    const range =
      feature.min !== undefined && feature.max !== undefined
        ? `${formatValue(feature.min)} to ${formatValue(feature.max)}`
        : feature.min !== undefined
          ? `at least ${formatValue(feature.min)}`
          : feature.max !== undefined
            ? `at most ${formatValue(feature.max)}`
            : '';
    // The unit is in the label already.
    const hint = [feature.description?.replace(/\.$/, ''), range && `Range ${range}`].filter(Boolean).join('. ');
    return html`<div class="field">
      ${label}
      <input
        id=${id}
        name=${feature.name}
        type="number"
        inputmode="decimal"
        step="any"
        min=${feature.min ?? nothing}
        max=${feature.max ?? nothing}
        .value=${value === undefined ? '' : String(value)}
        ?required=${feature.default === undefined}
        aria-describedby=${hint ? hintId : nothing}
      />
      ${hint ? html`<span class="hint" id=${hintId}>${hint}</span>` : nothing}
    </div>`;
  }

  #renderForm(card: ModelCard): TemplateResult | typeof nothing {
    const input = card.input;
    const busy = this._status === 'predicting';
    const actions = html`<div class="actions">
      <button type="submit">Predict</button>
      ${busy ? html`<span class="busy">Predicting…</span>` : nothing}
    </div>`;
    if (input.kind === 'text') {
      // A placeholder from the card's examples: a text, or { text }.
      const example = card.examples
        ?.map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { text?: unknown }).text === 'string' ? (e as { text: string }).text : undefined))
        .find((e) => e !== undefined);
      return html`<form part="form" @submit=${this.#onSubmit} aria-busy=${busy ? 'true' : 'false'}>
        <div class="field wide">
          <label for="field-text">${card.task === 'text-classification' ? 'Text to classify' : 'Text'}</label>
          <textarea
            id="field-text"
            name="text"
            rows="4"
            required
            placeholder=${example ?? nothing}
            aria-describedby=${input.description ? 'hint-text' : nothing}
            .value=${typeof this.input === 'string' ? this.input : ''}
          ></textarea>
          ${input.description ? html`<span class="hint" id="hint-text">${input.description}</span>` : nothing}
        </div>
        ${actions}
      </form>`;
    }
    if (input.kind !== 'features') return nothing;
    // The fields show the input's feature values (set by the form or the property), else the defaults.
    const values: Record<string, FeatureValue | undefined> = { ...defaultValues(card) };
    const given = this.input;
    if (given && typeof given === 'object') {
      for (const f of input.features) {
        const v = (given as Record<string, unknown>)[f.name];
        if (typeof v === 'number' || typeof v === 'string') values[f.name] = v;
      }
    }
    return html`<form part="form" @submit=${this.#onSubmit} aria-busy=${busy ? 'true' : 'false'}>
      <div class="fields">${input.features.map((f, i) => this.#renderField(f, i, values[f.name]))}</div>
      ${actions}
    </form>`;
  }

  #renderResult(result: MlPredictResult): TemplateResult {
    if (result.kind === 'classification') {
      const entries = Object.entries(result.probabilities);
      const p = result.probabilities[result.label];
      return html`<div part="result" class="result">
        <p class="headline">
          <span class="caption">Prediction</span>
          <strong>${result.label}</strong>${p !== undefined ? html` <span class="confidence">${percentFormat.format(p)}</span>` : nothing}
        </p>
        ${entries.length > 0
          ? html`<ul class="probabilities" aria-label="Probability of each class">
              ${entries.map(
                ([label, prob]) => html`<li class=${label === result.label ? 'top' : ''}>
                  <span class="name">${label}</span>
                  <span class="track" aria-hidden="true"><span class="fill" data-fill=${Math.max(0, Math.min(1, prob)) * 100}></span></span>
                  <span class="pct">${percentFormat.format(prob)}</span>
                </li>`,
              )}
            </ul>`
          : nothing}
      </div>`;
    }
    if (result.kind === 'regression') {
      return html`<div part="result" class="result">
        <p class="headline">
          <span class="caption">Prediction</span>
          <strong>${numberFormat.format(result.value)}</strong>${result.unit ? html` <span class="unit">${result.unit}</span>` : nothing}
        </p>
      </div>`;
    }
    return html`<div part="result" class="result">
      <span class="caption">Outputs</span>
      <dl class="outputs">
        ${Object.entries(result.outputs).map(([name, t]) => this.#renderOutput(name, t))}
      </dl>
    </div>`;
  }

  #renderOutput(name: string, t: OutputTensor): TemplateResult {
    const data = t.data as ArrayLike<number | bigint | string | boolean>;
    // One line per row (at most 8 rows of 16 values).
    const width = t.dims.length >= 2 ? t.dims.slice(1).reduce((a, b) => a * b, 1) : data.length;
    const rows = width > 0 ? Math.ceil(data.length / width) : 0;
    const lines = Array.from({ length: Math.min(rows, 8) }, (_, r) => {
      const row = Array.from({ length: Math.min(width, 16) }, (_, i) => formatValue(data[r * width + i]!));
      return `${row.join(', ')}${width > 16 ? ', …' : ''}`;
    });
    if (rows > 8) lines.push(`… (${rows} rows)`);
    return html`<dt>${name} <span class="hint">${t.type} [${t.dims.join(', ')}]</span></dt>
      ${lines.map((line) => html`<dd>${line}</dd>`)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ml-predict': MlPredict;
  }
}
