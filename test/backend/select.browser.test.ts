// Runs in Chromium launched WITHOUT --enable-unsafe-webgpu: no WebGPU adapter here.
import { describe, expect, it } from 'vitest';
import { loadModel, probeDevice } from '../../lib/index.js';
import { largeModel, sigmoidModel } from '../fixtures/models.js';
import { rejection } from '../helpers.js';

describe('backend selection without WebGPU', () => {
  it('the probe says why WebGPU is not available', async () => {
    const caps = await probeDevice();
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toMatch(/navigator\.gpu/);
    expect(caps.wasmSimd).toBe(true);
    expect(caps.crossOriginIsolated).toBe(globalThis.crossOriginIsolated);
  });

  it("'auto' falls back to wasm and says why", async () => {
    const model = await loadModel(largeModel(300), { backend: 'auto' });
    expect(model.info.backend.name).toBe('wasm');
    const webgpu = model.info.backend.attempts.find((a) => a.backend === 'webgpu');
    expect(webgpu?.status).toBe('skipped');
    expect(webgpu?.reason).toMatch(/navigator\.gpu/);
    expect(model.info.backend.attempts.find((a) => a.backend === 'wasm')?.status).toBe('used');
    await model.dispose();
  });

  it("['webgpu', 'wasm'] falls back to wasm and records the WebGPU failure", async () => {
    const model = await loadModel(sigmoidModel(), { backend: ['webgpu', 'wasm'] });
    expect(model.info.backend.name).toBe('wasm');
    expect(model.info.backend.attempts.map((a) => [a.backend, a.status])).toEqual([
      ['webgpu', 'failed'],
      ['wasm', 'used'],
    ]);
    expect(model.info.backend.attempts[0]!.reason).toMatch(/navigator\.gpu/);
    await model.dispose();
  });

  it("'webgpu' alone rejects with NO_BACKEND and the reason", async () => {
    const err = await rejection(loadModel(sigmoidModel(), { backend: 'webgpu', name: 'tiny' }));
    expect(err.code).toBe('NO_BACKEND');
    expect(err.message).toMatch(/No backend could run model "tiny"\. Tried "webgpu": webgpu: navigator\.gpu/);
    expect((err.details?.attempts as unknown[]).length).toBe(1);
  });

  it("threads: auto is one per core but one (kept for the page), 1 to 4; 1 with the reason where threads cannot run (WebKitGTK: no SharedArrayBuffer)", async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const cores = navigator.hardwareConcurrency;
    const threadsPossible = crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';
    expect(model.info.crossOriginIsolated).toBe(crossOriginIsolated);
    expect(model.info.threads).toBe(threadsPossible ? Math.max(1, Math.min(4, cores - 1)) : 1);
    if (threadsPossible) expect(model.info.threadsReason).toBeUndefined();
    else expect(model.info.threadsReason).toMatch(crossOriginIsolated ? /no SharedArrayBuffer/ : /not cross-origin isolated/);
    const caps = await probeDevice();
    expect(caps.wasmThreads).toBe(threadsPossible);
    expect(caps.wasmThreadsReason).toBe(model.info.threadsReason);
    await model.dispose();
  });

  it('models loaded at the same time with different thread counts each get theirs (one runtime worker per count; 1 each without SharedArrayBuffer)', async () => {
    expect(crossOriginIsolated).toBe(true);
    const sab = typeof SharedArrayBuffer !== 'undefined';
    const two = await loadModel(sigmoidModel(), { backend: 'wasm', threads: 2 });
    const one = await loadModel(sigmoidModel(), { backend: 'wasm', threads: 1 });
    const twoAgain = await loadModel(sigmoidModel(), { backend: 'wasm', threads: 2 });
    expect([two.info.threads, one.info.threads, twoAgain.info.threads]).toEqual(sab ? [2, 1, 2] : [1, 1, 1]);
    const x = { x: [[1, 2, 3, 4]] };
    expect(Array.from((await one.predict(x)).y!.data as Float32Array)).toEqual(Array.from((await two.predict(x)).y!.data as Float32Array));
    await Promise.all([two.dispose(), one.dispose(), twoAgain.dispose()]);
  });
});
