/**
 * Stopping a predict that runs in onnxruntime (a Loop that never ends): only ending its worker
 * stops it. The other sessions of that worker are loaded again in a new one and their pending
 * calls sent again, transparently; a call aborted while it still waits does not end the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { setShareStopFlags } from '../../lib/worker/host.js';
import { MODES, startWorkersSharing } from './call-modes.js';
import type { Model, Outputs } from '../../lib/types.js';
import { inputRows, linearClassifierModel, sigmoidModel, softmaxModel } from '../fixtures/models.js';
import { rejection, trackRuntimeWorkers, type RuntimeWorkers } from '../helpers.js';
import { FOREVER, loopModel, sleep, trips, within } from '../backend/run-models.js';

let workers: RuntimeWorkers;
beforeAll(() => {
  workers = trackRuntimeWorkers();
});
afterAll(() => {
  workers.restore();
  setShareStopFlags(true);
});

const x = { x: inputRows(3, 4) };
const values = (out: Outputs, name: string) => Array.from(out[name]!.data as Float32Array);

/** A model that has nothing to do with the tests' loops still loads and predicts right. */
async function knownGoodWorks(): Promise<void> {
  const model = await within(20_000, loadModel(linearClassifierModel(), { backend: 'wasm' }), 'a fresh loadModel');
  const out = await within(10_000, model.predict({ features: inputRows(2, 3) }), 'its predict');
  expect(out.probabilities!.dims).toEqual([2, 3]);
  await within(5_000, model.dispose(), 'its dispose');
}

async function loadBoth(): Promise<{ loop: Model; other: Model; expected: Outputs; worker: Worker }> {
  const other = await within(20_000, loadModel(sigmoidModel(), { backend: 'wasm' }));
  const loop = await within(20_000, loadModel(loopModel(), { backend: 'wasm' }));
  expect(loop.info.threads).toBe(other.info.threads);
  const worker = workers.created.at(-1)!;
  const expected = await within(10_000, other.predict(x));
  return { loop, other, expected, worker };
}

describe.each(MODES)('stopping a call that runs in the worker ($name)', ({ share }) => {
  beforeAll(() => startWorkersSharing(share));
  it('an abort of a run that never ends rejects ABORTED, ends the worker; another model, a fresh loadModel and dispose() work after', async () => {
    const { loop, other, expected, worker } = await loadBoth();
    const controller = new AbortController();
    const running = loop.predict(trips(FOREVER), { signal: controller.signal });
    await sleep(1000);
    controller.abort();
    expect((await within(5_000, rejection(running))).code).toBe('ABORTED');
    expect(workers.ended.has(worker)).toBe(true);
    // The other model, loaded in that worker before the abort, is loaded again in a new one.
    expect(values(await within(20_000, other.predict(x), 'the other model’s predict'), 'y')).toEqual(values(expected, 'y'));
    expect(values(await within(10_000, loop.predict(trips(3n))), 'y')).toEqual([1.75]);
    await knownGoodWorks();
    await within(5_000, loop.dispose(), 'dispose()');
    await within(5_000, other.dispose(), 'dispose()');
  });

  it('timeoutMs stops a run that never ends: ABORTED naming the timeout, and the worker is replaced', async () => {
    const { loop, other, expected, worker } = await loadBoth();
    const err = await within(6_000, rejection(loop.predict(trips(FOREVER), { timeoutMs: 1000 })));
    expect(err.code).toBe('ABORTED');
    expect(err.message).toMatch(/timed out after 1000 ms \(option timeoutMs\)/);
    expect(err.details).toEqual({ timeoutMs: 1000 });
    expect(workers.ended.has(worker)).toBe(true);
    // A timeout that does not fire changes nothing.
    expect(values(await within(20_000, other.predict(x, { timeoutMs: 60_000 })), 'y')).toEqual(values(expected, 'y'));
    await knownGoodWorks();
    await loop.dispose();
    await other.dispose();
  });

  it('calls and loads pending on the worker when it is ended are sent again to a new one and answer right', async () => {
    const { loop, other, expected, worker } = await loadBoth();
    const controller = new AbortController();
    const running = loop.predict(trips(FOREVER), { signal: controller.signal });
    await sleep(300);
    // All of these wait behind the run that never ends.
    const waiting = Array.from({ length: 5 }, () => other.predict(x));
    const queuedLoop = loop.predict(trips(3n));
    const loading = loadModel(softmaxModel(), { backend: 'wasm' });
    await sleep(300);
    controller.abort();
    expect((await within(5_000, rejection(running))).code).toBe('ABORTED');
    expect(workers.ended.has(worker)).toBe(true);
    for (const out of await within(20_000, Promise.all(waiting), 'the pending predicts')) expect(values(out, 'y')).toEqual(values(expected, 'y'));
    expect(values(await within(10_000, queuedLoop), 'y')).toEqual([1.75]);
    const softmax = await within(20_000, loading, 'the pending loadModel');
    expect((await within(10_000, softmax.predict({ x: inputRows(2, 6) }))).p!.dims).toEqual([2, 3]);
    await Promise.all([loop.dispose(), other.dispose(), softmax.dispose()]);
  });

  it('an aborted call still waiting in the worker’s queue does not end the worker, and never runs', async () => {
    const { loop, other, worker } = await loadBoth();
    // About a second of work here (1.5 µs a turn): long enough for the next call to wait behind it.
    const long = loop.predict(trips(700_000n));
    await sleep(50);
    const controller = new AbortController();
    const queued = loop.predict(trips(3n), { signal: controller.signal });
    await sleep(50);
    controller.abort();
    expect((await within(5_000, rejection(queued))).code).toBe('ABORTED');
    expect(workers.ended.has(worker)).toBe(false);
    expect(values(await within(20_000, long), 'y')).toEqual([2]);
    // Had the aborted call run after the long one, the worker would have been ended to stop it.
    expect(values(await within(10_000, loop.predict(trips(3n))), 'y')).toEqual([1.75]);
    expect(workers.ended.has(worker)).toBe(false);
    await loop.dispose();
    await other.dispose();
  });
});

