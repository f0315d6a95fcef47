/** `<mlp-model-select>`: choose a model of the registry by name; the choice is shared by all pages. */
import { html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LightElement } from '../light-element.js';
import type { Registry } from 'ml-predict/registry';
import { app } from '../state.js';

let ids = 0;

@customElement('mlp-model-select')
export class MlpModelSelect extends LightElement {
  @property({ attribute: false }) registry: Registry | undefined;
  @property({ type: Boolean }) disabled = false;
  private readonly selectId = `model-select-${++ids}`;
  private readonly onChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    app.addEventListener('change', this.onChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    app.removeEventListener('change', this.onChange);
  }

  override render() {
    const registry = this.registry;
    if (!registry) return html``;
    const selected = app.selectedModel(registry);
    return html`<div class="field model-select">
      <label for=${this.selectId}>Model</label>
      <select
        id=${this.selectId}
        name="model"
        ?disabled=${this.disabled}
        @change=${(e: Event) => app.selectModel((e.target as HTMLSelectElement).value)}
      >
        ${registry.names.map((name) => {
          const entry = registry.get(name);
          return html`<option value=${name} ?selected=${name === selected}>
            ${name}${name === registry.defaultName ? ' (default)' : ''}: ${entry.title}
          </option>`;
        })}
      </select>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-model-select': MlpModelSelect;
  }
}
