/**
 * Models as data: a model chosen by name from a registry, kept up to date at run time without a
 * redeploy. Versions are immutable; an alias ("stable" by default) says which one serves. An
 * update is downloaded through the model store (integrity checked), loaded and warmed with the
 * card's examples before it may serve; the swap is atomic (calls in flight finish on the version
 * they started on, and every result says which version answered); the previous version stays
 * loaded so `rollback()` is instant and needs no network; a version that fails is recorded as bad
 * and not tried again until the registry changes. The active version is persisted, so a reload —
 * offline too — keeps it.
 */
import { MlPredictError, quote } from '../errors.js';
import { checkOptions, type OptionRules } from '../options.js';
import { cardToInputs, defaultValues, interpret, type Interpretation } from '../model/interpret.js';
import { checkCardMatches, validateCard, type ModelCard } from '../model/card.js';
import { loadModel } from '../model/load.js';
import { registryFromDocument, type Registry, type ResolvedVersion } from '../model/registry.js';
import type { Inputs, LoadOptions, Model, Outputs } from '../types.js';
import type { DriftOptions, DriftReport } from '../evaluate/drift.js';
import { AgreementTracker, decidePromotion } from '../evaluate/agreement.js';
import { fetchRegistry, parseRegistry } from './registry-fetch.js';
import { fingerprint, readState, writeState, type ManagedState } from './state.js';
import { UPDATE_POLICIES, type ManagedModelOptions, type ManagedPrediction, type ShadowReport, type UpdateCheck, type VersionsState } from './types.js';

/** The options of openManagedModel() of its own, in their documented order; the rest go to loadModel(), which checks them. */
const MANAGED_RULES: OptionRules = {
  policy: { oneOf: UPDATE_POLICIES },
  channel: 'string',
  candidateAlias: 'string',
  shadow: 'object',
  monitor: (value) => (typeof value === 'boolean' || (value !== null && typeof value === 'object') ? undefined : 'true, false or monitor options'),
  onProgress: 'function',
};
const SHADOW_RULES: OptionRules = {
  sampleRate: { number: [0, 1] },
  threshold: { number: [0, 1] },
  minInputs: { integer: [1, 1_000_000] },
};

/** Throws INVALID_ARGUMENT for a managed-model option (or shadow option) that is not valid. */
function checkManagedOptions(options: ManagedModelOptions): void {
  if (options === null || typeof options !== 'object') checkOptions(options, 'openManagedModel()', MANAGED_RULES);
  const own = Object.fromEntries(Object.entries(options).filter(([key]) => Object.hasOwn(MANAGED_RULES, key)));
  checkOptions(own, 'openManagedModel()', MANAGED_RULES);
  checkOptions(options.shadow, 'openManagedModel() option "shadow"', SHADOW_RULES);
}

interface Slot {
  version: string;
  model: Model;
  card: ModelCard;
  inflight: number;
  retired: boolean;
}

/** Inputs to warm a version with: its card's examples, else its defaults. */
function warmInputs(card: ModelCard): Inputs[] {
  const examples = (card.examples ?? []) as Record<string, unknown>[];
  const out: Inputs[] = [];
  for (const e of examples.slice(0, 3)) {
    if (card.input.kind === 'text' && typeof e.text === 'string') out.push(cardToInputs(card, e.text));
    else if (card.input.kind === 'features' && Array.isArray(e.features)) out.push({ [card.input.tensor]: [e.features as number[]] });
  }
  if (out.length === 0 && card.input.kind === 'features') out.push(cardToInputs(card, defaultValues(card)));
  return out;
}

export class ManagedModel extends EventTarget {
  private slot: Slot;
  private previous: Slot | undefined;
  private candidate: Slot | undefined;
  private tracker = new AgreementTracker();
  private checking: Promise<UpdateCheck> | undefined;
  private disposed = false;

  private constructor(
    private registry: Registry,
    private readonly name: string,
    private state: ManagedState,
    slot: Slot,
    private readonly options: ManagedModelOptions,
  ) {
    super();
    this.slot = slot;
  }

