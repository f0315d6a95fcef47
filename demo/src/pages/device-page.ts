/**
 * Device page: what this device offers for on-device inference (probeDevice), and a short
 * benchmark of the chosen model on wasm and webgpu, drawn as a chart.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { probeDevice, type Capabilities } from 'ml-predict';
import type { ModelCard, Registry } from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { app } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import { benchmark } from '../bench.js';
import { formatMs } from '../format.js';
import type { BenchResult } from '../components/bench-chart.js';
import '../components/bench-chart.js';
import '../components/error-box.js';
import '../components/model-select.js';

type BenchState =
  | { status: 'idle' }
  | { status: 'running'; text: string; results: BenchResult[] }
  | { status: 'done'; results: BenchResult[]; model: string }
  | { status: 'error'; problem: Problem };

@customElement('mlp-device-page')
export class MlpDevicePage extends LightElement {
  @state() private caps: Capabilities | undefined;
  @state() private capsError: Problem | undefined;
  @state() private registry: Registry | undefined;
  @state() private registryError: Problem | undefined;
  @state() private bench: BenchState = { status: 'idle' };
  private controller: AbortController | undefined;
  private readonly onChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    app.addEventListener('change', this.onChange);
    probeDevice().then(
      (caps) => (this.caps = caps),
      (e: unknown) => (this.capsError = describeError(e)),
    );
    app.registry().then(
      (r) => (this.registry = r),
      (e: unknown) => (this.registryError = describeError(e)),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    app.removeEventListener('change', this.onChange);
    this.controller?.abort(new Error('left the page'));
  }

  private async run(): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const name = app.selectedModel(registry);
    const results: BenchResult[] = [];
    const status = (text: string) => {
      if (this.controller === controller) this.bench = { status: 'running', text, results: [...results] };
    };
    try {
      status('Reading the model card…');
      let card: ModelCard | undefined;
      try {
        card = await registry.card(name);
      } catch {
        card = undefined; // the benchmark can still shape inputs from the model itself
      }
      const caps = this.caps ?? (await probeDevice());
      results.push(await benchmark(registry, name, card, 'wasm', { signal: controller.signal, onStatus: status }));
      if (caps.webgpu.available) {
        results.push(await benchmark(registry, name, card, 'webgpu', { signal: controller.signal, onStatus: status }));
      } else {
        results.push({ backend: 'webgpu', status: 'skipped', reason: caps.webgpu.reason ?? 'WebGPU is not available' });
      }
      if (this.controller === controller) this.bench = { status: 'done', results, model: name };
    } catch (e) {
      if (this.controller === controller) this.bench = controller.signal.aborted ? { status: 'idle' } : { status: 'error', problem: describeError(e) };
    }
  }

  private cancel(): void {
    this.controller?.abort(new Error('cancelled'));
    this.controller = undefined;
    this.bench = { status: 'idle' };
  }

  private renderCaps() {
    if (this.capsError) return html`<mlp-error-box .problem=${this.capsError}></mlp-error-box>`;
    const c = this.caps;
    if (!c) return html`<p class="muted" role="status">Probing this device…</p>`;
    const yes = (ok: boolean, text: string) => html`<span class=${ok ? 'ok' : 'no'}>${ok ? 'Yes' : 'No'}</span> ${text}`;
    return html`<dl class="facts caps" data-testid="capabilities">
      <dt>WebGPU</dt>
      <dd data-testid="cap-webgpu">${c.webgpu.available ? yes(true, `(${c.webgpu.adapter ?? 'adapter found'})`) : yes(false, `(${c.webgpu.reason ?? 'not available'})`)}</dd>
      <dt>WebAssembly threads</dt>
      <dd data-testid="cap-threads">${yes(c.wasmThreads, c.wasmThreads ? `(${c.hardwareConcurrency} logical cores)` : `(${c.wasmThreadsReason ?? 'not available'})`)}</dd>
      <dt>WebAssembly SIMD</dt>
      <dd data-testid="cap-simd">${yes(c.wasmSimd, '')}</dd>
      <dt>Cross-origin isolated</dt>
      <dd data-testid="cap-isolated">${yes(c.crossOriginIsolated, c.crossOriginIsolated ? '(COOP/COEP in force)' : '(the page was served without COOP/COEP)')}</dd>
      <dt>Service worker</dt>
      <dd>${yes(!!navigator.serviceWorker?.controller, navigator.serviceWorker?.controller ? '(this page works offline)' : '(not controlling this page yet)')}</dd>
    </dl>`;
  }

  private renderBench() {
    const b = this.bench;
    const running = b.status === 'running';
    const registry = this.registry;
    return html`
      <div class="row">
        ${registry ? html`<mlp-model-select .registry=${registry} ?disabled=${running}></mlp-model-select>` : nothing}
        <div class="actions">
          <button type="button" class="primary" @click=${() => void this.run()} ?disabled=${!registry || running}>Run benchmark</button>
          ${running ? html`<button type="button" @click=${() => this.cancel()}>Cancel</button>` : nothing}
        </div>
      </div>
      <p class="muted small">Loads the model on each backend (from this device when it is stored here), then times up to 40 predictions of one example.</p>
      <div role="status" class="status-line">${running ? b.text : b.status === 'done' ? `Benchmark of ${b.model} finished.` : ''}</div>
      ${b.status === 'error' ? html`<mlp-error-box .problem=${b.problem}></mlp-error-box>` : nothing}
      ${b.status === 'done' || (b.status === 'running' && b.results.length > 0) ? this.renderResults(b.results) : nothing}
    `;
  }

  private renderResults(results: BenchResult[]) {
    return html`<mlp-bench-chart .results=${results} caption="Bars: median time per prediction. Whiskers: 95th percentile."></mlp-bench-chart>
      <div class="table-scroll" tabindex="0" role="region" aria-label="Benchmark results">
        <table data-testid="bench-table">
          <thead>
            <tr>
              <th scope="col">Backend</th>
              <th scope="col">Load</th>
              <th scope="col">First predict</th>
              <th scope="col">Median</th>
              <th scope="col">p95</th>
              <th scope="col">Runs</th>
            </tr>
          </thead>
          <tbody>
            ${results.map((r) =>
              r.status === 'done'
                ? html`<tr>
                    <th scope="row">${r.backend}${r.backend === 'wasm' ? html` <span class="muted small">(${r.threads} thread${r.threads === 1 ? '' : 's'})</span>` : nothing}</th>
                    <td class="num">${formatMs(r.loadMs!)}</td>
                    <td class="num">${formatMs(r.firstMs!)}</td>
                    <td class="num">${formatMs(r.medianMs!)}</td>
                    <td class="num">${formatMs(r.p95Ms!)}</td>
                    <td class="num">${r.runs}</td>
                  </tr>`
                : html`<tr>
                    <th scope="row">${r.backend}</th>
                    <td colspan="5">${r.status === 'skipped' ? 'Not available' : 'Failed'}: ${r.reason}</td>
                  </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  override render() {
    return html`
      <h1 tabindex="-1">This device</h1>
      <section class="panel" aria-labelledby="caps-title">
        <h2 id="caps-title">What it offers</h2>
        ${this.renderCaps()}
      </section>
      <section class="panel" aria-labelledby="bench-title">
        <h2 id="bench-title">Benchmark</h2>
        ${this.registryError ? html`<mlp-error-box .problem=${this.registryError}></mlp-error-box>` : this.renderBench()}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-device-page': MlpDevicePage;
  }
}
