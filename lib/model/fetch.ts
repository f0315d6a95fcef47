/**
 * Streamed download of model bytes with progress, cancellation and resumption (Range). Runs in
 * the worker. A body shorter than its content-length is an error, never a "complete" model.
 */
import { abortError, MlPredictError } from '../errors.js';

export interface Download {
  response: Response;
  /** Bytes of the whole file when known (content-length, or content-range for a resumed body). */
  total: number | undefined;
  /** Where this body starts in the file: > 0 when the server honoured a Range request. */
  offset: number;
  /** The server accepts Range requests for this file. */
  ranges: boolean;
  etag?: string;
  lastModified?: string;
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** Ask for the file from this byte on (resume); `validator` is the stored ETag or Last-Modified. */
  resume?: { from: number; validator: string };
}

function failed(name: string, url: string, why: string, details: Record<string, unknown> = {}, cause?: unknown): MlPredictError {
  return new MlPredictError('FETCH_FAILED', `Could not download model "${name}" from ${url}: ${why}`, { url, ...details }, { cause });
}

export async function openDownload(url: string, name: string, options: OpenOptions = {}): Promise<Download> {
  const { signal, resume } = options;
  const headers: Record<string, string> = {};
  if (resume) {
    headers.range = `bytes=${resume.from}-`;
    headers['if-range'] = resume.validator;
  }
  let response: Response;
  try {
    response = await fetch(url, { signal, headers, cache: 'no-store' });
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    const why = e instanceof Error ? e.message : String(e);
    throw failed(name, url, `${why} (offline, blocked by CORS, or the server is unreachable).`, {}, e);
  }
  if (!response.ok) {
    throw failed(name, url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`, { status: response.status });
  }
  const lengthHeader = response.headers.get('content-length');
  // With content-encoding the length counts compressed bytes, not what the stream yields.
  const length =
    lengthHeader !== null && !response.headers.get('content-encoding') && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  let offset = 0;
  let total = length;
  if (resume && response.status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (m && Number(m[1]) === resume.from) {
      offset = resume.from;
      total = m[2] === '*' ? undefined : Number(m[2]);
    } else {
      await response.body?.cancel();
      throw failed(name, url, `the server answered the resume request with an unexpected range (${response.headers.get('content-range')}).`);
    }
  }
  return {
    response,
    total,
    offset,
    ranges: response.headers.get('accept-ranges') === 'bytes' || response.status === 206,
    etag: response.headers.get('etag') ?? undefined,
    lastModified: response.headers.get('last-modified') ?? undefined,
  };
}

/**
 * Reads a download's body, handing each piece to `onData` (awaited: a slow store slows the
 * download, nothing piles up) and reporting bytes of the whole file so far.
 */
export async function readBody(
  d: Download,
  name: string,
  url: string,
  options: { signal?: AbortSignal; onData: (chunk: Uint8Array) => void | Promise<void>; onProgress?: (loaded: number, total: number | undefined) => void },
): Promise<number> {
  const { signal, onData, onProgress } = options;
  let loaded = d.offset;
  onProgress?.(loaded, d.total);
  try {
    if (!d.response.body) {
      const buf = new Uint8Array(await d.response.arrayBuffer());
      await onData(buf);
      loaded += buf.length;
    } else {
      const reader = d.response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await onData(value);
        loaded += value.length;
        onProgress?.(loaded, d.total);
      }
    }
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    if (e instanceof MlPredictError) throw e;
    const of = d.total !== undefined ? ` of ${d.total}` : '';
    throw failed(name, url, `the download broke off after ${loaded}${of} bytes (${e instanceof Error ? e.message : String(e)}).`, {
      loaded,
      total: d.total,
    }, e);
  }
  if (d.total !== undefined && loaded !== d.total) {
    throw failed(name, url, `the download is incomplete: received ${loaded} of ${d.total} bytes.`, { loaded, total: d.total });
  }
  return loaded;
}

/** Downloads a whole file into memory. */
export async function fetchModelBytes(
  url: string,
  name: string,
  options: { signal?: AbortSignal; onProgress?: (loaded: number, total: number | undefined) => void } = {},
): Promise<Uint8Array> {
  const d = await openDownload(url, name, options);
  const parts: Uint8Array[] = [];
  const loaded = await readBody(d, name, url, { ...options, onData: (c) => void parts.push(c) });
  return concat(parts, loaded);
}

export function concat(parts: readonly Uint8Array[], length = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
