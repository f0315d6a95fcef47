/**
 * Models page: every model in the registry, whether it is stored on this device, its size,
 * version and when it was last used; "make available offline" with progress; delete; storage used
 * and quota; and a request for persistent storage.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  deleteCachedModel,
  listCachedModels,
  prefetchModel,
  requestPersistence,
  storageInfo,
  type CachedModel,
  type LoadProgress,
  type StorageInfo,
} from 'ml-predict';
import type { Registry, RegistryEntry, ResolvedVersion } from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { app } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import { formatBytes, formatWhen } from '../format.js';
import { keepOfflineCopies } from '../offline.js';
import '../components/error-box.js';
import '../components/model-lifecycle.js';

type Operation =
  | { kind: 'downloading'; progress: LoadProgress | undefined; controller: AbortController }
  | { kind: 'deleting' }
  | { kind: 'failed'; problem: Problem };

type Persistence = 'unknown' | 'asking' | 'granted' | 'denied';

/** The cache entry of a registry model's stable version, if it is stored. */
function cachedEntry(version: ResolvedVersion, cached: readonly CachedModel[]): CachedModel | undefined {
  return cached.find((c) => c.url === version.url && c.version === version.version);
}

function progressText(p: LoadProgress | undefined): string {
  if (!p) return 'Starting…';
  if (p.phase === 'download') {
    return p.total !== undefined ? `Downloading ${formatBytes(p.loaded)} of ${formatBytes(p.total)}` : `Downloading ${formatBytes(p.loaded)} (size unknown)`;
  }
  if (p.phase === 'verify') return 'Checking its integrity…';
  return 'Preparing it to run…';
}

