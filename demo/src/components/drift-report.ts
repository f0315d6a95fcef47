/**
 * `<mlp-drift-report>`: drift monitoring of a features model (one with reference statistics in
 * its card). Monitoring runs in the runtime worker; this panel feeds it real rows (the model's
 * sample CSV, e.g. the 569 rows of the Wisconsin breast-cancer data), optionally with one feature
 * shifted by two of its training standard deviations — a simulation, and said to be one — and
 * draws the report: per feature, the test's statistic against its threshold, drifted ones marked,
 * and the dataset-drift verdict.
 */
import { html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import Papa from 'papaparse';
import type { Model } from 'ml-predict';
import type { DriftReport, FeatureDrift } from 'ml-predict/evaluate';
import type { ModelCard, RegistryEntry } from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { app } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import './error-box.js';

interface Feed {
  rows: number;
  source: string;
  /** The simulated shift, if any. */
  shifted?: { feature: string; by: number };
}

/** The rows of `public/samples/<name>.csv` as feature vectors in the card's order. */
async function sampleRows(name: string, card: ModelCard): Promise<{ rows: number[][]; file: string }> {
  if (card.input.kind !== 'features') throw new Error(`Model "${name}" does not take feature values.`);
  const file = `samples/${name}.csv`;
  const res = await fetch(`${import.meta.env.BASE_URL}${file}`);
  if (!res.ok) throw new Error(`Could not read ${file}: HTTP ${res.status}.`);
  const parsed = Papa.parse<Record<string, string>>(await res.text(), { header: true, skipEmptyLines: true });
  const names = card.input.features.map((f) => f.name);
  const missing = names.filter((n) => !parsed.meta.fields?.includes(n));
  if (missing.length) throw new Error(`${file} has no column ${missing.map((m) => `"${m}"`).join(', ')}.`);
  const rows = parsed.data.map((r) => names.map((n) => Number(r[n]))).filter((r) => r.every(Number.isFinite));
  return { rows, file };
}

const W = 560;
const LABEL = 190;
const ROW = 22;
const VALUE = 100;
const short = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(1));

/** How far along the way to drifting a feature is, 0–1+ on one scale for every test. */
function scaled(f: FeatureDrift): { value: number; line: number; caption: string } {
  // Distances drift at ≥ threshold; p-value tests at p < threshold. Show the statistic that is
  // compared with the threshold: the distance, or for tests −log10(p) against −log10(0.05).
  if (f.pValue === undefined) return { value: f.statistic, line: f.threshold, caption: `${f.test} ${short(f.statistic)} (drifts at ≥ ${f.threshold})` };
  const p = Math.max(f.pValue, 1e-300);
  return { value: -Math.log10(p), line: -Math.log10(f.threshold), caption: `${f.test.toUpperCase()} D ${short(f.statistic)}, p ${short(f.pValue)}` };
}

@customElement('mlp-drift-report')
export class MlpDriftReport extends LightElement {
  @property({ attribute: false }) entry: RegistryEntry | undefined;

