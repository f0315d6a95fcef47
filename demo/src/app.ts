/**
 * `<mlp-app>`: the app shell. Navigation, the current page, the offline indicator, the
 * "update available" prompt and the "ready to work offline" notice.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LightElement } from './light-element.js';
import { PAGES, href, isRouteHash, parseRoute, type Route } from './router.js';
import { pwa } from './pwa.js';
import { app } from './state.js';
import './pages/predict-page.js';
import './pages/batch-page.js';
import './pages/models-page.js';
import './pages/device-page.js';

@customElement('mlp-app')
export class MlpApp extends LightElement {
  @state() private route: Route = parseRoute(location.hash);
  private focusOnRender = false;

  private readonly onHash = () => {
    if (!isRouteHash(location.hash)) return;
    const next = parseRoute(location.hash);
    if (next.page !== this.route.page) this.focusOnRender = true;
    this.route = next;
  };
  private readonly onChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    pwa.addEventListener('change', this.onChange);
    app.addEventListener('change', this.onChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    pwa.removeEventListener('change', this.onChange);
    app.removeEventListener('change', this.onChange);
  }

  protected override updated(): void {
    const title = PAGES.find((p) => p.id === this.route.page)!.title;
    document.title = `${title} · ml-predict`;
    if (this.focusOnRender) {
      this.focusOnRender = false;
      // Move focus to the new page's heading so keyboard and screen-reader users land on it.
      this.querySelector<HTMLElement>('main h1')?.focus();
    }
  }

  private skipToMain(e: Event): void {
    e.preventDefault();
    this.querySelector<HTMLElement>('main')?.focus();
  }

  private renderPage() {
    switch (this.route.page) {
      case 'predict':
        return html`<mlp-predict-page></mlp-predict-page>`;
      case 'batch':
        return html`<mlp-batch-page></mlp-batch-page>`;
      case 'models':
        return html`<mlp-models-page></mlp-models-page>`;
      case 'device':
        return html`<mlp-device-page></mlp-device-page>`;
    }
  }

  private renderUpdateCheck() {
    const labels = {
      checking: 'Checking…',
      'up-to-date': 'You have the latest version.',
      'update-found': 'A new version is available.',
      failed: 'Could not check for updates.',
    } as const;
    if (!pwa.registration) return nothing;
    return html`<button type="button" class="link" @click=${() => void pwa.check()} ?disabled=${!app.online || pwa.lastCheck === 'checking'}>
        Check for updates
      </button>
      ${pwa.lastCheck ? html`<span class="muted" data-testid="update-check">${labels[pwa.lastCheck]}</span>` : nothing}`;
  }

  override render() {
    return html`
      <a class="skip-link" href="#main" @click=${this.skipToMain}>Skip to content</a>
      <header class="topbar">
        <a class="brand" href=${href('predict')}>
          <img src=${`${import.meta.env.BASE_URL}icons/favicon.svg`} alt="" width="28" height="28" />
          <span>ml-predict</span>
        </a>
        <nav aria-label="Pages">
          <ul>
            ${PAGES.map(
              (p) =>
                html`<li><a href=${href(p.id)} aria-current=${p.id === this.route.page ? 'page' : 'false'}>${p.title}</a></li>`,
            )}
          </ul>
        </nav>
        <div class="net" role="status" data-testid="network">
          ${app.online
            ? nothing
            : html`<span class="badge badge-offline" title="Models stored on this device still work">Offline</span>`}
        </div>
      </header>
      <main id="main" tabindex="-1">${this.renderPage()}</main>
      <footer class="footer">
        <p>
          Predictions run on this device: nothing you enter leaves it.
          <span class="muted">Demo ${__DEMO_VERSION__}</span>
        </p>
        <p>${this.renderUpdateCheck()}</p>
      </footer>
      <div class="toasts" aria-live="polite">
        ${pwa.needRefresh
          ? html`<section class="toast" role="region" aria-label="Update available" data-testid="update-prompt">
              <p><strong>A new version of this app is available.</strong> Reload to use it; models on this device are kept.</p>
              <div class="actions">
                <button type="button" class="primary" @click=${() => pwa.applyUpdate()}>Reload</button>
                <button type="button" @click=${() => pwa.dismiss('needRefresh')}>Later</button>
              </div>
            </section>`
          : nothing}
        ${pwa.offlineReady
          ? html`<section class="toast" role="region" aria-label="Ready to work offline" data-testid="offline-ready">
              <p><strong>Ready to work offline.</strong> The app is stored on this device; make a model available offline on the Models page.</p>
              <div class="actions"><button type="button" @click=${() => pwa.dismiss('offlineReady')}>OK</button></div>
            </section>`
          : nothing}
        ${pwa.registerError
          ? html`<section class="toast toast-error" role="region" aria-label="Offline support unavailable">
              <p><strong>Offline support is unavailable:</strong> ${pwa.registerError}</p>
            </section>`
          : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-app': MlpApp;
  }
}
