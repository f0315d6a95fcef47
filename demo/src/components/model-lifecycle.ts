/**
 * `<mlp-model-lifecycle>`: models as data, on the Models page. For every registry model with
 * more than one version: its versions with badges (serving, candidate, last good, bad and why),
 * the channel the app follows, an update check (on open and on request; "offline" is a normal
 * answer), apply and roll back, a shadow test of the candidate on the inputs typed here (or the
 * sample reviews), and `compareModels` of two versions on the sample rows. For the features
 * models with reference statistics (breast cancer), a drift report (`<mlp-drift-report>`).
 */
import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import Papa from 'papaparse';
import type { Model } from 'ml-predict';
import { compareModels, type AgreementReport } from 'ml-predict/evaluate';
import {
  cardToInputs,
  openManagedModel,
  type ManagedModel,
  type RegistryEntry,
  type ShadowReport,
  type UpdateCheck,
  type VersionsState,
} from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { app, REGISTRY_URL } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import { formatMs, formatPercent } from '../format.js';
import './error-box.js';
import './drift-report.js';
import '../styles/lifecycle.css';

const CHANNEL_KEY = 'ml-predict-demo:channel:';
const SAMPLE_REVIEWS = `${import.meta.env.BASE_URL}samples/movie-reviews.csv`;

function readChannel(name: string): string | undefined {
  try {
    return localStorage.getItem(CHANNEL_KEY + name) ?? undefined;
  } catch {
    return undefined;
  }
}

function saveChannel(name: string, channel: string): void {
  try {
    localStorage.setItem(CHANNEL_KEY + name, channel);
  } catch {
    // private mode: the choice lasts for this visit
  }
}

/** The review texts of the sample CSV (public/samples/movie-reviews.csv): real sentences, labelled. */
async function sampleReviews(): Promise<string[]> {
  const res = await fetch(SAMPLE_REVIEWS);
  if (!res.ok) throw new Error(`Could not read the sample reviews ${SAMPLE_REVIEWS}: HTTP ${res.status}.`);
  const parsed = Papa.parse<Record<string, string>>(await res.text(), { header: true, skipEmptyLines: true });
  return parsed.data.map((r) => r.text ?? '').filter((t) => t.trim() !== '');
}

const fmtInt = (n: number) => n.toLocaleString('en');
const pct = (v: number | null) => (v === null ? '–' : formatPercent(v));
const ms = (v: number) => (Number.isFinite(v) ? formatMs(v) : '–');

/** Agreement numbers as a definition list (shadow test and comparison share it). */
function agreementFacts(r: AgreementReport, a: string, b: string) {
  return html`<dl class="facts" data-testid="agreement">
    <dt>Inputs compared</dt>
    <dd data-testid="agreement-inputs">${fmtInt(r.inputs)}</dd>
    <dt>Same label</dt>
    <dd data-testid="agreement-share">${r.agreement === null ? '–' : `${pct(r.agreement)} (${fmtInt(r.agreed)} of ${fmtInt(r.inputs)})`}</dd>
    ${r.kind === 'regression'
      ? html`<dt>Mean value gap</dt>
          <dd>${r.meanAbsValueDiff === null ? '–' : r.meanAbsValueDiff.toPrecision(3)}</dd>`
      : html`<dt>Mean probability gap</dt>
          <dd>${r.meanAbsProbabilityDiff === null ? '–' : `${(r.meanAbsProbabilityDiff * 100).toFixed(1)} points`}</dd>`}
    <dt>Latency, median (mean)</dt>
    <dd>${a}: ${ms(r.latency.a.p50)} (${ms(r.latency.a.mean)}); ${b}: ${ms(r.latency.b.p50)} (${ms(r.latency.b.mean)})</dd>
  </dl>`;
}

type Mode = 'prompt' | 'shadow';

interface Compared {
  a: string;
  b: string;
  rows: number;
  report: AgreementReport;
}

