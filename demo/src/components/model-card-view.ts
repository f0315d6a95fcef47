/**
 * `<mlp-model-card>`: a model card for people: what the model predicts, its inputs, the data it
 * was trained on, its held-out metrics, version, size, hash and license.
 */
import { html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Feature, ModelCard } from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { formatBytes } from '../format.js';

const TASKS: Record<string, string> = {
  'binary-classification': 'Classification into two classes',
  'multiclass-classification': 'Classification into several classes',
  'text-classification': 'Text classification',
  regression: 'A number (regression)',
  other: 'Model-specific output',
};

function metricValue(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en');
  return Math.abs(v) < 1000 ? v.toFixed(Math.abs(v) >= 100 ? 1 : 3) : v.toExponential(2);
}

/** A description as the start of a sentence that goes on: no full stop at its end. */
function clause(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

function featureRange(f: Feature): string {
  if (f.type === 'category') return f.categories.join(', ');
  if (f.min !== undefined && f.max !== undefined) return `${f.min} to ${f.max}`;
  if (f.min !== undefined) return `≥ ${f.min}`;
  if (f.max !== undefined) return `≤ ${f.max}`;
  return 'any number';
}

function isUrl(s: string): boolean {
  return /^https?:\/\//.test(s);
}

@customElement('mlp-model-card')
export class MlpModelCard extends LightElement {
  @property({ attribute: false }) card: ModelCard | undefined;
  /** Prefix of the ids inside, so two cards on one page keep unique ids. */
  @property({ attribute: 'id-prefix' }) idPrefix = 'card';

  private renderPredicts(card: ModelCard) {
    const task = TASKS[card.task] ?? card.task;
    const labels = card.outputs.labels;
    if (labels && labels.length > 0) {
      return html`${task}: ${labels.map((l, i) => html`${i > 0 ? ', ' : ''}<q>${l}</q>`)}`;
    }
    if (card.task === 'regression' && card.outputs.unit) return html`${task}, in ${card.outputs.unit}`;
    return html`${task}`;
  }

  private renderInputs(card: ModelCard) {
    const input = card.input;
    if (input.kind === 'text') {
      return html`<p>
        Text${input.description ? html`: ${clause(input.description)}` : nothing}. Split into words
        ${input.preprocessing.lowercase ? 'after lower-casing' : ''} (pattern <code>${input.preprocessing.tokenPattern}</code>).
      </p>`;
    }
    if (input.kind === 'image') {
      const img = input.image;
      return html`<p>
        ${input.description ?? 'An image'}: ${img.channels === 1 ? 'greyscale' : 'colour'}, ${img.height} pixels high,
        ${img.width === null ? 'any width (resized to that height)' : `${img.width} pixels wide`}.
      </p>`;
    }
    if (input.kind === 'audio') {
      const a = input.audio;
      return html`<p>${input.description ?? 'Audio'}: mono at ${a.sampleRate.toLocaleString('en')} Hz, in frames of ${a.frameSamples} samples.</p>`;
    }
    if (input.kind === 'other') return html`<p>${input.description}</p>`;
    return html`<div class="table-scroll" tabindex="0" role="region" aria-label="Input features">
      <table>
        <thead>
          <tr><th scope="col">Feature</th><th scope="col">Type</th><th scope="col">Range or values</th><th scope="col">Unit</th></tr>
        </thead>
        <tbody>
          ${input.features.map(
            (f) => html`<tr>
              <th scope="row">${f.name}${f.description ? html`<div class="muted small">${f.description}</div>` : nothing}</th>
              <td>${f.type === 'category' ? 'category' : 'number'}</td>
              <td>${featureRange(f)}</td>
              <td>${f.type === 'number' ? (f.unit ?? '') : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderData(card: ModelCard) {
    const d = card.data;
    if (!d) return html`<p class="muted">The card does not describe its training data.</p>`;
    return html`<dl class="facts">
      <dt>Data set</dt>
      <dd>${d.name}</dd>
      <dt>Source</dt>
      <dd>${isUrl(d.source) ? html`<a href=${d.source} rel="noopener noreferrer">${d.source}</a>` : d.source}</dd>
      <dt>Data license</dt>
      <dd>${d.license}</dd>
      ${d.rows !== undefined ? html`<dt>Rows</dt><dd>${d.rows.toLocaleString('en')}</dd>` : nothing}
      ${d.split ? html`<dt>Split</dt><dd>${d.split}</dd>` : nothing}
    </dl>`;
  }

  private renderMetrics(card: ModelCard) {
    const metrics = Object.entries(card.metrics ?? {});
    if (metrics.length === 0) return html`<p class="muted">No metrics in the card.</p>`;
    return html`<table class="metrics">
      <thead><tr><th scope="col">Metric (held-out data)</th><th scope="col">Value</th></tr></thead>
      <tbody>
        ${metrics.map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="num">${metricValue(v)}</td></tr>`)}
      </tbody>
    </table>`;
  }

  override render() {
    const card = this.card;
    if (!card) return nothing;
    const id = (s: string) => `${this.idPrefix}-${s}`;
    return html`<article class="panel model-card" aria-labelledby=${id('title')} data-testid="model-card">
      <h2 id=${id('title')}>About <span class="mono">${card.name}</span></h2>
      <p>${card.description}</p>
      <dl class="facts">
        <dt>Predicts</dt>
        <dd>${this.renderPredicts(card)}</dd>
        <dt>Version</dt>
        <dd data-testid="card-version">${card.version}</dd>
        <dt>Size</dt>
        <dd>${formatBytes(card.model.bytes)}</dd>
        <dt>License</dt>
        <dd>${card.license}</dd>
        <dt>SHA-256</dt>
        <dd><code class="hash" title=${card.model.sha256}>${card.model.sha256}</code></dd>
      </dl>
      <h3>Inputs</h3>
      ${this.renderInputs(card)}
      <h3>Training data</h3>
      ${this.renderData(card)}
      <h3>Metrics</h3>
      ${this.renderMetrics(card)}
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-model-card': MlpModelCard;
  }
}
