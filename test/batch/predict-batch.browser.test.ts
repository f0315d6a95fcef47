/**
 * model.predictBatch in real Chromium: equal to one predict, order kept over a pool of two
 * sessions (the model's own + an extra runtime worker that reads the model from the cache),
 * progress in rows, abort → ABORTED.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/model/load.js';
import type { Model, Outputs } from '../../lib/types.js';
import { defaultWorkers, Pool, runOrdered, threadsPerWorker, WorkerReserve, type Slot } from '../../lib/batch/pool.js';
import { defaultBatchSize } from '../../lib/batch/predict-batch.js';
import { internalsOf } from '../../lib/model/internals.js';
import { inputRows, linearClassifierModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, rejection, requestCount, trackRuntimeWorkers, uniqueName } from '../helpers.js';

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
      'Unknown option "worker" for predictBatch(). Expected one of: "batchSize", "workers", "keepWorkers", "signal", "onProgress".',
    );
    expect((await rejection(model.predictBatch({ x: inputRows(2, 4) }, { keepWorkers: -1 }))).message).toBe(
      'Option "keepWorkers" of predictBatch() is -1. Expected milliseconds from 0 to 3600000.',
    );
    const bad = await rejection(model.predictBatch({ x: [[1, 2, 3, 4], [1, 2, 3]] }));
    expect(bad.code).toBe('INPUT_MISMATCH');
    await model.dispose();
    expect((await rejection(model.predictBatch({ x: inputRows(2, 4) }))).code).toBe('DISPOSED');
  });
});

/** Runs `fn`, counting the runtime workers it starts; `live()` tells how many of those have not ended since. */
async function countWorkers<T>(fn: () => Promise<T>): Promise<{ result: T; started: number; live: () => number }> {
  const workers = trackRuntimeWorkers();
  try {
    const result = await fn();
    return { result, started: workers.created.length, live: workers.live };
  } finally {
    workers.restore();
  }
}

