import { describe, expect, it } from 'vitest';
import { largeModel } from './fixtures/models.js';
import { putFile, uniqueName } from './helpers.js';

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
    const resourcesBefore = performance.getEntriesByType('resource').length;
    try {
      const lib = await import('../lib/index.js');
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
      .slice(resourcesBefore)
      .map((e) => e.name)
      .filter((n) => !/\.(ts|js|mjs)(\?|$)/.test(n) || /\.wasm|onnxruntime|runtime\.ts/.test(n));
    expect(loaded).toEqual([]);
  });

  it('no long task (> 50 ms) while loading a 5 MB model and predicting 100 times', async () => {
    const bytes = largeModel(1300);
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const url = await putFile(uniqueName('large'), bytes);
    const { loadModel } = await import('../lib/index.js');
    // Warm the worker and onnxruntime once, so the measured run is a model load, not a first import.
    const warm = await loadModel(largeModel(4), { backend: 'wasm' });
    const longTasks: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
    observer.observe({ type: 'longtask' });
    const x = { data: new Float32Array(1000).fill(0.5), dims: [1, 1000] };
    const model = await loadModel(url, { backend: 'wasm', cache: 'none' });
    expect(model.info.bytes).toBe(bytes.length);
    for (let i = 0; i < 100; i++) {
      const out = await model.predict({ x });
      expect(out.y!.dims).toEqual([1, 1300]);
    }
    // Long-task entries are queued; a macrotask later every one that happened has been delivered.
    await new Promise((r) => setTimeout(r, 0));
    observer.takeRecords().forEach((e) => longTasks.push(e));
    observer.disconnect();
    expect(longTasks.map((t) => Math.round(t.duration))).toEqual([]);
    await Promise.all([model.dispose(), warm.dispose()]);
  });
});
