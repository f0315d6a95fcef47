import { LitElement } from 'lit';

/**
 * The demo's pages render into the light DOM: one stylesheet (src/styles/page.css) styles the
 * whole app, which keeps the Content-Security-Policy simple (no inline styles at all).
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
