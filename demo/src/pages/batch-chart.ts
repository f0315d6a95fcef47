/**
 * `<mlp-batch-chart>`: the summary of a batch job as a chart: rows per predicted class as
 * horizontal bars (classifiers), or a histogram of the predicted values (regressors); with the
 * same numbers as a table for screen readers and copying.
 */
import { html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BatchSummary } from 'ml-predict/batch';
import { LightElement } from '../light-element.js';

const W = 480;
const fmt = (n: number) => n.toLocaleString('en');
const short = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

@customElement('mlp-batch-chart')
export class MlpBatchChart extends LightElement {
  @property({ attribute: false }) summary: BatchSummary | undefined;

  private classes(s: BatchSummary) {
    const rows = s.classes ?? [];
    const max = Math.max(1, ...rows.map((c) => c.count));
    const LABEL = 120;
    const VALUE = 90;
    const ROW = 30;
    const height = rows.length * ROW + 8;
    const described = rows.map((c) => `${c.label}: ${fmt(c.count)}`).join('; ');
    return html`<svg viewBox="0 0 ${W} ${height}" role="img" aria-label=${`Rows per predicted class. ${described}`} data-testid="batch-chart">
      ${rows.map((c, i) => {
        const y = 4 + i * ROW;
        const w = ((W - LABEL - VALUE) * c.count) / max;
        return svg`<text class="label" x=${LABEL - 8} y=${y + ROW / 2 + 5} text-anchor="end">${c.label}</text>
          <rect class="bar" x=${LABEL} y=${y + 6} width=${Math.max(c.count ? 2 : 0, w)} height=${ROW - 12} rx="3"></rect>
          <text class="value" x=${LABEL + w + 6} y=${y + ROW / 2 + 5}>${fmt(c.count)}</text>`;
      })}
    </svg>`;
  }

  private histogram(s: BatchSummary) {
    const h = s.histogram!;
    const bins = h.bins;
    const max = Math.max(1, ...bins.map((b) => b.count));
    const TOP = 8;
    const PLOT = 160;
    const AXIS = 34;
    const LEFT = 10;
    const bw = (W - 2 * LEFT) / Math.max(1, bins.length);
    const unit = h.unit ? ` (${h.unit})` : '';
    return html`<svg
      viewBox="0 0 ${W} ${TOP + PLOT + AXIS}"
      role="img"
      aria-label=${`Histogram of ${fmt(s.predicted)} predicted values from ${short(h.min)} to ${short(h.max)}${unit}, mean ${short(h.mean)}.`}
      data-testid="batch-chart"
    >
      ${bins.map((b, i) => {
        const hgt = (PLOT * b.count) / max;
        return svg`<rect class="bar" x=${LEFT + i * bw + 1} y=${TOP + PLOT - hgt} width=${Math.max(1, bw - 2)} height=${hgt}></rect>`;
      })}
      <line class="axis" x1=${LEFT} x2=${W - LEFT} y1=${TOP + PLOT} y2=${TOP + PLOT}></line>
      <text class="tick" x=${LEFT} y=${TOP + PLOT + 20}>${short(h.min)}</text>
      <text class="tick" x=${W / 2} y=${TOP + PLOT + 20} text-anchor="middle">mean ${short(h.mean)}${unit}</text>
      <text class="tick" x=${W - LEFT} y=${TOP + PLOT + 20} text-anchor="end">${short(h.max)}</text>
    </svg>`;
  }

  override render() {
    const s = this.summary;
    if (!s) return nothing;
    const errors = Object.entries(s.errorsByKind);
    return html`<figure class="batch-chart">
      ${s.kind === 'classification' ? this.classes(s) : s.histogram && s.histogram.bins.length ? this.histogram(s) : nothing}
      <figcaption>
        ${fmt(s.predicted)} of ${fmt(s.rows)} rows predicted${s.errors ? `, ${fmt(s.errors)} not readable (${errors.map(([k, n]) => `${k}: ${fmt(n)}`).join(', ')})` : ''}.
      </figcaption>
      <details>
        <summary>The numbers</summary>
        <table data-testid="batch-summary-table">
          <thead>
            <tr>
              <th scope="col">${s.kind === 'classification' ? 'Predicted class' : 'Predicted value'}</th>
              <th scope="col" class="num">Rows</th>
            </tr>
          </thead>
          <tbody>
            ${s.kind === 'classification'
              ? (s.classes ?? []).map((c) => html`<tr><th scope="row">${c.label}</th><td class="num">${fmt(c.count)}</td></tr>`)
              : (s.histogram?.bins ?? []).map((b) => html`<tr><th scope="row">${short(b.from)} – ${short(b.to)}</th><td class="num">${fmt(b.count)}</td></tr>`)}
          </tbody>
        </table>
      </details>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-batch-chart': MlpBatchChart;
  }
}
