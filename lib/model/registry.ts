/**
 * Model registry: a static `registry.json` listing models by name, each with versions (model
 * URL, card URL, sha256, bytes) and aliases ("stable" → a version), plus a default model.
 * `openRegistry(url)` fetches and checks it; the handle lists, describes and loads models with
 * their card and integrity. URLs in the registry are relative to the registry's own URL.
 *
 * @example
 * const registry = await openRegistry('/models/registry.json');
 * const model = await registry.load();                     // the default model, stable version
 * const tree = await registry.load('sentiment-tree');
 */
import { abortError, MlPredictError, oneOf, quote, throwIfAborted } from '../errors.js';
import type { LoadOptions, Model } from '../types.js';
import { checkCardMatches, CARD_TASKS, validateCard, type CardTask, type ModelCard } from './card.js';
import { hexToBase64 } from './integrity.js';
import { checkOptions } from '../options.js';
import { loadModel } from './load.js';

export interface RegistryVersion {
  /** Model URL, relative to the registry. */
  url: string;
  /** Card URL, relative to the registry. */
  card: string;
  /** sha256 of the model file, 64 lower-case hex characters. */
  sha256: string;
  bytes: number;
  [extra: string]: unknown;
}

export interface RegistryModel {
  title: string;
  task: CardTask;
  description: string;
  /** Named pointers to versions; "stable" is the one loaded when no version is asked for. */
  aliases: Record<string, string>;
  versions: Record<string, RegistryVersion>;
  [extra: string]: unknown;
}

export interface RegistryDocument {
  default: string;
  models: Record<string, RegistryModel>;
  [extra: string]: unknown;
}

/** One version of one model, with absolute URLs. */
export interface ResolvedVersion {
  name: string;
  version: string;
  url: string;
  cardUrl: string;
  sha256: string;
  bytes: number;
  /** The subresource-integrity string of the model file. */
  integrity: string;
}

export interface RegistryEntry extends RegistryModel {
  name: string;
  /** Versions, oldest first. */
  versionList: string[];
  /** The version that "stable" (or, without it, the newest) points to. */
  stable: string;
}

export interface RegistryLoadOptions extends Omit<LoadOptions, 'card' | 'integrity' | 'name'> {
  /** A version or an alias; default the "stable" alias (or the newest version). */
  version?: string;
  /** Skip fetching the card (false), or give one; by default the registry's card is fetched and checked. */
  card?: ModelCard | false;
}

export interface Registry {
  /** Absolute URL of registry.json. */
  readonly url: string;
  /** Model names, in registry order. */
  readonly names: string[];
  readonly defaultName: string;
  /** The parsed document. */
  readonly document: RegistryDocument;
  /** A model's entry; unknown name → UNKNOWN_MODEL listing the names there are. */
  get(name: string): RegistryEntry;
  /** A version (or alias, default stable) of a model, with absolute URLs and integrity. */
  resolve(name?: string, version?: string): ResolvedVersion;
  /** Fetches, validates and checks the card of a model version against the registry's sha256 and bytes. */
  card(name?: string, version?: string, options?: { signal?: AbortSignal }): Promise<ModelCard>;
  /** Loads a model (default: the default model) with its card and integrity. */
  load(name?: string, options?: RegistryLoadOptions): Promise<Model>;
}

export interface OpenRegistryOptions {
  signal?: AbortSignal;
}

type Obj = Record<string, unknown>;

