import { describe, expect, it } from 'vitest';
import { largeModel } from '../fixtures/models.js';
import { putFile, requestCount, uniqueName } from '../helpers.js';

describe('the main thread', () => {
  it('importing the package does nothing: no worker, no request, no global changed', async () => {
    const workers: unknown[] = [];
    const fetches: unknown[] = [];
    const OriginalWorker = globalThis.Worker;
    const originalFetch = globalThis.fetch;
    globalThis.Worker = class extends OriginalWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        workers.push(url);
      }
    };
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      fetches.push(args[0]);
      return originalFetch(...args);
    };
    const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
    const loadStarted = performance.now();
    try {
      const lib = await import('../../lib/index.js');
      expect(typeof lib.loadModel).toBe('function');
    } finally {
      globalThis.Worker = OriginalWorker;
      globalThis.fetch = originalFetch;
    }
    expect(workers).toEqual([]);
    expect(fetches).toEqual([]);
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !globalsBefore.has(k));
    expect(added).toEqual([]);
    const loaded = performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime >= loadStarted)
      .map((e) => e.name)
      .filter((n) => !/\.(ts|js|mjs)(\?|$)/.test(n) || /\.wasm|onnxruntime|runtime\.ts/.test(n));
    expect(loaded).toEqual([]);
  });

  it('loading a 5 MB model and predicting 100 times runs in the worker: the page fetches no model byte and compiles no WebAssembly', async () => {
    const bytes = largeModel(1300);
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const name = uniqueName('large');
    const url = await putFile(name, bytes);
    const { loadModel } = await import('../../lib/index.js');
    // Everything the page could do with the model's bytes or onnxruntime, counted while the
    // model loads and predicts.
    const calls: string[] = [];
    const originalFetch = globalThis.fetch;
    const wasm = WebAssembly as unknown as Record<string, unknown>;
    const spied = ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming', 'Module', 'Instance'] as const;
    const originals = spied.map((k) => wasm[k]);
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      calls.push(`fetch ${String(args[0] instanceof Request ? args[0].url : args[0])}`);
      return originalFetch(...args);
    };
    spied.forEach((k, i) => {
      const original = originals[i] as (...a: unknown[]) => unknown;
      wasm[k] = new Proxy(original, {
        apply: (target, self, args) => (calls.push(`WebAssembly.${k}`), Reflect.apply(target, self, args)),
        construct: (target, args) => (calls.push(`new WebAssembly.${k}`), Reflect.construct(target, args)),
      });
    });
    // Entries are compared by start time: Firefox may list the PUT above only after this line.
    const loadStarted = performance.now();
    const x = { data: new Float32Array(1000).fill(0.5), dims: [1, 1000] };
    let model;
    try {
      model = await loadModel(url, { backend: 'wasm', cache: 'none' });
      for (let i = 0; i < 100; i++) expect((await model.predict({ x })).y!.dims).toEqual([1, 1300]);
    } finally {
      globalThis.fetch = originalFetch;
      spied.forEach((k, i) => (wasm[k] = originals[i]));
    }
    expect(model.info.bytes).toBe(bytes.length);
    expect(calls).toEqual([]);
    // The page loaded nothing (no model, no onnxruntime file); the worker fetched the model, once.
    const loaded = performance.getEntriesByType('resource').filter((e) => e.startTime >= loadStarted).map((e) => e.name);
    expect(loaded.filter((n) => n.includes(name) || /onnxruntime|ort-wasm/.test(n))).toEqual([]);
    expect(await requestCount(name)).toBe(1);
    await model.dispose();
  });
});
