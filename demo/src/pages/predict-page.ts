/**
 * Predict page: choose a model by name (the registry's default preselected), fill in the form
 * that `<ml-predict>` builds from the model card, and read the result with a bar per class; the
 * card itself is shown beside it.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { ModelCard, Registry } from 'ml-predict/registry';
import 'ml-predict/ml-predict.js';
import { LightElement } from '../light-element.js';
import { app, REGISTRY_URL } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import { href } from '../router.js';
import { formatBytes } from '../format.js';
import '../components/error-box.js';
import '../components/model-card-view.js';
import '../components/model-select.js';

@customElement('mlp-predict-page')
export class MlpPredictPage extends LightElement {
  @state() private registry: Registry | undefined;
  @state() private problem: Problem | undefined;
  @state() private card: { name: string; card: ModelCard | undefined; problem?: Problem } | undefined;
  private readonly onChange = () => {
    this.requestUpdate();
    void this.loadCard();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    app.addEventListener('change', this.onChange);
    app.registry().then(
      (registry) => {
        this.registry = registry;
        void this.loadCard();
      },
      (e: unknown) => (this.problem = describeError(e)),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    app.removeEventListener('change', this.onChange);
  }

  private async loadCard(): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    const name = app.selectedModel(registry);
    if (this.card?.name === name) return;
    this.card = { name, card: undefined };
    try {
      const card = await registry.card(name);
      if (app.selectedModel(registry) === name) this.card = { name, card };
    } catch (e) {
      if (app.selectedModel(registry) === name) this.card = { name, card: undefined, problem: describeError(e) };
    }
  }

  private renderPredictor(name: string, card: ModelCard) {
    const kind = card.input.kind;
    if (kind === 'features' || kind === 'text') {
      // The card is handed over, so the element does not fetch it a second time.
      return keyed(name, html`<ml-predict registry=${REGISTRY_URL} model=${name} .card=${card} data-testid="predictor"></ml-predict>`);
    }
    const what = kind === 'image' ? 'an image' : kind === 'audio' ? 'audio' : 'model-specific input';
    return html`<p class="panel notice" data-testid="no-form">
      This model reads ${what}, which this page's form does not take yet: the form covers models with features or text.
      You can still <a href=${href('models')}>make it available offline</a> and <a href=${href('device')}>benchmark it</a>.
    </p>`;
  }

  override render() {
    const registry = this.registry;
    const name = registry ? app.selectedModel(registry) : undefined;
    const entry = registry && name ? registry.get(name) : undefined;
    const version = registry && name ? registry.resolve(name) : undefined;
    const card = this.card?.name === name ? this.card : undefined;
    return html`
      <h1 tabindex="-1">Predict</h1>
      <p class="lead">Choose a model, fill in the form, and the model runs here, in your browser. What you enter never leaves this device.</p>
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      ${registry && name && entry && version
        ? html`
            <mlp-model-select .registry=${registry}></mlp-model-select>
            <div class="predict-grid">
              <section class="panel" aria-labelledby="form-title">
                <h2 id="form-title">Try it</h2>
                ${card?.card
                  ? this.renderPredictor(name, card.card)
                  : card?.problem
                    ? html`<mlp-error-box .problem=${card.problem}></mlp-error-box>`
                    : html`<p class="muted" role="status">Reading the model card…</p>`}
                <p class="small muted">
                  Version ${version.version}, ${formatBytes(version.bytes)}: downloaded once, then kept on this device.
                  <a href=${href('models')}>Manage models</a>
                </p>
              </section>
              ${card?.card ? html`<mlp-model-card .card=${card.card} id-prefix="predict-card"></mlp-model-card>` : nothing}
            </div>
          `
        : this.problem
          ? nothing
          : html`<p class="muted" role="status">Loading the registry…</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-predict-page': MlpPredictPage;
  }
}