/** One model with several versions: its lifecycle controls. */
@customElement('mlp-managed-versions')
export class MlpManagedVersions extends LightElement {
  @property({ attribute: false }) entry: RegistryEntry | undefined;

  @state() private managed: ManagedModel | undefined;
  @state() private versions: VersionsState | undefined;
  @state() private channel = 'stable';
  @state() private mode: Mode = 'prompt';
  @state() private check: UpdateCheck | undefined;
  @state() private busy: string | undefined;
  @state() private problem: Problem | undefined;
  @state() private announcement = '';
  @state() private shadow: ShadowReport | undefined;
  @state() private lastShadowDecision: ShadowReport | undefined;
  @state() private tried: { text: string; version: string; label: string; probability: number | undefined } | undefined;
  @state() private compare: { done: number; total: number } | Compared | undefined;
  private text = '';
  private opening: Promise<void> | undefined;
  private compareAbort: AbortController | undefined;
  private readonly onAppChange = () => {
    // Back online: check again (the page may have opened offline).
    if (app.online && this.check?.status === 'offline' && !this.busy) void this.checkForUpdate();
    this.requestUpdate();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    app.addEventListener('change', this.onAppChange);
    const name = this.entry?.name;
    if (name) {
      const saved = readChannel(name);
      if (saved && this.entry?.aliases?.[saved]) this.channel = saved;
    }
    void this.open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    app.removeEventListener('change', this.onAppChange);
    this.compareAbort?.abort();
    const m = this.managed;
    this.managed = undefined;
    void m?.dispose();
  }

  private get name(): string {
    return this.entry?.name ?? '';
  }

  private say(text: string): void {
    this.announcement = text;
  }

  /** (Re)opens the managed model with the chosen channel and mode, then checks for an update. */
  private open(): Promise<void> {
    const run = async () => {
      const old = this.managed;
      this.managed = undefined;
      await old?.dispose();
      this.busy = 'Opening…';
      this.problem = undefined;
      this.check = undefined;
      this.shadow = undefined;
      try {
        const m = await openManagedModel(REGISTRY_URL, this.name, {
          policy: this.mode,
          channel: this.channel,
          candidateAlias: 'candidate',
          backend: 'wasm',
        });
        for (const type of ['updateavailable', 'updateapplied', 'updatefailed', 'rollback', 'shadowreport']) {
          m.addEventListener(type, (e) => this.onEvent(m, type, (e as CustomEvent).detail as Record<string, unknown>));
        }
        if (!this.isConnected) {
          await m.dispose();
          return;
        }
        this.managed = m;
        this.versions = m.versions;
      } catch (e) {
        this.problem = describeError(e);
        this.busy = undefined;
        return;
      }
      this.busy = undefined;
      await this.checkForUpdate();
    };
    this.opening = (this.opening ?? Promise.resolve()).then(run, run);
    return this.opening;
  }

  private onEvent(m: ManagedModel, type: string, detail: Record<string, unknown>): void {
    if (m !== this.managed) return;
    this.versions = m.versions;
    const v = String(detail.version ?? '');
    if (type === 'updateavailable') this.say(`Update available: version ${v} is downloaded, verified and warmed up.`);
    else if (type === 'updateapplied') this.say(`Version ${v} now serves predictions.`);
    else if (type === 'updatefailed') this.say(`Version ${v} failed (${String(detail.code)}); ${m.version} keeps serving.`);
    else if (type === 'rollback') this.say(`Rolled back to ${v}.`);
    else if (type === 'shadowreport') {
      const r = detail as unknown as ShadowReport;
      this.lastShadowDecision = r;
      this.shadow = undefined;
      this.check = undefined;
      this.say(r.decision === 'promote' ? `The candidate ${r.candidate} was promoted: ${r.reason}` : `The candidate ${r.candidate} was not promoted: ${r.reason}`);
    }
  }