@customElement('mlp-models-page')
export class MlpModelsPage extends LightElement {
  @state() private registry: Registry | undefined;
  @state() private cached: CachedModel[] | undefined;
  @state() private storage: StorageInfo | undefined;
  @state() private problem: Problem | undefined;
  @state() private operations = new Map<string, Operation>();
  @state() private persistence: Persistence = 'unknown';
  private readonly onChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    app.addEventListener('change', this.onChange);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    app.removeEventListener('change', this.onChange);
    for (const op of this.operations.values()) if (op.kind === 'downloading') op.controller.abort(new Error('left the page'));
  }

  private async refresh(): Promise<void> {
    try {
      const [registry, cached, storage] = await Promise.all([app.registry(), listCachedModels(), storageInfo()]);
      this.registry = registry;
      this.cached = cached;
      this.storage = storage;
      if (this.persistence === 'unknown' && storage.persisted) this.persistence = 'granted';
      this.problem = undefined;
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  private setOperation(name: string, op: Operation | undefined): void {
    const next = new Map(this.operations);
    if (op) next.set(name, op);
    else next.delete(name);
    this.operations = next;
  }

  private async makeOffline(name: string): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    const controller = new AbortController();
    this.setOperation(name, { kind: 'downloading', progress: undefined, controller });
    try {
      const r = registry.resolve(name);
      // Downloads into the library's store and verifies the hash, without starting a session.
      await prefetchModel(r.url, {
        version: r.version,
        integrity: r.integrity,
        name,
        signal: controller.signal,
        onProgress: (progress) => {
          const op = this.operations.get(name);
          if (op?.kind === 'downloading' && op.controller === controller) this.setOperation(name, { ...op, progress });
        },
      });
      this.setOperation(name, undefined);
      // The card and registry through the service worker, so they are there offline too.
      void keepOfflineCopies().catch(() => undefined);
    } catch (e) {
      this.setOperation(name, controller.signal.aborted ? undefined : { kind: 'failed', problem: describeError(e) });
    }
    await this.refresh();
  }

  private async deleteModel(name: string, entry: { url: string; version?: string | undefined }): Promise<void> {
    this.setOperation(name, { kind: 'deleting' });
    try {
      await deleteCachedModel(entry.url, entry.version !== undefined ? { version: entry.version } : {});
      this.setOperation(name, undefined);
    } catch (e) {
      this.setOperation(name, { kind: 'failed', problem: describeError(e) });
    }
    await this.refresh();
  }

  private async askPersistence(): Promise<void> {
    this.persistence = 'asking';
    try {
      this.persistence = (await requestPersistence()) ? 'granted' : 'denied';
    } catch {
      this.persistence = 'denied';
    }
    await this.refresh();
  }

  private renderModel(entry: RegistryEntry, version: ResolvedVersion, isDefault: boolean) {
    const stored = cachedEntry(version, this.cached ?? []);
    const op = this.operations.get(entry.name);
    const busy = op?.kind === 'downloading' || op?.kind === 'deleting';
    const headingId = `model-${entry.name}`;
    return html`<li class="panel model-row" aria-labelledby=${headingId} data-testid=${`model-${entry.name}`}>
      <div class="model-row-head">
        <h3 id=${headingId}>${entry.title} <span class="mono muted small">${entry.name}</span></h3>
        ${stored
          ? html`<span class="badge badge-ok" data-testid="cached">On this device</span>`
          : html`<span class="badge" data-testid="not-cached">Not on this device</span>`}
        ${isDefault ? html`<span class="badge badge-info">Default</span>` : nothing}
      </div>
      <p class="small">${entry.description}</p>
      <dl class="facts inline">
        <dt>Version</dt>
        <dd>${version.version}</dd>
        <dt>Size</dt>
        <dd>${formatBytes(version.bytes)}</dd>
        <dt>Last used</dt>
        <dd>${stored ? formatWhen(stored.lastUsedAt.getTime()) : 'not stored'}</dd>
      </dl>
      ${op?.kind === 'downloading'
        ? html`<div class="progress-row">
            <label for=${`progress-${entry.name}`}>${progressText(op.progress)}</label>
            ${op.progress?.total !== undefined
              ? html`<progress id=${`progress-${entry.name}`} max=${op.progress.total} .value=${op.progress.loaded}></progress>`
              : html`<progress id=${`progress-${entry.name}`}></progress>`}
          </div>`
        : nothing}
      ${op?.kind === 'failed' ? html`<mlp-error-box .problem=${op.problem}></mlp-error-box>` : nothing}
      <div class="actions">
        ${stored
          ? html`<button type="button" @click=${() => void this.deleteModel(entry.name, stored)} ?disabled=${busy}>
              Delete<span class="visually-hidden"> ${entry.title}</span> from this device
            </button>`
          : html`<button type="button" class="primary" @click=${() => void this.makeOffline(entry.name)} ?disabled=${busy || !app.online}>
              Make available offline<span class="visually-hidden">: ${entry.title}</span>
            </button>`}
        ${op?.kind === 'downloading'
          ? html`<button type="button" @click=${() => op.controller.abort(new Error('cancelled'))}>Cancel</button>`
          : nothing}
        ${!stored && !app.online ? html`<span class="muted small">Needs a connection.</span>` : nothing}
      </div>
    </li>`;
  }

  private renderOthers() {
    const registry = this.registry;
    const cached = this.cached ?? [];
    if (!registry) return nothing;
    const current = registry.names.map((n) => registry.resolve(n));
    const others = cached.filter((c) => !current.some((v) => cachedEntry(v, [c]) === c));
    if (others.length === 0) return nothing;
    return html`<section class="panel" aria-labelledby="others-title">
      <h2 id="others-title">Other models on this device</h2>
      <p class="small muted">Older versions or models that are no longer in the registry.</p>
      <ul class="plain-list">
        ${others.map(
          (c) => html`<li class="other-row">
            <span class="mono">${c.name}</span> ${c.version ? html`<span class="muted">${c.version}</span>` : nothing}
            <span class="muted">${formatBytes(c.bytes)}, last used ${formatWhen(c.lastUsedAt.getTime())}</span>
            <button type="button" @click=${() => void this.deleteModel(`${c.url}@${c.version ?? ''}`, c)}>
              Delete<span class="visually-hidden"> ${c.name} ${c.version ?? ''}</span>
            </button>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  private renderStorage() {
    const s = this.storage;
    if (!s) return nothing;
    const answer = {
      unknown: nothing,
      asking: html`<span role="status">Asking the browser…</span>`,
      granted: html`<p role="status" data-testid="persistence-answer">
        <strong>Persistent storage granted.</strong> The browser will not clear stored models to free space.
      </p>`,
      denied: html`<p role="status" data-testid="persistence-answer">
        <strong>Not granted.</strong> The browser may clear stored models when space runs low; you would download them again.
        Browsers tend to grant this to sites that are installed or used often.
      </p>`,
    }[this.persistence];
    return html`<section class="panel" aria-labelledby="storage-title" data-testid="storage">
      <h2 id="storage-title">Storage</h2>
      <dl class="facts">
        <dt>Models stored</dt>
        <dd>${s.entries} (${formatBytes(s.bytes)})</dd>
        <dt>This site uses</dt>
        <dd>
          ${s.usage !== undefined && s.quota !== undefined
            ? html`${formatBytes(s.usage)} of its ${formatBytes(s.quota)} quota
                <meter min="0" max=${s.quota} .value=${s.usage} aria-label="Storage used"></meter>`
            : 'unknown (this browser does not say)'}
        </dd>
        <dt>Persistent storage</dt>
        <dd>${s.persisted ? 'Granted' : 'Not granted'}</dd>
      </dl>
      ${s.persisted && this.persistence !== 'granted'
        ? nothing
        : html`<div class="actions">
            ${this.persistence === 'granted'
              ? nothing
              : html`<button type="button" @click=${() => void this.askPersistence()} ?disabled=${this.persistence === 'asking'}>
                  Ask to keep models on this device
                </button>`}
          </div>
          ${answer}`}
    </section>`;
  }

  override render() {
    const registry = this.registry;
    return html`
      <h1 tabindex="-1">Models</h1>
      <p class="lead">Models that are stored on this device work offline. They are kept in this browser's storage for this site, checked against their published hash.</p>
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      ${registry
        ? html`<h2 id="registry-title">In the registry</h2>
            <ul class="model-list plain-list" aria-labelledby="registry-title">
              ${registry.names.map((name) => this.renderModel(registry.get(name), registry.resolve(name), name === registry.defaultName))}
            </ul>`
        : this.problem
          ? nothing
          : html`<p class="muted" role="status">Loading the registry…</p>`}
      ${registry ? html`<mlp-model-lifecycle></mlp-model-lifecycle>` : nothing}
      ${this.renderOthers()}
      ${this.renderStorage()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-models-page': MlpModelsPage;
  }
}
