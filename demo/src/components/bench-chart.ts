/**
 * `<mlp-bench-chart>`: predict latency per backend as horizontal bars (median, with a whisker to
 * p95) in SVG, and the same numbers as a table for screen readers and copying.
 */
import { html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LightElement } from '../light-element.js';
import { formatMs } from '../format.js';

export interface BenchResult {
  backend: 'wasm' | 'webgpu';
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  loadMs?: number;
  firstMs?: number;
  medianMs?: number;
  p95Ms?: number;
  runs?: number;
  threads?: number;
}

/** A round axis maximum ≥ v: 1, 2, 5 × 10^k. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// Drawn at 480 units wide: shown at 0.7× on a phone and up to 1.2× on a desktop.
const W = 480;
const LABEL_W = 76;
const VALUE_W = 84;
const ROW_H = 40;
const TOP = 8;
const AXIS_H = 28;

@customElement('mlp-bench-chart')
export class MlpBenchChart extends LightElement {
  @property({ attribute: false }) results: BenchResult[] = [];
  @property() caption = '';

  override render() {
    const rows = this.results;
    if (rows.length === 0) return nothing;
    const done = rows.filter((r) => r.status === 'done');
    const max = niceMax(Math.max(...done.map((r) => r.p95Ms ?? r.medianMs ?? 0), 0));
    const plotW = W - LABEL_W - VALUE_W;
    const x = (ms: number) => LABEL_W + (ms / max) * plotW;
    const height = TOP + rows.length * ROW_H + AXIS_H;
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
    const summary = rows
      .map((r) =>
        r.status === 'done' ? `${r.backend}: median ${formatMs(r.medianMs!)}, p95 ${formatMs(r.p95Ms!)}` : `${r.backend}: ${r.status}`,
      )
      .join('; ');
    return html`<figure class="bench-chart">
      <svg viewBox="0 0 ${W} ${height}" role="img" aria-label=${`Predict time per backend. ${summary}`} data-testid="bench-chart">
        ${ticks.map(
          (t) => svg`<line class="grid" x1=${x(t)} x2=${x(t)} y1=${TOP} y2=${TOP + rows.length * ROW_H}></line>
            <text class="tick" x=${x(t)} y=${height - 8} text-anchor="middle">${formatMs(t)}</text>`,
        )}
        ${rows.map((r, i) => {
          const y = TOP + i * ROW_H;
          const label = svg`<text class="label" x=${LABEL_W - 10} y=${y + ROW_H / 2 + 5} text-anchor="end">${r.backend}</text>`;
          if (r.status !== 'done') {
            return svg`${label}<text class="skipped" x=${LABEL_W + 6} y=${y + ROW_H / 2 + 5}>${r.status === 'skipped' ? 'not available' : 'failed'}</text>`;
          }
          const m = r.medianMs!;
          const p95 = r.p95Ms!;
          return svg`${label}
            <rect class=${`bar bar-${r.backend}`} x=${LABEL_W} y=${y + 10} width=${Math.max(1, x(m) - LABEL_W)} height=${ROW_H - 20} rx="3"></rect>
            <line class="whisker" x1=${x(m)} x2=${x(p95)} y1=${y + ROW_H / 2} y2=${y + ROW_H / 2}></line>
            <line class="whisker" x1=${x(p95)} x2=${x(p95)} y1=${y + 14} y2=${y + ROW_H - 14}></line>
            <text class="value" x=${Math.max(x(p95), x(m)) + 8} y=${y + ROW_H / 2 + 5}>${formatMs(m)}</text>`;
        })}
      </svg>
      ${this.caption ? html`<figcaption>${this.caption}</figcaption>` : nothing}
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-bench-chart': MlpBenchChart;
  }
}
