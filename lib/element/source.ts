/**
 * Where `<ml-predict>`'s model comes from: its `src` (with the card beside it) or a registry
 * entry (with the registry's checked card and sha256), loaded through `loadModel`.
 */
import { isMlPredictError, MlPredictError, throwIfAborted } from '../errors.js';
import { loadModel } from '../model/load.js';
import { validateCard, type ModelCard } from '../model/card.js';
import { openRegistry } from '../model/registry.js';
import type { BackendName, BackendOption, LoadProgress, Model } from '../types.js';

/** The element's source attributes, as one load reads them. */
export interface SourceSpec {
  src: string | undefined;
  integrity: string | undefined;
  backend: string | undefined;
  registry: string | undefined;
  modelName: string | undefined;
  version: string | undefined;
}

export interface LoadSourceOptions {
  /** The element's `card` property: when set, no card is fetched and this one is checked against the model. */
  card: ModelCard | undefined;
  signal: AbortSignal;
  /** Called once the fetched card (or its absence) is known, before the model loads. */
  onCard: (card: ModelCard | undefined) => void;
  onProgress: (progress: LoadProgress) => void;
}

interface ResolvedSource {
  url: string;
  integrity: string | undefined;
  version: string | undefined;
  name: string | undefined;
  /** The card, when the source came with one (a registry checks its card against the model's sha256). */
  card: ModelCard | undefined;
  /** A card beside the model to look for (src only). */
  cardUrl: string | undefined;
}

/** `a.onnx?x` → `a.card.json?x`: the card beside a model (http and https only: a blob or data URL has nothing beside it). */
export function cardUrlFor(modelUrl: string): string | undefined {
  const url = new URL(modelUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.pathname = /\.onnx$/i.test(url.pathname) ? url.pathname.replace(/\.onnx$/i, '.card.json') : `${url.pathname}.card.json`;
  return url.href;
}

/**
 * Fetches the card beside a model and checks it field by field. A missing card (404, offline,
 * or an HTML page from an app's fallback route) is not an error; a broken one is CARD_INVALID.
 */
async function fetchCard(url: string, signal: AbortSignal): Promise<ModelCard | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal.aborted) throw e;
    return undefined; // offline or unreachable: the model may still load from the cache
  }
  if (!res.ok) return undefined;
  if ((res.headers.get('content-type') ?? '').includes('html')) return undefined;
  let json: unknown;
  try {
    json = await res.json();
  } catch (e) {
    if (signal.aborted) throw e;
    throw new MlPredictError('CARD_INVALID', `The model card ${JSON.stringify(url)} is not valid JSON: ${(e as Error).message}`);
  }
  return validateCard(json, url);
}

/** The `backend` attribute as loadModel's option; loadModel checks the names (and lists the valid ones). */
function parseBackend(value: string | undefined): BackendOption | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const list = value.split(/[\s,]+/).filter(Boolean);
  return list.length === 1 ? (list[0] as BackendName) : (list as BackendName[]);
}

async function resolveSource(spec: SourceSpec, givenCard: ModelCard | undefined, signal: AbortSignal): Promise<ResolvedSource> {
  if (spec.src) {
    let url: string;
    try {
      url = new URL(spec.src, document.baseURI).href;
    } catch {
      throw new MlPredictError('INVALID_ARGUMENT', `The src ${JSON.stringify(spec.src)} of <ml-predict> is not a valid URL.`);
    }
    return { url, integrity: spec.integrity || undefined, version: undefined, name: undefined, card: undefined, cardUrl: cardUrlFor(url) };
  }
  // A registry: the model by name (or the default one), with its integrity and checked card.
  const registry = await openRegistry(spec.registry!, { signal });
  const r = registry.resolve(spec.modelName || undefined, spec.version || undefined);
  const card = givenCard ? undefined : await registry.card(r.name, r.version, { signal });
  return { url: r.url, integrity: r.integrity, version: r.version, name: r.name, card, cardUrl: undefined };
}

/**
 * Loads the model `spec` names (`src`, else `registry`; the caller checks that one is set). The
 * card is the given one, else the registry's, else the one beside `src` (none when absent).
 * `onCard` reports the fetched card before the model loads, and undefined again when the model
 * refuses it (CARD_INVALID); `onProgress` is not called once `signal` has aborted. Rejects with
 * loadModel's errors, CARD_INVALID for a broken card, or ABORTED once `signal` aborts (a model
 * that arrives after the abort is disposed).
 */
export async function loadSource(spec: SourceSpec, options: LoadSourceOptions): Promise<Model> {
  const { card: given, signal } = options;
  const source = await resolveSource(spec, given, signal);
  const fetched = given ? undefined : (source.card ?? (source.cardUrl ? await fetchCard(source.cardUrl, signal) : undefined));
  throwIfAborted(signal);
  options.onCard(fetched);
  let model: Model;
  try {
    model = await loadModel(source.url, {
      backend: parseBackend(spec.backend),
      integrity: source.integrity,
      version: source.version,
      name: source.name,
      signal,
      card: given ?? fetched ?? false,
      onProgress: (p) => {
        if (!signal.aborted) options.onProgress(p);
      },
    });
  } catch (e) {
    if (!signal.aborted && isMlPredictError(e, 'CARD_INVALID')) options.onCard(undefined);
    throw e;
  }
  if (signal.aborted) void model.dispose();
  throwIfAborted(signal);
  return model;
}