  /**
   * Opens a model by name (default: the registry's default model) at the version the registry
   * (or, after a reload, the persisted state) says is active. Works offline once it has been
   * opened online: the registry, cards and model bytes are kept on the device.
   */
  static async open(registryUrl: string | URL, name?: string, options: ManagedModelOptions = {}): Promise<ManagedModel> {
    checkManagedOptions(options);
    const policy = options.policy ?? 'prompt';
    const url = new URL(String(registryUrl), globalThis.location?.href).href;
    const stored = name ? await readState(url, name) : undefined;
    const fetched = await fetchRegistry(url, stored?.registry.etag);
    let registry: Registry;
    let regState: ManagedState['registry'];
    if (fetched.status === 'changed') {
      registry = parseRegistry(url, fetched.text);
      regState = { document: registry.document, etag: fetched.etag, fingerprint: await fingerprint(fetched.text) };
    } else if (stored) {
      registry = registryFromDocument(url, stored.registry.document);
      regState = stored.registry;
    } else {
      // Offline (or 304 without a stored copy) on the first visit: nothing to serve from.
      throw new MlPredictError('FETCH_FAILED', `Registry ${quote(url)} cannot be reached and no copy is kept on this device yet: open it online once.`);
    }
    const modelName = name ?? registry.defaultName;
    registry.get(modelName); // UNKNOWN_MODEL listing the names there are
    const state: ManagedState = (name ? stored : await readState(url, modelName)) ?? {
      active: registry.resolve(modelName, options.channel ?? 'stable').version,
      bad: {},
      registry: regState,
      cards: {},
    };
    state.registry = regState;
    if (!registry.get(modelName).versions[state.active]) state.active = registry.resolve(modelName, options.channel ?? 'stable').version;
    const managed = new ManagedModel(registry, modelName, state, undefined as unknown as Slot, { ...options, policy });
    managed.slot = await managed.prepare(state.active, false);
    await managed.persist();
    return managed;
  }

  /** The version serving predictions now. */
  get version(): string {
    return this.slot.version;
  }

  get model(): Model {
    return this.slot.model;
  }

  get card(): ModelCard {
    return this.slot.card;
  }

  get versions(): VersionsState {
    const bad: VersionsState['bad'] = {};
    for (const [v, b] of Object.entries(this.state.bad)) bad[v] = { code: b.code, reason: b.reason };
    return {
      name: this.name,
      active: this.slot.version,
      lastGood: this.previous?.version ?? this.state.lastGood,
      candidate: this.candidate?.version,
      bad,
      versions: this.registry.get(this.name).versionList,
    };
  }

  /** Predicts with the active version; the result says which version answered. */
  async predict(inputs: Inputs): Promise<ManagedPrediction> {
    this.assertOpen();
    const slot = this.slot; // the version this call is answered by, whatever swaps happen meanwhile
    slot.inflight++;
    const started = performance.now();
    try {
      const outputs = await slot.model.predict(inputs);
      const elapsed = performance.now() - started;
      const result = this.read(slot.card, outputs);
      if (this.options.policy === 'shadow' && this.candidate && slot === this.slot) this.shadow(inputs, result, elapsed);
      return { version: slot.version, outputs, result };
    } finally {
      slot.inflight--;
      if (slot.retired && slot.inflight === 0) void slot.model.dispose();
    }
  }