function invalid(url: string, path: string, expected: string, found: unknown): MlPredictError {
  return new MlPredictError(
    'REGISTRY_INVALID',
    `Registry ${quote(url)}: field "${path}" must be ${expected}; found ${found === undefined ? 'nothing (the field is missing)' : quote(found)}.`,
    { field: path },
  );
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number(x));
  const pb = b.split(/[.+-]/).map((x) => Number(x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Checks a parsed registry document; throws REGISTRY_INVALID naming the bad field. */
export function validateRegistry(json: unknown, url = 'registry.json'): RegistryDocument {
  if (!isObj(json)) throw invalid(url, '(registry)', 'a JSON object', json);
  const models = json.models;
  if (!isObj(models) || Object.keys(models).length === 0) throw invalid(url, 'models', 'an object with at least one model', models);
  for (const [name, m] of Object.entries(models)) {
    const at = `models[${JSON.stringify(name)}]`;
    if (!isObj(m)) throw invalid(url, at, 'an object', m);
    for (const key of ['title', 'description'] as const) {
      if (typeof m[key] !== 'string') throw invalid(url, `${at}.${key}`, 'a string', m[key]);
    }
    if (typeof m.task !== 'string' || !(CARD_TASKS as readonly string[]).includes(m.task)) {
      throw invalid(url, `${at}.task`, `one of ${oneOf(CARD_TASKS)}`, m.task);
    }
    const versions = m.versions;
    if (!isObj(versions) || Object.keys(versions).length === 0) throw invalid(url, `${at}.versions`, 'an object with at least one version', versions);
    for (const [version, v] of Object.entries(versions)) {
      const vat = `${at}.versions[${JSON.stringify(version)}]`;
      if (!isObj(v)) throw invalid(url, vat, 'an object', v);
      for (const key of ['url', 'card'] as const) {
        if (typeof v[key] !== 'string' || v[key] === '') throw invalid(url, `${vat}.${key}`, 'a URL (relative to the registry)', v[key]);
      }
      if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) {
        throw invalid(url, `${vat}.sha256`, 'a sha256 digest as 64 lower-case hex characters', v.sha256);
      }
      if (typeof v.bytes !== 'number' || !Number.isSafeInteger(v.bytes) || v.bytes < 0) throw invalid(url, `${vat}.bytes`, 'an integer ≥ 0', v.bytes);
    }
    const aliases = m.aliases ?? {};
    if (!isObj(aliases)) throw invalid(url, `${at}.aliases`, 'an object of alias → version', aliases);
    for (const [alias, target] of Object.entries(aliases)) {
      if (typeof target !== 'string' || !(target in versions)) {
        throw invalid(url, `${at}.aliases[${JSON.stringify(alias)}]`, `one of the versions ${oneOf(Object.keys(versions))}`, target);
      }
    }
  }
  if (typeof json.default !== 'string' || !(json.default in models)) {
    throw invalid(url, 'default', `the name of a listed model: ${oneOf(Object.keys(models))}`, json.default);
  }
  return json as RegistryDocument;
}

async function fetchJson(url: string, what: string, code: 'REGISTRY_INVALID' | 'CARD_INVALID', signal?: AbortSignal): Promise<unknown> {
  throwIfAborted(signal);
  let res: Response;
  try {
    res = await fetch(url, signal ? { signal } : {});
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw new MlPredictError('FETCH_FAILED', `Could not fetch ${what} ${quote(url)}: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (!res.ok) {
    throw new MlPredictError('FETCH_FAILED', `Could not fetch ${what} ${quote(url)}: HTTP ${res.status} ${res.statusText}`.trim() + '.', { status: res.status });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw new MlPredictError('FETCH_FAILED', `Could not read ${what} ${quote(url)}: ${(e as Error).message}`, undefined, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new MlPredictError(code, `The ${what} at ${quote(url)} is not valid JSON: ${(e as Error).message}. It starts with ${quote(text.slice(0, 40))}.`);
  }
}

class RegistryHandle implements Registry {
  readonly names: string[];
  readonly defaultName: string;

  constructor(
    readonly url: string,
    readonly document: RegistryDocument,
  ) {
    this.names = Object.keys(document.models);
    this.defaultName = document.default;
  }

  get(name: string): RegistryEntry {
    const m = typeof name === 'string' && Object.hasOwn(this.document.models, name) ? this.document.models[name] : undefined;
    if (!m) {
      throw new MlPredictError('UNKNOWN_MODEL', `Unknown model ${quote(name)} in registry ${quote(this.url)}. Expected one of: ${oneOf(this.names)}.`, {
        name,
        names: this.names,
      });
    }
    const versionList = Object.keys(m.versions).sort(compareVersions);
    const stable = m.aliases?.stable ?? versionList[versionList.length - 1]!;
    return { ...m, aliases: m.aliases ?? {}, name, versionList, stable };
  }

  resolve(name: string = this.defaultName, version?: string): ResolvedVersion {
    const entry = this.get(name);
    let v = version ?? entry.stable;
    if (!Object.hasOwn(entry.versions, v) && typeof v === 'string' && Object.hasOwn(entry.aliases, v)) v = entry.aliases[v]!;
    const found = Object.hasOwn(entry.versions, v) ? entry.versions[v] : undefined;
    if (!found) {
      throw new MlPredictError(
        'UNKNOWN_MODEL',
        `Model ${quote(name)} has no version ${quote(version)} in registry ${quote(this.url)}. Expected one of: ${oneOf([...entry.versionList, ...Object.keys(entry.aliases)])}.`,
        { name, version },
      );
    }
    return {
      name,
      version: v,
      url: new URL(found.url, this.url).href,
      cardUrl: new URL(found.card, this.url).href,
      sha256: found.sha256,
      bytes: found.bytes,
      integrity: `sha256-${hexToBase64(found.sha256)}`,
    };
  }

  async card(name?: string, version?: string, options: { signal?: AbortSignal } = {}): Promise<ModelCard> {
    const r = this.resolve(name, version);
    const json = await fetchJson(r.cardUrl, 'model card', 'CARD_INVALID', options.signal);
    const card = validateCard(json, r.cardUrl);
    if (card.name !== r.name || card.version !== r.version) {
      throw new MlPredictError(
        'CARD_INVALID',
        `Model card ${quote(r.cardUrl)} is for ${quote(card.name)} ${quote(card.version)}, but the registry lists it for ${quote(r.name)} ${quote(r.version)}.`,
        { field: card.name !== r.name ? 'name' : 'version' },
      );
    }
    checkCardMatches(card, r.sha256, r.bytes);
    return card;
  }

  async load(name?: string, options: RegistryLoadOptions = {}): Promise<Model> {
    const r = this.resolve(name, options.version);
    const { card: given, ...rest } = options;
    let card: ModelCard | undefined;
    if (given === undefined) card = await this.card(r.name, r.version, options.signal ? { signal: options.signal } : {});
    else if (given !== false) {
      card = validateCard(given, r.name);
      checkCardMatches(card, r.sha256, r.bytes);
    }
    return loadModel(r.url, { ...rest, integrity: r.integrity, version: r.version, name: r.name, card: card ?? false });
  }
}

/** Fetches and checks a registry. Malformed JSON or fields → REGISTRY_INVALID; HTTP errors → FETCH_FAILED. */
export async function openRegistry(url: string | URL, options: OpenRegistryOptions = {}): Promise<Registry> {
  checkOptions(options, 'openRegistry()', { signal: 'signal' });
  let absolute: string;
  try {
    absolute = new URL(String(url), globalThis.location?.href).href;
  } catch {
    throw new MlPredictError('INVALID_ARGUMENT', `Registry URL ${quote(String(url))} is not a valid URL.`);
  }
  const json = await fetchJson(absolute, 'registry', 'REGISTRY_INVALID', options.signal);
  return new RegistryHandle(absolute, validateRegistry(json, absolute));
}

/** A registry from a document already fetched (e.g. kept for offline use); checked like a fetched one. */
export function registryFromDocument(url: string, document: unknown): Registry {
  return new RegistryHandle(url, validateRegistry(document, url));
}
