/**
 * dispose() while the model's calls are in flight: it settles at once, the calls reject with
 * DISPOSED (a run inside onnxruntime is stopped by ending its worker), and the page's other
 * models and the next loads work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { setShareStopFlags } from '../../lib/worker/host.js';
import { MODES, startWorkersSharing } from './call-modes.js';
import { inputRows, linearClassifierModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, rejection, trackRuntimeWorkers, uniqueName, type RuntimeWorkers } from '../helpers.js';
import { FOREVER, loopModel, sleep, trips, within } from '../backend/run-models.js';

let workers: RuntimeWorkers;
beforeAll(() => {
  workers = trackRuntimeWorkers();
});
afterAll(() => {
  workers.restore();
  setShareStopFlags(true);
});

const x = { x: inputRows(2, 4) };

describe.each(MODES)('dispose() during calls ($name)', ({ share }) => {
  beforeAll(() => startWorkersSharing(share));
  it('dispose() during a run that never ends settles; the running and queued calls reject DISPOSED; another model and a fresh load work', async () => {
    const other = await within(20_000, loadModel(sigmoidModel(), { backend: 'wasm' }));
    const expected = Array.from((await other.predict(x)).y!.data as Float32Array);
    const loop = await within(20_000, loadModel(loopModel(), { backend: 'wasm' }));
    const running = loop.predict(trips(FOREVER));
    const queued = [loop.predict(trips(3n)), loop.predict(trips(5n))];
    const errors = [running, ...queued].map((call) => rejection(call));
    await sleep(500);
    await within(5_000, loop.dispose(), 'dispose()');
    for (const pending of errors) {
      const err = await within(5_000, pending);
      expect(err.code).toBe('DISPOSED');
      expect(err.message).toMatch(/Model "model" was disposed during the call/);
    }
    expect((await rejection(loop.predict(trips(3n)))).code).toBe('DISPOSED');
    expect(Array.from((await within(20_000, other.predict(x))).y!.data as Float32Array)).toEqual(expected);
    const fresh = await within(20_000, loadModel(linearClassifierModel(), { backend: 'wasm' }));
    expect((await within(10_000, fresh.predict({ features: inputRows(1, 3) }))).probabilities!.dims).toEqual([1, 3]);
    await Promise.all([fresh.dispose(), other.dispose()]);
  });

  it('calls still waiting when the model is disposed reject DISPOSED without ending the worker', async () => {
    const loop = await within(20_000, loadModel(loopModel(), { backend: 'wasm' }));
    const busy = await within(20_000, loadModel(loopModel(), { backend: 'wasm', name: 'busy' }));
    const worker = workers.created.at(-1)!;
    // About a second of work in the worker (1.5 µs a turn here): the loop's calls wait behind it.
    const long = busy.predict(trips(700_000n));
    await sleep(50);
    const waiting = Array.from({ length: 20 }, () => loop.predict(trips(3n)));
    const settled = Promise.allSettled(waiting);
    await sleep(50);
    await within(5_000, loop.dispose(), 'dispose()');
    for (const o of await within(5_000, settled)) expect(o.status === 'rejected' && (o.reason as { code: string }).code).toBe('DISPOSED');
    expect(Array.from((await within(20_000, long)).y!.data as Float32Array)).toEqual([2]);
    expect(workers.ended.has(worker)).toBe(false);
    expect(Array.from((await within(10_000, busy.predict(trips(3n)))).y!.data as Float32Array)).toEqual([1.75]);
    await busy.dispose();
  });

  it('disposing one of two handles of a shared session stops only its own calls', async () => {
    const url = await putFile(uniqueName('dispose-shared'), loopModel());
    const [a, b] = await within(20_000, Promise.all([loadModel(url, { backend: 'wasm' }), loadModel(url, { backend: 'wasm' })]));
    const fromB = b.predict(trips(5n));
    const fromA = a.predict(trips(3n)).then((o) => Array.from(o.y!.data as Float32Array), (e: { code: string }) => e.code);
    await within(5_000, a.dispose());
    expect(Array.from((await within(10_000, fromB)).y!.data as Float32Array)).toEqual([1.9375]);
    const outcome = await within(10_000, fromA);
    expect([[1.75], 'DISPOSED']).toContainEqual(outcome);
    expect(Array.from((await within(10_000, b.predict(trips(3n)))).y!.data as Float32Array)).toEqual([1.75]);
    await b.dispose();
  });
});