describe('batch workers between batches', () => {
  it('keeps the extra workers for the next batch (no new worker starts), ends them on dispose', async () => {
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm', threads: 1 }));
    const rows = inputRows(4000, 4, 3);
    const whole = await model.predict({ x: rows });
    const first = await countWorkers(() => model.predictBatch({ x: rows }, { batchSize: 100, workers: 2 }));
    expectClose(first.result, whole);
    // One extra worker, or two when the model's session runs more threads than its share (the
    // runtime worker's thread count is set by its first load). They finish starting (a short
    // batch may end first) and wait in the reserve.
    const extras = model.info.threads > 1 ? 2 : 1;
    expect(first.started).toBe(extras);
    const reserve = internalsOf(model)!.batchWorkers as WorkerReserve;
    await expect.poll(() => reserve.size, { timeout: 30_000 }).toBe(extras);
    const second = await countWorkers(() => model.predictBatch({ x: rows }, { batchSize: 100, workers: 2 }));
    expectClose(second.result, whole);
    expect(second.started).toBe(0);
    expect(reserve.size).toBe(extras);
    await model.dispose();
    expect(reserve.size).toBe(0);
  });

  it('keepWorkers: 0 ends the extra workers with the batch; a failed batch ends them too', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm', threads: 1 });
    const rows = inputRows(3000, 4, 4);
    const done = await countWorkers(() => model.predictBatch({ x: rows }, { batchSize: 100, workers: 2, keepWorkers: 0 }));
    expect(done.started).toBe(1);
    // A worker still starting when the batch ended ends once it is ready.
    await expect.poll(done.live, { timeout: 30_000 }).toBe(0);
    // A kept worker is in the reserve when the failed batch starts: it ends with that batch too.
    await model.predictBatch({ x: rows }, { batchSize: 100, workers: 2 });
    const reserve = internalsOf(model)!.batchWorkers as WorkerReserve;
    await expect.poll(() => reserve.size, { timeout: 30_000 }).toBe(1);
    const kept = reserve.take(1)!;
    reserve.keep(kept, 60_000);
    const controller = new AbortController();
    const failed = await countWorkers(() =>
      rejection(
        model.predictBatch({ x: rows }, { batchSize: 10, workers: 3, signal: controller.signal, onProgress: (p) => p.done >= 500 && controller.abort() }),
      ),
    );
    expect(failed.result.code).toBe('ABORTED');
    expect(kept.dead).toBe(true);
    expect(reserve.size).toBe(0);
    await expect.poll(failed.live, { timeout: 30_000 }).toBe(0);
    await model.dispose();
  });

  it('a kept worker that died while it waited is not used: the next batch starts a new one', async () => {
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm', threads: 1 }));
    const rows = inputRows(3000, 4, 6);
    await model.predictBatch({ x: rows }, { batchSize: 100, workers: 2 });
    const reserve = internalsOf(model)!.batchWorkers as WorkerReserve;
    await expect.poll(() => reserve.size, { timeout: 30_000 }).toBe(1);
    // Kill the kept worker behind the reserve's back (as a crash would).
    const kept = reserve.take(1)!;
    kept.close();
    reserve.keep(kept, 60_000);
    expect(reserve.size).toBe(1);
    const next = await countWorkers(() => model.predictBatch({ x: rows }, { batchSize: 100, workers: 2 }));
    expectClose(next.result, await model.predict({ x: rows }));
    expect(next.started).toBe(1);
    await model.dispose();
  });

  it('a kept worker ends after keepWorkers ms', async () => {
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm', threads: 1 }));
    await model.predictBatch({ x: inputRows(3000, 4, 5) }, { batchSize: 100, workers: 2, keepWorkers: 300 });
    const reserve = internalsOf(model)!.batchWorkers as WorkerReserve;
    await expect.poll(() => reserve.size, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => reserve.size, { timeout: 5_000 }).toBe(0);
    await model.dispose();
  });

  it('shares the cores out: default sessions = cores ÷ the model threads, extra workers get cores ÷ sessions threads', () => {
    const cores = navigator.hardwareConcurrency;
    expect(defaultWorkers(cores)).toBe(1);
    expect(defaultWorkers(1)).toBe(Math.min(4, cores));
    expect(threadsPerWorker(1, cores)).toBe(cores);
    expect(threadsPerWorker(cores, cores)).toBe(1);
    expect(threadsPerWorker(1, 1)).toBe(1); // never more than the model's own
    expect(threadsPerWorker(64, 4)).toBe(1);
    // About 8 chunks per session, from 1,024 to 16,384 rows.
    expect(defaultBatchSize(100_000, 2)).toBe(6250);
    expect(defaultBatchSize(1000, 2)).toBe(1024);
    expect(defaultBatchSize(10_000_000, 1)).toBe(16_384);
  });

  it('a model session with more threads than its share works only until the extra workers are ready', async () => {
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm', threads: 2 }));
    const pool = new Pool({ model, request: internalsOf(model)!.request, size: 2, threads: 1, own: 'until-ready' });
    expect(pool.size).toBe(1); // the model's own session, at once
    // Both workers ready: the model's own session stepped aside.
    await expect.poll(() => pool.labels.sort(), { timeout: 30_000 }).toEqual(['worker 1', 'worker 2']);
    const used = new Set<string>();
    let next = 0;
    await runOrdered<number, Outputs>({
      pool,
      next: () => (next < 20 ? next++ : undefined),
      exec: (slot, i, signal) => {
        used.add(slot.label);
        return slot.run({ x: { data: new Float32Array(4).fill(i), dims: [1, 4] } }, signal);
      },
      deliver: () => undefined,
    });
    pool.close();
    expect([...used].sort()).toEqual(['worker 1', 'worker 2']);
    await model.dispose();
  });
});

describe('batch pool', () => {
  it('spreads chunks over the model session and an extra worker, delivers them in order; the worker reads the model from the cache', async () => {
    const name = uniqueName('pool-sigmoid');
    const url = await putFile(name, sigmoidModel());
    const model = (await loadModel(url, { backend: 'wasm' }));
    expect(await requestCount(name)).toBe(1);
    const pool = new Pool({ model, request: internalsOf(model)!.request, size: 2 });
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
    const model = (await loadModel(sigmoidModel(), { backend: 'wasm' }));
    const pool = new Pool({ model, request: internalsOf(model)!.request, size: 1, own: false });
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
