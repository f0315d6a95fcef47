/** `<mlp-error-box>`: a failure in words, with its code and what to do about it. */
import { html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LightElement } from '../light-element.js';
import type { Problem } from '../errors.js';

@customElement('mlp-error-box')
export class MlpErrorBox extends LightElement {
  @property({ attribute: false }) problem: Problem | undefined;

  override render() {
    const p = this.problem;
    if (!p) return nothing;
    return html`<div class="error-box" role="alert" data-testid="error">
      <p><strong>${p.code ? html`<code>${p.code}</code> ` : nothing}Something went wrong.</strong> ${p.message}</p>
      ${p.hint ? html`<p>${p.hint}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-error-box': MlpErrorBox;
  }
}
