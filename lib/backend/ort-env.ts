/**
 * Loads the onnxruntime-web build a backend needs, lazily and once: `onnxruntime-web/wasm`
 * (CPU) or `onnxruntime-web/webgpu`. Both find their .wasm/.mjs through import.meta.url, so a
 * bundler emits them on our own origin; nothing is ever fetched from a CDN.
 */
import type * as Ort from 'onnxruntime-web';
import type { BackendName } from '../types.js';

export type OrtModule = typeof Ort;

const builds = new Map<BackendName, Promise<OrtModule>>();

function importBuild(backend: BackendName): Promise<OrtModule> {
  return backend === 'webgpu'
    ? (import('onnxruntime-web/webgpu') as Promise<OrtModule>)
    : (import('onnxruntime-web/wasm') as Promise<OrtModule>);
}

/**
 * onnxruntime's .wasm compiled once per page and shared by our workers. onnxruntime instantiates
 * its .wasm with `WebAssembly.instantiateStreaming`, which would compile the 14 MB build again
 * in every worker (seconds of CPU on a small machine, and slower code until V8 has optimised it
 * again). A compiled `WebAssembly.Module` can be posted to another worker of the page and shares its
 * machine code, optimised code included. So this worker's `instantiateStreaming` instantiates a
 * module the page handed over (`useCompiled`) when the response is the same file (same URL,
 * ETag or Last-Modified, and length), and records the modules it compiled (`compiledModules`)
 * for the page to hand on; when a handed-over module does not instantiate, it compiles the
 * response. Installed only in our own workers, never on a page.
 */
const compiled = new Map<string, WebAssembly.Module>();
/** How this worker got each build's module: compiled here, or handed over by the page. */
const origin = new Map<string, 'compiled' | 'shared'>();
let sharing = false;

function shareCompiledWasm(): void {
  if (sharing || typeof WebAssembly.instantiateStreaming !== 'function') return;
  sharing = true;
  const original = WebAssembly.instantiateStreaming.bind(WebAssembly);
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    // The URL and what the server says of the file's version: a file changed under the same URL
    // is compiled anew.
    const h = response.headers;
    const key = response.url ? `${response.url} ${h.get('etag') ?? h.get('last-modified') ?? ''} ${h.get('content-length') ?? ''}`.trim() : '';
    const known = key ? compiled.get(key) : undefined;
    if (known) {
      try {
        const instance = await WebAssembly.instantiate(known, imports);
        void response.body?.cancel().catch(() => undefined);
        origin.set(key, 'shared');
        return { module: known, instance };
      } catch {
        compiled.delete(key);
      }
    }
    const result = await original(response, imports);
    if (key) {
      compiled.set(key, result.module);
      origin.set(key, 'compiled');
    }
    return result;
  };
}

/** Modules compiled elsewhere on the page (by file), for this worker's builds to instantiate. */
export function useCompiled(modules: Readonly<Record<string, WebAssembly.Module>> | undefined): void {
  for (const [file, module] of Object.entries(modules ?? {})) if (module instanceof WebAssembly.Module) compiled.set(file, module);
}

/** The onnxruntime modules this worker has, by file, for the page to hand to its next workers. */
export function compiledModules(): Record<string, WebAssembly.Module> {
  return Object.fromEntries(compiled);
}

/** For each onnxruntime .wasm this worker instantiated (by file): compiled here or shared by the page. */
export function wasmOrigins(): Record<string, 'compiled' | 'shared'> {
  return Object.fromEntries(origin);
}

/** The onnxruntime build for a backend, configured for `threads` WebAssembly threads. */
export async function ortFor(backend: BackendName, threads: number): Promise<OrtModule> {
  let p = builds.get(backend);
  if (!p) {
    shareCompiledWasm();
    p = importBuild(backend).then((ort) => {
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort;
    });
    builds.set(backend, p);
    p.catch(() => builds.delete(backend));
  }
  return p;
}

/** The execution providers to ask onnxruntime for, per backend. */
export function executionProviders(backend: BackendName): string[] {
  return backend === 'webgpu' ? ['webgpu'] : ['wasm'];
}