  @state() private report: (DriftReport & { observed: number }) | undefined;
  @state() private feed: Feed | undefined;
  @state() private busy: string | undefined;
  @state() private problem: Problem | undefined;
  @state() private announcement = '';
  @state() private shiftFeature = '';
  @state() private features: string[] = [];
  private model: Model | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.readCard();
  }

  /** The card's features with reference statistics (for the shift menu). */
  private async readCard(): Promise<void> {
    try {
      const entry = this.entry!;
      const card = await (await app.registry()).card(entry.name, entry.stable);
      this.features = Object.keys(card.reference?.features ?? {});
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    const m = this.model;
    this.model = undefined;
    void m?.dispose();
  }

  private async modelOf(): Promise<Model> {
    if (this.model && !this.model.disposed) return this.model;
    const registry = await app.registry();
    this.model = await registry.load(this.entry!.name, { backend: 'wasm' });
    return this.model;
  }

  /** Restarts monitoring, predicts the sample rows (one feature shifted if asked), reads the report. */
  private async run(shift: string | undefined): Promise<void> {
    if (this.busy) return;
    this.busy = shift ? `Predicting the sample rows with “${shift}” shifted…` : 'Predicting the sample rows…';
    this.problem = undefined;
    try {
      const model = await this.modelOf();
      const card = model.info.card!;
      if (card.input.kind !== 'features') throw new Error(`Model "${card.name}" does not take feature values.`);
      const { rows, file } = await sampleRows(card.name, card);
      const names = card.input.features.map((f) => f.name);
      let shifted: Feed['shifted'];
      if (shift) {
        const i = names.indexOf(shift);
        const std = card.reference?.features[shift]?.std;
        if (i < 0 || std === undefined) throw new Error(`Feature "${shift}" has no reference statistics in the card.`);
        const by = 2 * std;
        for (const r of rows) r[i] = r[i]! + by;
        shifted = { feature: shift, by };
      }
      await model.monitor(); // a fresh reservoir: only the rows below count
      await model.predict({ [card.input.tensor]: rows });
      this.report = await model.driftReport();
      this.feed = { rows: rows.length, source: file, ...(shifted ? { shifted } : {}) };
      const r = this.report;
      this.announcement = `Drift report: ${r.driftedCount} of ${r.features.length} features drifted; ${r.datasetDrift ? 'dataset drift' : 'no dataset drift'}.`;
    } catch (e) {
      this.problem = describeError(e);
    } finally {
      this.busy = undefined;
    }
  }

  private renderChart(r: DriftReport) {
    const features = r.features;
    const bars = features.map(scaled);
    // The axis ends at 4× the threshold: far-drifted features are clipped (their value is printed).
    const max = Math.max(1e-9, ...bars.map((b) => b.line * 4));
    const right = W - VALUE;
    const x = (v: number) => LABEL + ((right - LABEL) * Math.min(v, max)) / max;
    const height = features.length * ROW + 30;
    const pTests = features.some((f) => f.pValue !== undefined);
    return html`<figure class="drift-chart">
      <svg viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="drift-chart-caption" data-testid="drift-chart">
        ${features.map((f, i) => {
          const b = bars[i]!;
          const y = 4 + i * ROW;
          const clipped = b.value > max;
          return svg`<g class=${f.drifted ? 'drifted' : 'steady'} data-feature=${f.name}>
            <text class="label" x=${LABEL - 8} y=${y + ROW / 2 + 4} text-anchor="end">${f.drifted ? '⚠ ' : ''}${f.name}</text>
            <rect class="bar" x=${LABEL} y=${y + 4} width=${Math.max(1, x(b.value) - LABEL)} height=${ROW - 8} rx="2"><title>${f.name}: ${b.caption}${f.drifted ? ' — drifted' : ''}</title></rect>
            <line class="threshold" x1=${x(b.line)} x2=${x(b.line)} y1=${y + 1} y2=${y + ROW - 1}></line>
            <text class="value" x=${right + 6} y=${y + ROW / 2 + 4}>${clipped ? '» ' : ''}${f.pValue !== undefined ? `p ${short(f.pValue)}` : short(f.statistic)}</text>
          </g>`;
        })}
        <text class="tick" x=${LABEL} y=${height - 8}>0</text>
        <text class="tick" x=${right} y=${height - 8} text-anchor="end">${pTests ? `p ${short(10 ** -max)}` : short(max)}</text>
      </svg>
      <figcaption id="drift-chart-caption">
        Per feature, ${pTests ? 'the evidence of drift as −log10 of the test’s p-value' : 'the drift distance'}; the dark line is the threshold
        (${pTests ? 'p = 0.05' : 'distance 0.1'}); bars past it, marked ⚠ and in red, drifted; » marks a bar cut at the axis end. The p-value is printed on the right.
      </figcaption>
    </figure>`;
  }

  private renderTable(r: DriftReport) {
    return html`<details class="drift-table">
      <summary>The numbers</summary>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Test</th>
              <th scope="col">Statistic</th>
              <th scope="col">p-value</th>
              <th scope="col">Drift</th>
            </tr>
          </thead>
          <tbody>
            ${r.features.map(
              (f) => html`<tr>
                <th scope="row">${f.name}</th>
                <td>${f.test}</td>
                <td class="num">${short(f.statistic)}</td>
                <td class="num">${f.pValue === undefined ? '–' : short(f.pValue)}</td>
                <td>${f.drifted ? html`<span class="no">Yes</span>` : 'No'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>`;
  }

  override render() {
    const entry = this.entry;
    if (!entry) return nothing;
    const r = this.report;
    const feed = this.feed;
    const features = this.features;
    const shift = this.shiftFeature || features[0] || '';
    return html`<section class="panel lifecycle" aria-labelledby="drift-title" data-testid=${`drift-${entry.name}`}>
      <h3 id="drift-title">Drift: ${entry.title} <span class="mono muted small">${entry.name}</span></h3>
      <p class="small muted">
        Do the inputs still look like the training data? Monitoring keeps a sample of live inputs in the model’s worker and tests each feature against
        the reference statistics in the model card (Kolmogorov–Smirnov, drift at p &lt; 0.05); the dataset drifts when half the features do.
      </p>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      <div class="actions">
        <button type="button" class="primary" @click=${() => void this.run(undefined)} ?disabled=${!!this.busy}>Monitor the sample rows</button>
      </div>
      ${features.length
        ? html`<div class="shift-row">
            <div class="field">
              <label for="drift-shift">Feature to shift</label>
              <select id="drift-shift" @change=${(e: Event) => (this.shiftFeature = (e.target as HTMLSelectElement).value)}>
                ${features.map((f) => html`<option value=${f} ?selected=${f === shift}>${f}</option>`)}
              </select>
            </div>
            <button type="button" @click=${() => void this.run(shift)} ?disabled=${!!this.busy}>Simulate: shift it by +2 std</button>
          </div>`
        : nothing}
      <p class="status-line small">${this.busy ?? ''}</p>
      ${r && feed
        ? html`<div data-testid="drift-report">
            <p class="drift-verdict ${r.datasetDrift ? 'drift-yes' : 'drift-no'}" data-testid="drift-verdict">
              <strong>${r.datasetDrift ? 'Dataset drift' : 'No dataset drift'}:</strong> ${r.driftedCount} of ${r.features.length} features drifted
              (${Math.round(r.driftedShare * 100)} %; the dataset drifts from ${Math.round(r.driftShare * 100)} %).
            </p>
            <p class="small">
              Inputs: the ${feed.rows} rows of <span class="mono">${feed.source}</span>
              ${feed.shifted
                ? html`<strong class="simulated">with “${feed.shifted.feature}” shifted by +${short(feed.shifted.by)} (2 training std) — a simulation, not real data</strong>`
                : html`as published (real data)`}; ${r.observed} rows observed, against ${r.referenceRows} training rows.
            </p>
            ${this.renderChart(r)} ${this.renderTable(r)}
          </div>`
        : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-drift-report': MlpDriftReport;
  }
}
