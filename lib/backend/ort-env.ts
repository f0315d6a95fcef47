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

/** The onnxruntime build for a backend, configured for `threads` WebAssembly threads. */
export async function ortFor(backend: BackendName, threads: number): Promise<OrtModule> {
  let p = builds.get(backend);
  if (!p) {
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
