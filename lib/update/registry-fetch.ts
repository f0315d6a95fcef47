/**
 * How a managed model reads its registry: a revalidating request (ETag) that reports offline and
 * unchanged as states rather than errors, and the parse of a changed document.
 */
import { MlPredictError, quote } from '../errors.js';
import { registryFromDocument, type Registry } from '../model/registry.js';

/** The registry's state: 'offline' (no request possible or it failed), 'unchanged' (HTTP 304), or its new text. */
export type RegistryFetch = { status: 'offline' | 'unchanged' } | { status: 'changed'; text: string; etag?: string };

/**
 * Revalidates `url` with `etag`. Resolves 'offline' when the browser is offline or the request
 * fails; rejects FETCH_FAILED on an HTTP error status.
 */
export async function fetchRegistry(url: string, etag: string | undefined): Promise<RegistryFetch> {
  // The browser knows it is offline: don't even try (a request would only be refused).
  if (globalThis.navigator?.onLine === false) return { status: 'offline' };
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache', headers: etag ? { 'if-none-match': etag } : {} });
  } catch {
    return { status: 'offline' };
  }
  if (res.status === 304) return { status: 'unchanged' };
  if (!res.ok) throw new MlPredictError('FETCH_FAILED', `Could not revalidate registry ${quote(url)}: HTTP ${res.status}.`);
  return { status: 'changed', text: await res.text(), etag: res.headers.get('etag') ?? undefined };
}

/** Parses and validates a registry document; rejects REGISTRY_INVALID when it is not JSON or not a registry. */
export function parseRegistry(url: string, text: string): Registry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MlPredictError('REGISTRY_INVALID', `The registry at ${quote(url)} is not valid JSON: ${(e as Error).message}.`);
  }
  return registryFromDocument(url, json);
}
