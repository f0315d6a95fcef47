/**
 * The shadow DOM of `<ml-predict>` for one state of the element: header, progress, error, the
 * form generated from the card, and the result. Pure templates: the element passes its state
 * and the two actions (submit, retry) in.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { defaultValues } from '../model/card-inputs.js';
import type { FeatureValue } from '../types.js';
import type { Feature, ModelCard } from '../model/card.js';
import type { LoadProgress, Model, OutputTensor } from '../types.js';
import type { MlPredictErrorDetail, MlPredictResult, MlPredictStatus } from './events.js';
import { failureHeading, formatValue, numberFormat, percentFormat, phaseText, prettyName } from './format.js';
import type { MlPredictInput } from './inputs.js';

/** What the element shows. */
export interface View {
  status: MlPredictStatus;
  /** The card in use (given or found); undefined for a model without one. */
  card: ModelCard | undefined;
  model: Model | undefined;
  input: MlPredictInput | undefined;
  progress: LoadProgress | undefined;
  result: MlPredictResult | undefined;
  error: MlPredictErrorDetail | undefined;
  /** The text of the `role="status"` live region. */
  announcement: string;
}

export interface ViewActions {
  /** The form was submitted. */
  submit: (event: SubmitEvent) => void;
  /** "Try again" after a failed load. */
  retry: () => void;
}

/** The whole shadow DOM: the live region first, then the parts that apply to the status. */
export function renderView(view: View, actions: ViewActions): TemplateResult {
  const { card, status } = view;
  const ready = status === 'ready' || status === 'predicting';
  return html`
    <div role="status" class="visually-hidden">${view.announcement}</div>
    <div class="stack">
      ${card ? renderHeader(card) : nothing}
      ${status === 'loading' ? renderProgress(view.progress) : nothing}
      ${view.error ? renderError(view.error, actions) : nothing}
      ${ready && card ? keyed(card, renderForm(card, view, actions)) : nothing}
      ${ready && !card && view.model ? renderNoCard(view.model) : nothing}
      ${view.result ? html`<slot name="result">${renderResult(view.result)}</slot>` : nothing}
    </div>
  `;
}

function renderHeader(card: ModelCard): TemplateResult {
  return html`<div class="header">
    <p class="title">${prettyName(card.name)}<span class="version">${card.version ? `v${card.version}` : ''}</span></p>
    ${card.description ? html`<p class="description">${card.description}</p>` : nothing}
  </div>`;
}

function renderProgress(p: LoadProgress | undefined): TemplateResult {
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

function renderError(error: MlPredictErrorDetail, actions: ViewActions): TemplateResult {
  return html`<div part="error" class="error">
    <p class="heading">${failureHeading(error)}</p>
    <p class="message">${error.message}</p>
    <p class="code">${error.code}</p>
    ${error.during === 'load' ? html`<button type="button" class="secondary" @click=${actions.retry}>Try again</button>` : nothing}
  </div>`;
}

function renderNoCard(model: Model): TemplateResult {
  const inputs = model.info.inputs.map((i) => `${i.name} (${i.type} [${i.dims.map((d) => d ?? '?').join(', ')}])`).join(', ');
  return html`<div class="header">
    <p class="title">${prettyName(model.info.name)}</p>
    <p class="description">No model card: set the <code>input</code> property to predict. Inputs: ${inputs}.</p>
  </div>`;
}

function renderField(feature: Feature, index: number, value: FeatureValue | undefined): TemplateResult {
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
  const missing = feature.missing === true;
  const hint = [feature.description?.replace(/\.$/, ''), range && `Range ${range}`, missing && 'May be left empty when unknown'].filter(Boolean).join('. ');
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
      ?required=${feature.default === undefined && !missing}
      aria-describedby=${hint ? hintId : nothing}
    />
    ${hint ? html`<span class="hint" id=${hintId}>${hint}</span>` : nothing}
  </div>`;
}

/** The form of a text, features or columns card (nothing for another input kind); its fields show `view.input`. */
function renderForm(card: ModelCard, view: View, actions: ViewActions): TemplateResult | typeof nothing {
  const input = card.input;
  const busy = view.status === 'predicting';
  const submit = html`<div class="actions">
    <button type="submit">Predict</button>
    ${busy ? html`<span class="busy">Predicting…</span>` : nothing}
  </div>`;
  if (input.kind === 'text') {
    // A placeholder from the card's examples: a text, or { text }.
    const example = card.examples
      ?.map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { text?: unknown }).text === 'string' ? (e as { text: string }).text : undefined))
      .find((e) => e !== undefined);
    return html`<form part="form" @submit=${actions.submit} aria-busy=${busy ? 'true' : 'false'}>
      <div class="field wide">
        <label for="field-text">${card.task === 'text-classification' ? 'Text to classify' : 'Text'}</label>
        <textarea
          id="field-text"
          name="text"
          rows="4"
          required
          placeholder=${example ?? nothing}
          aria-describedby=${input.description ? 'hint-text' : nothing}
          .value=${typeof view.input === 'string' ? view.input : ''}
        ></textarea>
        ${input.description ? html`<span class="hint" id="hint-text">${input.description}</span>` : nothing}
      </div>
      ${submit}
    </form>`;
  }
  if (input.kind !== 'features' && input.kind !== 'columns') return nothing;
  // The fields show the input's feature values (set by the form or the property), else the defaults.
  const values: Record<string, FeatureValue | undefined> = { ...defaultValues(card) };
  const given = view.input;
  if (given && typeof given === 'object') {
    for (const f of input.features) {
      const v = (given as Record<string, unknown>)[f.name];
      if (typeof v === 'number' || typeof v === 'string') values[f.name] = v;
    }
  }
  return html`<form part="form" @submit=${actions.submit} aria-busy=${busy ? 'true' : 'false'}>
    <div class="fields">${input.features.map((f, i) => renderField(f, i, values[f.name]))}</div>
    ${submit}
  </form>`;
}

function renderResult(result: MlPredictResult): TemplateResult {
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
      ${Object.entries(result.outputs).map(([name, t]) => renderOutput(name, t))}
    </dl>
  </div>`;
}

/** One output tensor: its name, type and dims, then one line per row (at most 8 rows of 16 values). */
function renderOutput(name: string, t: OutputTensor): TemplateResult {
  const data = t.data as ArrayLike<number | bigint | string | boolean>;
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