  private async act(label: string, work: (m: ManagedModel) => Promise<void>): Promise<void> {
    const m = this.managed;
    if (!m || this.busy) return;
    this.busy = label;
    this.problem = undefined;
    try {
      await work(m);
    } catch (e) {
      this.problem = describeError(e);
    } finally {
      this.busy = undefined;
      if (m === this.managed) this.versions = m.versions;
    }
  }

  private checkForUpdate(): Promise<void> {
    return this.act('Checking for updates…', async (m) => {
      const result = await m.checkForUpdate();
      this.check = result;
      if (result.status === 'offline') this.say(`Offline: no update check now. ${m.version} keeps serving.`);
      else if (result.status === 'up-to-date' || result.status === 'unchanged') this.say(`Up to date: ${m.version} is what the ${this.channel} channel points to.`);
      else if (result.status === 'shadowing') this.say(`Shadow-testing ${result.version ?? 'the candidate'} beside ${m.version}.`);
      else if (result.status === 'known-bad') this.say(`The ${this.channel} channel points to ${result.version ?? '?'}, which is marked bad (${result.code ?? ''}).`);
      else if (result.status === 'failed') this.say(`Version ${result.version ?? '?'} failed (${result.code ?? ''}); ${m.version} keeps serving.`);
      else if (result.status === 'applied') this.say(`Version ${result.version ?? '?'} now serves predictions.`);
      if (this.mode === 'shadow') this.shadow = m.shadowReport();
    });
  }

  private applyUpdate(): Promise<void> {
    return this.act('Applying the update…', async (m) => {
      await m.applyUpdate();
      this.check = undefined;
    });
  }

  private rollback(): Promise<void> {
    return this.act('Rolling back…', async (m) => {
      await m.rollback();
      this.check = undefined;
    });
  }

  private changeChannel(channel: string): void {
    if (channel === this.channel) return;
    this.channel = channel;
    saveChannel(this.name, channel);
    void this.open();
  }

  private setMode(mode: Mode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.lastShadowDecision = undefined;
    this.say(mode === 'shadow' ? 'Shadow test on: the candidate answers beside the serving version; only the serving version’s answers are shown.' : 'Shadow test off.');
    void this.open();
  }

