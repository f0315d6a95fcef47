/**
 * model.predictBatch in real Chromium: equal to one predict, order kept over a pool of two
 * sessions (the model's own + an extra runtime worker that reads the model from the cache),
 * progress in rows, abort → ABORTED.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/model/load.js';
import type { Model, Outputs } from '../../lib/types.js';
import { Pool, runOrdered, type Slot } from '../../lib/batch/pool.js';
import type { PoolableModel } from '../../lib/batch/predict-batch.js';
import { inputRows, linearClassifierModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, rejection, requestCount, uniqueName } from '../helpers.js';

function expectClose(a: Outputs, b: Outputs): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(a)) {
    expect(a[name]!.dims, name).toEqual(b[name]!.dims);
    expect(a[name]!.type, name).toBe(b[name]!.type);
    const x = Array.from(a[name]!.data as ArrayLike<number | bigint>, Number);
    const y = Array.from(b[name]!.data as ArrayLike<number | bigint>, Number);
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]! - y[i]!) > 1e-6) expect(x[i], `${name}[${i}]`).toBe(y[i]);
  }
}

describe('model.predictBatch', () => {
  it('equals one predict on all rows (2 workers, chunks of 700 rows, a ragged last chunk)', async () => {
    const model = await loadModel(linearClassifierModel(), { backend: 'wasm' });
    const rows = inputRows(5000, 3, 21);
    const batch = await model.predictBatch({ features: rows }, { batchSize: 700, workers: 2 });
    const whole = await model.predict({ features: rows });
    expectClose(batch, whole);
    expect(batch.probabilities!.dims).toEqual([5000, 3]);
    // Rows as number[][] for a one-input model give the same.
    expectClose(await model.predictBatch(rows.slice(0, 10), { batchSize: 3 }), await model.predict({ features: rows.slice(0, 10) }));
    await model.dispose();
  });

  it('reports progress in rows, forwards only, ending at the total', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const seen: Array<{ done: number; total: number }> = [];
    await model.predictBatch({ x: inputRows(1000, 4) }, { batchSize: 300, workers: 1, onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([
      { done: 300, total: 1000 },
      { done: 600, total: 1000 },
      { done: 900, total: 1000 },
      { done: 1000, total: 1000 },
    ]);
    await model.dispose();
  });

  it('abort → ABORTED, and the model still predicts afterwards', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const controller = new AbortController();
    const rows = inputRows(20_000, 4);
    const p = model.predictBatch({ x: rows }, { batchSize: 100, workers: 2, signal: controller.signal, onProgress: () => controller.abort() });
    const err = await rejection(p);
    expect(err.code).toBe('ABORTED');
    const out = await model.predict({ x: rows.slice(0, 2) });
    expect(out.y!.dims).toEqual([2, 2]);
    // Already aborted: rejects at once.
    expect((await rejection(model.predictBatch({ x: rows }, { signal: controller.signal }))).code).toBe('ABORTED');
    await model.dispose();
  });

  it('refuses bad options and inputs before any work, naming the problem', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    expect((await rejection(model.predictBatch({ x: inputRows(2, 4) }, { batchSize: 0 }))).message).toBe(
      'Option "batchSize" of predictBatch() is 0. Expected an integer from 1 to 1000000.',
    );
    expect((await rejection(model.predictBatch({ x: inputRows(2, 4) }, { worker: 2 } as never))).message).toContain(
      'Unknown option "worker" for predictBatch(). Expected one of: "batchSize", "workers", "signal", "onProgress".',
    );
    const bad = await rejection(model.predictBatch({ x: [[1, 2, 3, 4], [1, 2, 3]] }));
    expect(bad.code).toBe('INPUT_MISMATCH');
    await model.dispose();
    expect((await rejection(model.predictBatch({ x: inputRows(2, 4) }))).code).toBe('DISPOSED');
  });
});

describe('batch pool', () => {
  it('spreads chunks over the model session and an extra worker, delivers them in order; the worker reads the model from the cache', async () => {
    const name = uniqueName('pool-sigmoid');
    const url = await putFile(name, sigmoidModel());
    const model = (await loadModel(url, { backend: 'wasm' })) as PoolableModel;
    expect(await requestCount(name)).toBe(1);
    const pool = new Pool({ model, request: model.shared!.request, size: 2 });
    await expect.poll(() => pool.size, { timeout: 30_000 }).toBe(2);
    expect(await requestCount(name)).toBe(1); // the extra worker's load came from IndexedDB

    const rows = inputRows(400, 4, 5);
    const used = new Set<string>();
    const delivered: number[] = [];
    let next = 0;
    await runOrdered<number, Outputs>({
      pool,
      next: () => (next < 8 ? next++ : undefined),
      exec: (slot: Slot, i, signal) => {
        used.add(slot.label);
        return slot.run({ x: { data: Float32Array.from(rows.slice(i * 50, i * 50 + 50).flat()), dims: [50, 4] } }, signal);
      },
      deliver: async (i, out) => {
        delivered.push(i);
        expectClose(out, await model.predict({ x: rows.slice(i * 50, i * 50 + 50) }));
      },
    });
    pool.close();
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...used].sort()).toEqual(['model', 'worker 1']);
    await model.dispose();
  });

  it('without the model session (own: false), the pool is one-thread extra workers only', async () => {
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm' })) as PoolableModel;
    const pool = new Pool({ model, request: model.shared!.request, size: 1, own: false });
    const used = new Set<string>();
    let next = 0;
    const rows = inputRows(20, 4, 8);
    await runOrdered<number, Outputs>({
      pool,
      next: () => (next < 4 ? next++ : undefined),
      exec: (slot, i, signal) => {
        used.add(slot.label);
        return slot.run({ x: { data: Float32Array.from(rows.slice(i * 5, i * 5 + 5).flat()), dims: [5, 4] } }, signal);
      },
      deliver: async (i, out) => expectClose(out, await model.predict({ x: rows.slice(i * 5, i * 5 + 5) })),
    });
    pool.close();
    expect([...used]).toEqual(['worker 1']);
    await model.dispose();
  });

  it('a failing chunk rejects the run with its error and stops the others', async () => {
    const model: Model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const pool = new Pool({ model, request: undefined, size: 1 });
    let next = 0;
    const err = await rejection(
      runOrdered<number, Outputs>({
        pool,
        next: () => (next < 100 ? next++ : undefined),
        exec: (slot, i, signal) => slot.run({ x: { data: new Float32Array(i === 3 ? 3 : 4), dims: [1, 4] } }, signal),
        deliver: () => undefined,
      }),
    );
    expect(err.code).toBe('INPUT_MISMATCH');
    expect(next).toBeLessThan(100);
    pool.close();
    await model.dispose();
  });
});
