/**
 * Batch page: pick or drop a CSV file (or run the sample file of the chosen model), and the
 * file is predicted here, in background workers, as a batch job stored on this device: a job
 * list with progress, pause/resume, cancel, delete, the results as a CSV download and a summary
 * chart. Jobs survive a reload (the page resumes them); a notice says when one is done, and a
 * system notification too when the page is hidden and notifications are allowed.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  batchJobEvents,
  getBatchJob,
  listBatchJobs,
  resumeBatchJobs,
  createBatchJob,
  type BatchJob,
  type BatchJobRecord,
  type BatchSummary,
} from 'ml-predict/batch';
import type { ModelCard, Registry } from 'ml-predict/registry';
import { LightElement } from '../light-element.js';
import { app } from '../state.js';
import { describeError, type Problem } from '../errors.js';
import { formatBytes, formatMs, formatWhen } from '../format.js';
import '../components/error-box.js';
import '../components/model-select.js';
import './batch-chart.js';
import '../styles/batch.css';

interface Sample {
  file: string;
  title: string;
  rows: number;
  models: string[];
}

const SAMPLES_URL = new URL(`${import.meta.env.BASE_URL}samples/`, location.href);
const STATUS_TEXT: Record<BatchJobRecord['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const fmt = (n: number) => n.toLocaleString('en');
/** Inputs larger than this are saved through a file picker (streamed), when the browser has one. */
const STREAM_TO_FILE_BYTES = 200 * 1000 * 1000;
/** Failures a resume cannot fix: the file or the model must change. */
const FINAL_ERRORS = ['CSV_INVALID', 'INVALID_ARGUMENT', 'CARD_INVALID', 'UNSUPPORTED_MODEL'];

@customElement('mlp-batch-page')
export class MlpBatchPage extends LightElement {
  @state() private registry: Registry | undefined;
  @state() private card: { name: string; card?: ModelCard; problem?: Problem } | undefined;
  @state() private jobs: BatchJobRecord[] = [];
  @state() private samples: Sample[] = [];
  @state() private problem: Problem | undefined;
  @state() private notice = '';
  @state() private noticeFailed = false;
  @state() private dragging = false;
  @state() private creating = false;
  @state() private summaries = new Map<string, BatchSummary | Problem>();
  /** Handles of the listed jobs (for whether this page runs them). */
  private readonly handles = new Map<string, BatchJob>();
  @state() private permission: NotificationPermission | 'unsupported' = 'Notification' in window ? Notification.permission : 'unsupported';
  private readonly onJob = (e: Event) => this.update1((e as CustomEvent<BatchJobRecord>).detail, e.type);
  private readonly onAppChange = () => void this.loadCard();