describe.each(MODES)('many calls with random aborts ($name)', ({ share }) => {
  beforeAll(() => startWorkersSharing(share));
  it('1,000 concurrent predicts on two models with random aborts (and runs that never end) all settle; those not aborted equal the sequential results', async () => {
    const { loop, other } = await loadBoth();
    const random = (() => {
      let s = 12345;
      return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    })();
    type Case = { model: 'loop' | 'other'; n: bigint; rows: number; abortAt?: number; forever?: boolean };
    const cases: Case[] = Array.from({ length: 1000 }, (_, i) => ({
      model: i % 2 ? 'loop' : 'other',
      n: BigInt(1 + (i % 40)),
      rows: 1 + (i % 7),
      abortAt: random() < 0.3 ? random() * 1500 : undefined,
    }));
    // Three runs that never end, spread over the calls, each aborted once it blocks the worker.
    for (const at of [100, 450, 800]) cases.splice(at, 0, { model: 'loop', n: FOREVER, rows: 0, forever: true });
    const feeds = (c: Case) => (c.model === 'loop' ? trips(c.n) : { x: inputRows(c.rows, 4, c.rows) });
    const modelOf = (c: Case) => (c.model === 'loop' ? loop : other);
    const sequential = new Map<string, number[]>();
    const keyOf = (c: Case) => `${c.model}:${c.n}:${c.rows}`;
    for (const c of cases) {
      if (c.forever || sequential.has(keyOf(c))) continue;
      sequential.set(keyOf(c), values(await modelOf(c).predict(feeds(c)), 'y'));
    }
    const before = workers.created.length;
    const started = performance.now();
    let lastSettled = performance.now();
    const forever: AbortController[] = [];
    const calls = cases.map((c) => {
      const controller = new AbortController();
      if (c.abortAt !== undefined) setTimeout(() => controller.abort(), c.abortAt);
      if (c.forever) forever.push(controller);
      const call = modelOf(c).predict(feeds(c), { signal: controller.signal });
      return c.forever ? call : call.finally(() => (lastSettled = performance.now()));
    });
    // Calls flowed since the last abort, then nothing settled for 300 ms: a run that never ends
    // blocks the worker (not a reload after a restart). Abort the first one left.
    let abortedAt = 0;
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (lastSettled > abortedAt && now - lastSettled > 300) {
        abortedAt = now;
        forever.shift()?.abort();
      }
    }, 50);
    const settled = await within(90_000, Promise.allSettled(calls), '1,003 predicts').finally(() => clearInterval(watchdog));
    const ms = performance.now() - started;
    let aborted = 0;
    settled.forEach((r, i) => {
      const c = cases[i]!;
      if (r.status === 'fulfilled') {
        expect(c.forever).toBeUndefined();
        expect(values(r.value, 'y')).toEqual(sequential.get(keyOf(c)));
      } else {
        aborted++;
        // Only calls whose signal aborted fail, and only with ABORTED.
        expect([i, (r.reason as { code?: string }).code, c.abortAt !== undefined || c.forever]).toEqual([i, 'ABORTED', true]);
      }
    });
    console.log(`1,003 calls settled in ${Math.round(ms)} ms: ${aborted} aborted, ${workers.created.length - before} workers started`);
    // Each run that never ends was aborted while it ran: its worker was replaced.
    expect(workers.created.length - before).toBeGreaterThanOrEqual(3);
    for (const [i, c] of cases.entries()) if (c.forever) expect((settled[i] as PromiseRejectedResult).reason.code).toBe('ABORTED');
    await knownGoodWorks();
    await loop.dispose();
    await other.dispose();
  }, 120_000);
});