  /** Predicts a sentence with the serving version (and, in shadow mode, the candidate beside it). */
  private async tryText(): Promise<void> {
    const text = this.text.trim();
    const m = this.managed;
    if (!m || !text) return;
    try {
      const before = m.shadowReport()?.inputs ?? 0;
      const r = await m.predict(cardToInputs(m.card, text));
      const res = r.result;
      this.tried = {
        text,
        version: r.version,
        label: res && res.kind === 'classification' ? res.label : res && res.kind === 'regression' ? String(res.value) : '?',
        probability: res && res.kind === 'classification' ? res.probabilities[res.label] : undefined,
      };
      if (this.mode === 'shadow') await this.shadowCaughtUp(m, before + 1);
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  /** The candidate answers after the serving version: waits (a frame at a time) for its comparison. */
  private async shadowCaughtUp(m: ManagedModel, inputs: number): Promise<void> {
    for (let frames = 0; frames < 120 && m === this.managed; frames++) {
      const r = m.shadowReport();
      if (!r || r.inputs >= inputs) break;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    if (m === this.managed) this.shadow = m.shadowReport();
  }

  /** Runs the sample reviews through the managed model (the candidate shadows each of them). */
  private feedSamples(): Promise<void> {
    return this.act('Predicting the sample reviews…', async (m) => {
      const texts = await sampleReviews();
      const before = m.shadowReport()?.inputs ?? 0;
      for (const t of texts) {
        if (m !== this.managed) return;
        await m.predict(cardToInputs(m.card, t));
      }
      await this.shadowCaughtUp(m, before + texts.length);
    });
  }

  /** compareModels(active, other) on the sample reviews. */
  private async runCompare(a: string, b: string): Promise<void> {
    const registry = await app.registry();
    this.compareAbort?.abort();
    const controller = new AbortController();
    this.compareAbort = controller;
    this.problem = undefined;
    let ma: Model | undefined;
    let mb: Model | undefined;
    try {
      const texts = await sampleReviews();
      this.compare = { done: 0, total: texts.length };
      [ma, mb] = await Promise.all([registry.load(this.name, { version: a, backend: 'wasm' }), registry.load(this.name, { version: b, backend: 'wasm' })]);
      let shown = 0;
      const report = await compareModels(ma, mb, texts, {
        signal: controller.signal,
        onProgress: (done, total) => {
          if (done - shown >= 25 || done === total) {
            shown = done;
            this.compare = { done, total };
          }
        },
      });
      this.compare = { a, b, rows: texts.length, report };
      this.say(`Compared ${a} with ${b} on ${fmtInt(texts.length)} reviews: same label on ${pct(report.agreement)}.`);
    } catch (e) {
      this.compare = undefined;
      if (!controller.signal.aborted) this.problem = describeError(e);
    } finally {
      await Promise.all([ma?.dispose(), mb?.dispose()]);
    }
  }

  private renderVersions(v: VersionsState) {
    const aliases = Object.entries(this.entry?.aliases ?? {});
    return html`<ul class="version-list plain-list" aria-label=${`Versions of ${this.name}`} data-testid="versions">
      ${v.versions.map((ver) => {
        const bad = v.bad[ver];
        const channels = aliases.filter(([, to]) => to === ver).map(([alias]) => alias);
        return html`<li class="version-row" data-testid=${`version-${ver}`}>
          <span class="mono version-name">${ver}</span>
          ${ver === v.active ? html`<span class="badge badge-ok" data-testid="active">Serving</span>` : nothing}
          ${channels.map((c) => html`<span class=${`badge ${c === 'candidate' ? 'badge-candidate' : 'badge-info'}`} data-testid=${`alias-${c}`}>${c}</span>`)}
          ${ver === v.candidate ? html`<span class="badge badge-info" data-testid="prepared">${this.mode === 'shadow' ? 'In shadow test' : 'Ready to apply'}</span>` : nothing}
          ${ver === v.lastGood ? html`<span class="badge" data-testid="last-good">Last good</span>` : nothing}
          ${bad
            ? html`<span class="badge badge-bad" data-testid="bad">Bad: <code>${bad.code}</code></span>
                <span class="small muted bad-reason">${bad.reason}</span>`
            : nothing}
        </li>`;
      })}
    </ul>`;
  }

  private renderCheck() {
    const c = this.check;
    const m = this.managed;
    if (!c || !m) return nothing;
    switch (c.status) {
      case 'offline':
        return html`<p class="check-line" data-testid="check-offline">
          <span class="badge badge-offline">Offline</span> ${app.online ? 'The registry could not be reached' : 'No check while offline'}; ${m.version} keeps serving, and
          works offline.
        </p>`;
      case 'ready':
        return html`<p class="check-line" data-testid="update-available">
          <span class="badge badge-update">Update available</span> Version ${c.version} is downloaded, verified and warmed up.
        </p>`;
      case 'up-to-date':
      case 'unchanged':
        return html`<p class="check-line muted" data-testid="check-current">Up to date with the ${this.channel} channel.</p>`;
      case 'shadowing':
        return html`<p class="check-line" data-testid="check-shadowing"><span class="badge badge-candidate">Shadow test</span> ${c.version} answers beside ${m.version}.</p>`;
      case 'known-bad':
      case 'failed':
        return html`<p class="check-line" data-testid="check-bad">
          <span class="badge badge-bad">Not applied</span> ${c.version} ${c.status === 'failed' ? 'failed' : 'is marked bad'}: <code>${c.code}</code> ${c.reason}
        </p>`;
      default:
        return html`<p class="check-line">${c.status} ${c.version ?? ''}</p>`;
    }
  }

  private renderShadow() {
    if (this.mode !== 'shadow') return nothing;
    const m = this.managed;
    const r = this.shadow;
    const decided = this.lastShadowDecision;
    return html`<div class="shadow-box" data-testid="shadow">
      <h4>Shadow test</h4>
      ${decided
        ? html`<p data-testid="shadow-decision"><strong>${decided.decision === 'promote' ? 'Promoted' : 'Not promoted'}:</strong> ${decided.reason}</p>`
        : nothing}
      ${r
        ? html`<p class="small muted">
              ${r.candidate} answers every input beside ${m?.version ?? ''}; its answers are compared, never shown. It is promoted when it agrees on
              ≥ 95 % of at least 200 inputs. ${r.decision === 'wait' ? r.reason : nothing}
            </p>
            ${agreementFacts(r, `${m?.version ?? 'serving'} (serving)`, `${r.candidate} (candidate)`)}
            <div class="actions">
              <button type="button" @click=${() => void this.feedSamples()} ?disabled=${!!this.busy}>Predict the 1,000 sample reviews</button>
            </div>`
        : decided
          ? nothing
          : html`<p class="small muted">No candidate is being tested${this.check?.status === 'offline' ? ' (offline)' : ''}.</p>`}
    </div>`;
  }

  private renderTry() {
    const t = this.tried;
    const id = `try-${this.name}`;
    return html`<form
      class="try-form"
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.tryText();
      }}
    >
      <label for=${id}>Try a sentence</label>
      <div class="try-row">
        <input
          id=${id}
          type="text"
          autocomplete="off"
          placeholder="A wonderful, moving film."
          @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
        />
        <button type="submit" ?disabled=${!this.managed}>Predict</button>
      </div>
      ${t
        ? html`<p class="small" data-testid="tried">
            <strong>${t.label}</strong>${t.probability !== undefined ? ` (${formatPercent(t.probability)})` : ''}, answered by version
            <span class="mono" data-testid="answered-by">${t.version}</span>
          </p>`
        : nothing}
    </form>`;
  }

  private renderCompare(v: VersionsState) {
    const other = this.otherVersion(v);
    const c = this.compare;
    return html`<div class="compare-box" data-testid="compare">
      <h4>Compare two versions</h4>
      ${other
        ? html`<p class="small muted">Both versions predict the 1,000 labelled sample reviews (<span class="mono">samples/movie-reviews.csv</span>).</p>
            <div class="actions">
              <button type="button" @click=${() => void this.runCompare(v.active, other)} ?disabled=${!!c && !('report' in c)}>
                Compare ${v.active} with ${other}
              </button>
            </div>`
        : nothing}
      ${c && !('report' in c)
        ? html`<div class="progress-row">
            <label for=${`compare-progress-${this.name}`}>Compared ${fmtInt(c.done)} of ${fmtInt(c.total)} reviews</label>
            <progress id=${`compare-progress-${this.name}`} max=${c.total} .value=${c.done}></progress>
          </div>`
        : nothing}
      ${c && 'report' in c
        ? html`<p class="small"><strong>${c.a}</strong> (a) and <strong>${c.b}</strong> (b) on ${fmtInt(c.rows)} reviews:</p>
            ${agreementFacts(c.report, c.a, c.b)}`
        : nothing}
    </div>`;
  }

  /** The version to compare the serving one with: the candidate, else stable, else the newest other. */
  private otherVersion(v: VersionsState): string | undefined {
    const aliases = this.entry?.aliases ?? {};
    for (const alias of ['candidate', 'stable']) {
      const to = aliases[alias];
      if (to && to !== v.active) return to;
    }
    return [...v.versions].reverse().find((x) => x !== v.active);
  }

  override render() {
    const entry = this.entry;
    if (!entry) return nothing;
    const v = this.versions;
    const m = this.managed;
    const headingId = `lifecycle-${entry.name}`;
    const channels = Object.keys(entry.aliases ?? {});
    const isText = m?.card.input.kind === 'text';
    return html`<section class="panel lifecycle" aria-labelledby=${headingId} data-testid=${`lifecycle-${entry.name}`}>
      <div class="model-row-head">
        <h3 id=${headingId}>${entry.title} <span class="mono muted small">${entry.name}</span></h3>
        ${this.check?.status === 'ready' ? html`<span class="badge badge-update" data-testid="update-badge">Update available</span>` : nothing}
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      ${v ? this.renderVersions(v) : this.problem ? nothing : html`<p class="muted">Opening…</p>`}
      <div class="lifecycle-controls">
        <div class="field">
          <label for=${`channel-${entry.name}`}>Follow channel</label>
          <select id=${`channel-${entry.name}`} @change=${(e: Event) => this.changeChannel((e.target as HTMLSelectElement).value)} ?disabled=${!!this.busy}>
            ${channels.map((c) => html`<option value=${c} ?selected=${c === this.channel}>${c} → ${entry.aliases[c]}</option>`)}
          </select>
        </div>
        <label class="check-toggle">
          <input type="checkbox" .checked=${this.mode === 'shadow'} @change=${(e: Event) => this.setMode((e.target as HTMLInputElement).checked ? 'shadow' : 'prompt')} ?disabled=${!!this.busy} />
          Shadow-test the candidate
        </label>
      </div>
      ${this.renderCheck()}
      <p class="status-line small" data-testid="busy">${this.busy ?? ''}</p>
      <div class="actions">
        <button type="button" @click=${() => void this.checkForUpdate()} ?disabled=${!m || !!this.busy}>Check for updates</button>
        <button type="button" class="primary" @click=${() => void this.applyUpdate()} ?disabled=${!m || !!this.busy || this.check?.status !== 'ready'}>
          Apply update${this.check?.status === 'ready' && this.check.version ? ` to ${this.check.version}` : ''}
        </button>
        <button type="button" @click=${() => void this.rollback()} ?disabled=${!m || !!this.busy || !v?.lastGood}>
          Roll back${v?.lastGood ? ` to ${v.lastGood}` : ''}
        </button>
      </div>
      ${isText ? this.renderTry() : nothing} ${this.renderShadow()} ${v && isText ? this.renderCompare(v) : nothing}
    </section>`;
  }
}

/** The Models page's "Versions and updates" and "Drift" sections. */
@customElement('mlp-model-lifecycle')
export class MlpModelLifecycle extends LightElement {
  @state() private entries: RegistryEntry[] | undefined;
  @state() private drift: RegistryEntry[] = [];
  @state() private problem: Problem | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const registry = await app.registry();
      const all = registry.names.map((n) => registry.get(n));
      this.entries = all.filter((e) => e.versionList.length > 1);
      this.drift = all.filter((e) => e.name === 'breast-cancer');
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  override render() {
    return html`<section class="lifecycle-section" aria-labelledby="lifecycle-title" data-testid="lifecycle">
      <h2 id="lifecycle-title">Versions and updates</h2>
      <p class="small muted">
        A model is data: the registry lists its versions and channels, and the app picks up a new version at run time. An update is downloaded, checked
        against its hash and warmed up before it may serve; rolling back needs no network.
      </p>
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      ${this.entries?.map((e) => html`<mlp-managed-versions .entry=${e}></mlp-managed-versions>`)}
      ${this.entries && this.entries.length === 0 ? html`<p class="muted">No model in the registry has more than one version.</p>` : nothing}
      ${this.drift.map((e) => html`<mlp-drift-report .entry=${e}></mlp-drift-report>`)}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-managed-versions': MlpManagedVersions;
    'mlp-model-lifecycle': MlpModelLifecycle;
  }
}