  override connectedCallback(): void {
    super.connectedCallback();
    const events = batchJobEvents();
    for (const type of ['progress', 'status', 'done']) events.addEventListener(type, this.onJob);
    app.addEventListener('change', this.onAppChange);
    app.registry().then(
      (registry) => {
        this.registry = registry;
        void this.loadCard();
      },
      (e: unknown) => (this.problem = describeError(e)),
    );
    fetch(new URL('index.json', SAMPLES_URL))
      .then((r) => (r.ok ? (r.json() as Promise<{ samples: Sample[] }>) : { samples: [] }))
      .then((index) => (this.samples = index.samples))
      .catch(() => undefined);
    void this.reload().then(async () => {
      // Jobs a previous visit left running continue here (from their last committed chunk).
      await resumeBatchJobs().catch((e: unknown) => (this.problem = describeError(e)));
      await this.reload();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    const events = batchJobEvents();
    for (const type of ['progress', 'status', 'done']) events.removeEventListener(type, this.onJob);
    app.removeEventListener('change', this.onAppChange);
  }

  private async reload(): Promise<void> {
    const jobs = (await listBatchJobs()).reverse();
    for (const r of jobs) if (!this.handles.has(r.id)) this.handles.set(r.id, (await getBatchJob(r.id))!);
    this.jobs = jobs;
    for (const r of this.jobs) if (r.status === 'done' && !this.summaries.has(r.id)) void this.loadSummary(r.id);
  }

  /** A job's record changed (any job of this page). */
  private update1(record: BatchJobRecord, type: string): void {
    if (!this.handles.has(record.id)) void getBatchJob(record.id).then((h) => h && this.handles.set(record.id, h));
    const i = this.jobs.findIndex((j) => j.id === record.id);
    this.jobs = i < 0 ? [record, ...this.jobs] : this.jobs.map((j, k) => (k === i ? record : j));
    if (type === 'done') {
      this.noticeFailed = false;
      this.notice = `Done: ${record.file.name}, ${fmt(record.predicted)} rows predicted with ${record.model.name}${
        record.errorCount ? `, ${fmt(record.errorCount)} rows not readable` : ''
      }.`;
      void this.loadSummary(record.id);
    } else if (type === 'status' && record.status === 'failed') {
      this.noticeFailed = true;
      this.notice = `Failed: ${record.file.name}. ${record.error?.message ?? ''}`;
    }
  }

  private async loadCard(): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    const name = app.selectedModel(registry);
    if (this.card?.name === name) return;
    this.card = { name };
    try {
      const card = await registry.card(name);
      if (app.selectedModel(registry) === name) this.card = { name, card };
    } catch (e) {
      if (app.selectedModel(registry) === name) this.card = { name, problem: describeError(e) };
    }
  }

  private async loadSummary(id: string): Promise<void> {
    const job = await getBatchJob(id);
    if (!job) return;
    try {
      const summary = await job.summary();
      this.summaries = new Map(this.summaries).set(id, summary);
    } catch (e) {
      this.summaries = new Map(this.summaries).set(id, describeError(e));
    }
  }

  private async start(file: File): Promise<void> {
    const registry = this.registry;
    if (!registry || this.creating) return;
    const name = app.selectedModel(registry);
    this.problem = undefined;
    this.creating = true;
    try {
      const job = await createBatchJob(file, { registry, name });
      this.handles.set(job.id, job);
      this.jobs = [job.record, ...this.jobs.filter((j) => j.id !== job.id)];
    } catch (e) {
      this.problem = describeError(e);
    } finally {
      this.creating = false;
    }
  }

  private async runSample(sample: Sample): Promise<void> {
    try {
      const res = await fetch(new URL(sample.file, SAMPLES_URL));
      if (!res.ok) throw new Error(`The sample file ${sample.file} could not be read (HTTP ${res.status}).`);
      await this.start(new File([await res.blob()], sample.file, { type: 'text/csv' }));
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  private async act(id: string, action: 'pause' | 'resume' | 'cancel' | 'delete' | 'download' | 'summary'): Promise<void> {
    const job = await getBatchJob(id);
    if (!job) return void this.reload();
    this.problem = undefined;
    try {
      if (action === 'pause') await job.pause();
      else if (action === 'resume') void job.start().catch(() => undefined);
      else if (action === 'cancel') await job.cancel();
      else if (action === 'delete') {
        await job.delete();
        this.jobs = this.jobs.filter((j) => j.id !== id);
        this.handles.delete(id);
        const s = new Map(this.summaries);
        s.delete(id);
        this.summaries = s;
      } else if (action === 'summary') await this.loadSummary(id);
      else await this.download(id);
    } catch (e) {
      this.problem = describeError(e);
    }
  }

  /**
   * A normal download of the results (a Blob: the browser keeps a large one on disk). For very
   * large inputs, where the browser can (File System Access), the results stream straight into
   * a file the user picks.
   */
  private async download(id: string): Promise<void> {
    const job = (await getBatchJob(id))!;
    const picker = (window as { showSaveFilePicker?: (o: unknown) => Promise<FileSystemFileHandle> }).showSaveFilePicker;
    if (picker && job.record.file.size > STREAM_TO_FILE_BYTES) {
      let handle: FileSystemFileHandle;
      try {
        handle = await picker({ suggestedName: job.downloadName, types: [{ description: 'CSV file', accept: { 'text/csv': ['.csv'] } }] });
      } catch (e) {
        if ((e as DOMException).name === 'AbortError') return; // the user closed the dialog
        throw e;
      }
      await job.results().pipeTo(await handle.createWritable());
      this.noticeFailed = false;
      this.notice = `Saved ${handle.name}.`;
      return;
    }
    const url = URL.createObjectURL(await job.download());
    const a = document.createElement('a');
    a.href = url;
    a.download = job.downloadName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  private async askNotifications(): Promise<void> {
    this.permission = await Notification.requestPermission();
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    const file = e.dataTransfer?.files[0];
    if (file) void this.start(file);
  }

  private renderStart(name: string) {
    const card = this.card?.name === name ? this.card : undefined;
    if (card?.problem) return html`<mlp-error-box .problem=${card.problem}></mlp-error-box>`;
    if (!card?.card) return html`<p class="muted" role="status">Reading the model card…</p>`;
    const input = card.card.input;
    if (input.kind !== 'features' && input.kind !== 'text') {
      return html`<p class="panel notice" data-testid="batch-unsupported">
        This model reads ${input.kind} input; batch jobs read CSV files for models with features or text. Choose another model.
      </p>`;
    }
    const columns = input.kind === 'text' ? ['text'] : input.features.map((f) => f.name);
    const samples = this.samples.filter((s) => s.models.includes(name));
    return html`
      <div
        class="drop-zone ${this.dragging ? 'dragging' : ''}"
        data-testid="batch-drop"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => this.onDrop(e)}
      >
        <input
          id="batch-file"
          class="visually-hidden"
          type="file"
          accept=".csv,text/csv,text/plain"
          ?disabled=${this.creating}
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            const file = input.files?.[0];
            input.value = '';
            if (file) void this.start(file);
          }}
        />
        <label for="batch-file" class="button primary">Choose a CSV file</label>
        <p class="muted">or drop one here. Its first row must name the columns.</p>
      </div>
      <p class="small">
        Columns read by <strong>${name}</strong>: ${columns.map((c, i) => html`${i ? ', ' : ''}<code>${c}</code>`)}. Other columns are kept in the
        results as they are.
      </p>
      ${samples.length
        ? html`<div class="actions" data-testid="batch-samples">
            <span class="small muted">Sample files:</span>
            ${samples.map(
              (s) => html`<button type="button" ?disabled=${this.creating} @click=${() => this.runSample(s)}>Run ${s.title}</button>
                <a class="small" href=${new URL(s.file, SAMPLES_URL).href} download>download</a>`,
            )}
          </div>`
        : nothing}
    `;
  }

  private renderJob(r: BatchJobRecord) {
    const fraction = r.file.size ? Math.min(1, r.bytesDone / r.file.size) : 0;
    const running = r.status === 'running' || r.status === 'queued';
    const summary = this.summaries.get(r.id);
    const retryable = r.status === 'failed' && !FINAL_ERRORS.includes(r.error?.code ?? '');
    const canResume = r.status === 'paused' || retryable || (running && !this.isLive(r));
    const canCancel = running || r.status === 'paused' || retryable;
    return html`<li class="panel job" data-testid="batch-job" data-status=${r.status}>
      <div class="job-head">
        <h3>${r.file.name}</h3>
        <span class="badge badge-${r.status}" data-testid="job-status">${STATUS_TEXT[r.status]}</span>
      </div>
      <p class="small muted">
        ${r.model.name} ${r.model.version ?? ''} · ${formatBytes(r.file.size)} · started ${formatWhen(r.startedAt ?? r.createdAt)}
        ${r.runMs ? html` · ${formatMs(r.runMs)} of work` : nothing}
      </p>
      <label class="progress-row">
        <span class="small" data-testid="job-rows">${fmt(r.rowsDone)} rows${r.status === 'done' ? '' : ` (${Math.round(fraction * 100)} % of the file)`}, ${fmt(
          r.errorCount,
        )} not readable</span>
        <progress max="1" value=${r.status === 'done' ? 1 : fraction}></progress>
      </label>
      ${r.error ? html`<p class="error-box small">${r.error.code}: ${r.error.message}</p>` : nothing}
      ${r.firstErrors.length
        ? html`<details>
            <summary>Rows not read (${fmt(r.errorCount)})</summary>
            <ul class="small">
              ${r.firstErrors.map((e) => html`<li>Row ${fmt(e.row)}: ${e.reason}</li>`)}
            </ul>
            ${r.errorCount > r.firstErrors.length ? html`<p class="small muted">All of them are in the results file, in its "error" column.</p>` : nothing}
          </details>`
        : nothing}
      <div class="actions">
        ${r.status === 'running' && this.isLive(r) ? html`<button type="button" @click=${() => this.act(r.id, 'pause')}>Pause</button>` : nothing}
        ${canResume ? html`<button type="button" class="primary" @click=${() => this.act(r.id, 'resume')}>Resume</button>` : nothing}
        ${canCancel ? html`<button type="button" @click=${() => this.act(r.id, 'cancel')}>Cancel</button>` : nothing}
        ${r.rowsDone > 0
          ? html`<button type="button" class=${r.status === 'done' ? 'primary' : ''} @click=${() => this.act(r.id, 'download')}>
              Download results${r.status === 'done' ? '' : ' so far'}
            </button>`
          : nothing}
        ${r.rowsDone > 0 && r.status !== 'done' && !summary ? html`<button type="button" class="link" @click=${() => this.act(r.id, 'summary')}>Summary so far</button>` : nothing}
        <button type="button" class="link" @click=${() => this.act(r.id, 'delete')}>Delete</button>
      </div>
      ${summary && 'kind' in summary ? html`<mlp-batch-chart .summary=${summary}></mlp-batch-chart>` : summary ? html`<mlp-error-box .problem=${summary}></mlp-error-box>` : nothing}
    </li>`;
  }

  /** True while this page runs the job (a "running" job nobody runs was left by a closed page or runs in another tab). */
  private isLive(r: BatchJobRecord): boolean {
    return this.handles.get(r.id)?.running ?? false;
  }

  override render() {
    const registry = this.registry;
    const name = registry ? app.selectedModel(registry) : undefined;
    return html`
      <h1 tabindex="-1">Batch predictions</h1>
      <p class="lead">
        Predict a whole CSV file at once. The file is read and predicted here, in background workers, and never leaves this device; jobs and
        results are kept on it, so a job continues after a reload.
      </p>
      <p class="visually-hidden" role="status" data-testid="batch-notice">${this.notice}</p>
      ${this.notice ? html`<p class="panel batch-notice ${this.noticeFailed ? 'failed' : ''}" aria-hidden="true">${this.notice}</p>` : nothing}
      ${this.problem ? html`<mlp-error-box .problem=${this.problem}></mlp-error-box>` : nothing}
      ${registry && name
        ? html`<section class="panel" aria-labelledby="batch-new">
            <h2 id="batch-new">New job</h2>
            <mlp-model-select .registry=${registry} ?disabled=${this.creating}></mlp-model-select>
            ${this.renderStart(name)}
            ${this.permission === 'default'
              ? html`<p class="small"><button type="button" class="link" @click=${() => this.askNotifications()}>Notify me</button> when a job finishes while
                  this page is in the background.</p>`
              : this.permission === 'granted'
                ? html`<p class="small muted">You will get a notification when a job finishes while this page is in the background.</p>`
                : nothing}
          </section>`
        : this.problem
          ? nothing
          : html`<p class="muted" role="status">Loading the registry…</p>`}
      <section aria-labelledby="batch-jobs">
        <h2 id="batch-jobs">Jobs</h2>
        ${this.jobs.length
          ? html`<ul class="job-list" data-testid="batch-jobs">
              ${this.jobs.map((r) => this.renderJob(r))}
            </ul>`
          : html`<p class="muted" data-testid="batch-no-jobs">No jobs yet. Choose a CSV file above, or run a sample.</p>`}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-batch-page': MlpBatchPage;
  }
}
