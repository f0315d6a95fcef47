import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { runtimeWorker, setIdleTimeout } from '../../lib/worker/host.js';
import { inputRows, linearClassifierModel, sigmoidModel } from '../fixtures/models.js';
import { pageErrors, rejection, trackRuntimeWorkers, type RuntimeWorkers } from '../helpers.js';

// Every runtime worker the library starts, so the test can count them and kill one as a crash would.
let workers: RuntimeWorkers;
beforeAll(() => {
  workers = trackRuntimeWorkers();
});
afterAll(() => {
  workers.restore();
  setIdleTimeout(2000);
});

describe('the runtime worker', () => {
  it('a worker killed during a call rejects it with WORKER_CRASHED; the next call works on a new worker', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const worker = workers.created.at(-1)!;
    const pending = model.predict({ x: inputRows(4, 4) });
    // Kill it behind the library's back, as the OS would on OOM.
    workers.kill(worker);
    const err = await rejection(pending);
    expect(err.code).toBe('WORKER_CRASHED');
    const before = workers.created.length;
    const out = await model.predict({ x: inputRows(4, 4) });
    expect(out.y!.dims).toEqual([4, 2]);
    expect(workers.created.length).toBe(before + 1);
    await model.dispose();
  });

  it('runs every model of the page in one worker, and ends it when no session is left', async () => {
    setIdleTimeout(50);
    const start = workers.created.length;
    const a = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const b = await loadModel(linearClassifierModel(), { backend: 'wasm' });
    const worker = workers.created.at(-1)!;
    expect(workers.created.length - start).toBeLessThanOrEqual(1);
    await Promise.all([a.predict({ x: inputRows(1, 4) }), b.predict({ features: inputRows(1, 3) })]);
    await a.dispose();
    expect(workers.ended.has(worker)).toBe(false);
    await b.dispose();
    await expect.poll(() => workers.ended.has(worker), { timeout: 5000 }).toBe(true);
    expect(workers.live()).toBe(0);
    const c = await loadModel(sigmoidModel(), { backend: 'wasm' });
    expect((await c.predict({ x: inputRows(1, 4) })).y!.dims).toEqual([1, 2]);
    await c.dispose();
  });

  it('serialises concurrent predicts on one session and answers each with its own result', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const batches = Array.from({ length: 50 }, (_, i) => inputRows(1 + (i % 5), 4, i));
    // Each batch alone, one after the other: the answers the concurrent calls must match.
    const sequential: Float32Array[] = [];
    for (const x of batches) sequential.push((await model.predict({ x })).y!.data as Float32Array);
    const results = await Promise.all(batches.map((x) => model.predict({ x })));
    results.forEach((r, i) => {
      expect(r.y!.dims).toEqual([1 + (i % 5), 2]);
      expect(Array.from(r.y!.data as Float32Array)).toEqual(Array.from(sequential[i]!));
    });
    await model.dispose();
  });

  it('an abort after the worker has ended rejects the predict with ABORTED and throws nothing elsewhere', async () => {
    const { largeModel } = await import('../fixtures/models.js');
    const model = await loadModel(largeModel(500), { backend: 'wasm' });
    const worker = runtimeWorker(model.info.threads);
    const errors = pageErrors();
    const controller = new AbortController();
    // 200 rows × 1000 × 500: tens of milliseconds of work in the worker, so the call is still
    // running a task later, when the worker is ended and the signal aborts in the same task.
    const x = { data: new Float32Array(200 * 1000).fill(0.5), dims: [200, 1000] };
    const pending = model.predict({ x }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    worker.end();
    controller.abort();
    expect((await rejection(pending)).code).toBe('ABORTED');
    expect(await errors.stop()).toEqual([]);
    // The next call starts a new worker.
    expect((await model.predict({ x: { data: new Float32Array(1000), dims: [1, 1000] } })).y!.dims).toEqual([1, 500]);
    await model.dispose();
  });

  it('leaves the caller’s input arrays usable (inputs are copied, not transferred)', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const data = new Float32Array([1, 2, 3, 4]);
    await model.predict({ x: { data, dims: [1, 4] } });
    expect(data.byteLength).toBe(16);
    expect(Array.from(data)).toEqual([1, 2, 3, 4]);
    // A view into a larger buffer: its own values are predicted, and the buffer stays whole.
    const whole = new Float32Array([9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    const view = whole.subarray(2, 10);
    const out = await model.predict({ x: { data: view, dims: [2, 4] } });
    const rows = await model.predict({ x: [[1, 2, 3, 4], [5, 6, 7, 8]] });
    expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(rows.y!.data as Float32Array));
    expect(whole.byteLength).toBe(48);
    expect(Array.from(whole)).toEqual([9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    await model.dispose();
  });
});

describe('shared sessions', () => {
  it('a load started right after an aborted one of the same model does not inherit the abort', async () => {
    const { putFile, uniqueName } = await import('../helpers.js');
    const { largeModel } = await import('../fixtures/models.js');
    const url = `${await putFile(uniqueName('abort-then-load'), largeModel(300))}?slow=20`;
    const controller = new AbortController();
    const first = loadModel(url, { backend: 'wasm', signal: controller.signal, cache: 'none' });
    controller.abort();
    const second = loadModel(url, { backend: 'wasm', cache: 'none' });
    expect((await rejection(first)).code).toBe('ABORTED');
    const model = await second;
    expect((await model.predict({ x: { data: new Float32Array(1000), dims: [1, 1000] } })).y!.dims).toEqual([1, 300]);
    await model.dispose();
  });

  it('a load that joins a shared load without a signal is one of its waiters: another caller’s abort does not abort it', async () => {
    const { putFile, uniqueName, requestCount } = await import('../helpers.js');
    const { largeModel } = await import('../fixtures/models.js');
    const name = uniqueName('join-then-abort');
    const url = `${await putFile(name, largeModel(300))}?slow=40`;
    const controller = new AbortController();
    const first = loadModel(url, { backend: 'wasm', signal: controller.signal, cache: 'none' });
    const second = loadModel(url, { backend: 'wasm', cache: 'none' });
    // Both have joined the one load (a single request) before the first caller gives up.
    await expect.poll(() => requestCount(name), { timeout: 10_000 }).toBe(1);
    controller.abort();
    expect((await rejection(first)).code).toBe('ABORTED');
    const model = await second;
    expect(await requestCount(name)).toBe(1);
    expect((await model.predict({ x: { data: new Float32Array(1000), dims: [1, 1000] } })).y!.dims).toEqual([1, 300]);
    await model.dispose();
  });

  it('two loads of one URL share one session; the second dispose releases it', async () => {
    const { putFile, uniqueName, requestCount } = await import('../helpers.js');
    const name = uniqueName('shared');
    const url = await putFile(name, sigmoidModel());
    const [a, b] = await Promise.all([loadModel(url, { backend: 'wasm' }), loadModel(url, { backend: 'wasm' })]);
    expect(await requestCount(name)).toBe(1);
    await a.dispose();
    expect((await b.predict({ x: inputRows(1, 4) })).y!.dims).toEqual([1, 2]);
    await b.dispose();
    expect((await rejection(b.predict({ x: inputRows(1, 4) }))).code).toBe('DISPOSED');
  });
});