  /**
   * Revalidates the registry (ETag). Offline is a normal state: reports 'offline' and changes
   * nothing. When the followed alias moved to a version not known to be bad, downloads, verifies,
   * loads and warms it; then, by policy, fires `updateavailable`, swaps, or starts shadowing.
   * Rejects DISPOSED when dispose() runs before the check settles; a version it loaded meanwhile
   * is disposed too.
   */
  checkForUpdate(): Promise<UpdateCheck> {
    this.assertOpen();
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<UpdateCheck> {
    const fetched = await fetchRegistry(this.registry.url, this.state.registry.etag);
    if (fetched.status === 'offline') return { status: 'offline' };
    if (fetched.status === 'changed') {
      const fp = await fingerprint(fetched.text);
      if (fp !== this.state.registry.fingerprint) {
        this.registry = parseRegistry(this.registry.url, fetched.text);
        this.state.registry = { document: this.registry.document, etag: fetched.etag, fingerprint: fp };
        await this.persist();
      } else if (fetched.etag && fetched.etag !== this.state.registry.etag) {
        this.state.registry.etag = fetched.etag;
      }
    }
    const entry = this.registry.get(this.name);
    const alias = this.options.policy === 'shadow' ? (this.options.candidateAlias ?? 'candidate') : (this.options.channel ?? 'stable');
    const target = entry.aliases[alias] ?? (this.options.policy === 'shadow' ? undefined : entry.stable);
    if (!target || target === this.slot.version) {
      return { status: fetched.status === 'unchanged' ? 'unchanged' : 'up-to-date', version: this.slot.version };
    }
    if (this.candidate?.version === target) return { status: this.options.policy === 'shadow' ? 'shadowing' : 'ready', version: target };
    const bad = this.state.bad[target];
    if (bad && bad.registry === this.state.registry.fingerprint) {
      return { status: 'known-bad', version: target, code: bad.code, reason: bad.reason };
    }
    let prepared: Slot;
    try {
      prepared = await this.prepare(target, true);
    } catch (e) {
      if (this.disposed) throw this.disposedError();
      const err = e instanceof MlPredictError ? e : new MlPredictError('INTERNAL', String(e));
      this.state.bad[target] = { code: err.code, reason: err.message, registry: this.state.registry.fingerprint, at: Date.now() };
      await this.persist();
      this.emit('updatefailed', { version: target, code: err.code, reason: err.message });
      return { status: 'failed', version: target, code: err.code, reason: err.message };
    }
    await this.keepOpen(prepared);
    if (this.candidate) void this.candidate.model.dispose();
    this.candidate = prepared;
    this.tracker = new AgreementTracker();
    if (this.options.policy === 'auto') {
      await this.applyUpdate();
      return { status: 'applied', version: target };
    }
    if (this.options.policy === 'shadow') return { status: 'shadowing', version: target };
    this.emit('updateavailable', { version: target, current: this.slot.version });
    return { status: 'ready', version: target };
  }

  /** Swaps to the prepared update at once. Calls in flight finish on the old version. */
  async applyUpdate(): Promise<string> {
    this.assertOpen();
    const next = this.candidate;
    if (!next) throw new MlPredictError('INVALID_ARGUMENT', `No update of model "${this.name}" is ready; call checkForUpdate() first.`);
    this.candidate = undefined;
    this.swap(next);
    await this.persist();
    this.emit('updateapplied', { version: next.version, previous: this.previous?.version });
    return next.version;
  }

  /**
   * Returns to the last known-good version at once: it is still loaded (or comes from the
   * device's cache), so no request is made. The version left is recorded as bad until the
   * registry changes, so an 'auto' policy does not switch back to it.
   */
  async rollback(): Promise<string> {
    this.assertOpen();
    const target = this.previous?.version ?? this.state.lastGood;
    if (!target) throw new MlPredictError('INVALID_ARGUMENT', `Model "${this.name}" has no earlier version to roll back to.`);
    const from = this.slot;
    const left = from.version;
    const slot = this.previous?.version === target ? this.previous : await this.keepOpen(await this.prepare(target, false));
    this.previous = undefined;
    this.state.bad[left] = { code: 'ROLLED_BACK', reason: `rolled back to ${target} by the app`, registry: this.state.registry.fingerprint, at: Date.now() };
    this.slot = slot;
    this.state.active = target;
    this.state.lastGood = undefined;
    this.retire(from);
    await this.persist();
    this.emit('rollback', { version: target, from: left });
    return target;
  }

  /** Drift of the live inputs since the active version started serving (needs the `monitor` option). */
  driftReport(options?: DriftOptions): Promise<DriftReport & { observed: number }> {
    this.assertOpen();
    return this.slot.model.driftReport(options);
  }

  /** Agreement of the shadowed candidate with the active version so far. */
  shadowReport(): ShadowReport | undefined {
    if (!this.candidate) return undefined;
    const { threshold, minInputs } = this.options.shadow ?? {};
    const report = this.tracker.report();
    const { decision, reason } = decidePromotion(report, { threshold, minInputs });
    return { ...report, candidate: this.candidate.version, decision, reason };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.slot, this.previous, this.candidate].filter((s): s is Slot => !!s).map((s) => s.model.dispose()));
  }

  private shadow(inputs: Inputs, activeResult: Interpretation | undefined, activeMs: number): void {
    const candidate = this.candidate!;
    const rate = this.options.shadow?.sampleRate ?? 1;
    if (!activeResult || Math.random() >= rate) return;
    const started = performance.now();
    candidate.inflight++;
    candidate.model
      .predict(inputs)
      .then((outputs) => {
        // After dispose() or a newer candidate, this comparison decides nothing.
        if (this.disposed || this.candidate !== candidate) return;
        const result = this.read(candidate.card, outputs);
        if (!result) throw new MlPredictError('CARD_INVALID', `Version ${candidate.version}'s outputs cannot be read with its card.`);
        this.tracker.add(activeResult, result, { a: activeMs, b: performance.now() - started });
        this.decideShadow();
      })
      .catch((e: unknown) => {
        // A candidate that fails on live inputs is not promoted.
        if (!this.disposed && this.candidate === candidate) this.reject(candidate, `it failed on a live input: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        candidate.inflight--;
        if (candidate.retired && candidate.inflight === 0) void candidate.model.dispose();
      });
  }

  private decideShadow(): void {
    const report = this.shadowReport();
    if (!report || report.decision === 'wait') return;
    this.emit('shadowreport', report);
    if (report.decision === 'promote') void this.applyUpdate();
    else this.reject(this.candidate!, report.reason);
  }

  private reject(candidate: Slot, reason: string): void {
    this.candidate = undefined;
    this.retire(candidate);
    this.state.bad[candidate.version] = { code: 'SHADOW_REJECTED', reason, registry: this.state.registry.fingerprint, at: Date.now() };
    void this.persist();
  }

  private swap(next: Slot): void {
    const old = this.slot;
    if (this.previous && this.previous !== next) this.retire(this.previous);
    this.previous = old;
    this.slot = next;
    this.state.active = next.version;
    this.state.lastGood = old.version;
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    if (slot.inflight === 0) void slot.model.dispose();
  }

  /** Loads a version with its card and integrity; with `warm`, predicts its examples first. */
  private async prepare(version: string, warm: boolean): Promise<Slot> {
    const resolved = this.registry.resolve(this.name, version);
    const card = await this.cardOf(resolved);
    const model = await loadModel(resolved.url, {
      ...this.loadOptions(),
      integrity: resolved.integrity,
      version: resolved.version,
      name: resolved.name,
      card,
    });
    if (warm) {
      try {
        for (const inputs of warmInputs(card)) await model.predict(inputs);
      } catch (e) {
        await model.dispose();
        const why = e instanceof Error ? e.message : String(e);
        throw new MlPredictError(e instanceof MlPredictError ? e.code : 'INTERNAL', `Version ${resolved.version} of "${this.name}" failed its warm-up: ${why}`);
      }
    }
    // Monitored after the warm-up, so that only live inputs are counted.
    if (this.options.monitor) await model.monitor(this.options.monitor === true ? {} : this.options.monitor);
    return { version: resolved.version, model, card, inflight: 0, retired: false };
  }

  private loadOptions(): LoadOptions {
    const { policy: _p, channel: _c, candidateAlias: _a, shadow: _s, monitor: _m, ...rest } = this.options;
    return rest;
  }

  private async cardOf(r: ResolvedVersion): Promise<ModelCard> {
    const kept = this.state.cards[r.version];
    if (kept) {
      const card = validateCard(kept, r.cardUrl);
      checkCardMatches(card, r.sha256, r.bytes);
      return card;
    }
    const card = await this.registry.card(r.name, r.version);
    this.state.cards[r.version] = card;
    return card;
  }

  private read(card: ModelCard, outputs: Outputs): Interpretation | undefined {
    try {
      return interpret(card, outputs);
    } catch {
      return undefined;
    }
  }

  private async persist(): Promise<void> {
    const inUse = new Set([this.slot?.version, this.previous?.version, this.state.lastGood, this.candidate?.version]);
    for (const v of Object.keys(this.state.cards)) if (!inUse.has(v)) delete this.state.cards[v];
    await writeState(this.registry.url, this.name, this.state);
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private assertOpen(): void {
    if (this.disposed) throw this.disposedError();
  }

  private disposedError(): MlPredictError {
    return new MlPredictError('DISPOSED', `Managed model "${this.name}" was disposed.`);
  }

  /**
   * Returns `slot` while this managed model is open. When dispose() ran while `slot` was being
   * prepared, nothing else will ever dispose it: disposes its model and throws DISPOSED.
   */
  private async keepOpen(slot: Slot): Promise<Slot> {
    if (!this.disposed) return slot;
    await slot.model.dispose();
    throw this.disposedError();
  }
}

/** Opens a model from a registry, kept up to date at run time (see ManagedModel). */
export function openManagedModel(registryUrl: string | URL, name?: string, options?: ManagedModelOptions): Promise<ManagedModel> {
  return ManagedModel.open(registryUrl, name, options);
}
