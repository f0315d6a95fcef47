// Runs in Chromium launched WITH --enable-unsafe-webgpu (SwiftShader: slow, but a real WebGPU).
import { describe, expect, it } from 'vitest';
import * as ortGpu from 'onnxruntime-web/webgpu';
import { loadModel, probeDevice } from '../../lib/index.js';
import { inputRows, largeModel, linearClassifierModel, sigmoidModel, softmaxModel } from '../fixtures/models.js';

async function direct(bytes: Uint8Array, name: string, rows: number[][]) {
  const session = await ortGpu.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
  const out = await session.run({ [name]: new ortGpu.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) });
  await session.release();
  return out;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol);
}

describe('WebGPU backend', () => {
  it('the probe finds an adapter', async () => {
    const caps = await probeDevice();
    expect(caps.webgpu.available, caps.webgpu.reason).toBe(true);
  });

  it('MatMul+Add+Sigmoid on webgpu in the worker equals onnxruntime-web webgpu on the main thread', async () => {
    const bytes = sigmoidModel();
    const rows = inputRows(8, 4);
    const model = await loadModel(bytes, { backend: 'webgpu' });
    expect(model.info.backend.name).toBe('webgpu');
    const out = await model.predict({ x: rows });
    const ref = await direct(bytes, 'x', rows);
    expectClose(out.y!.data as Float32Array, ref.y!.data as Float32Array, 1e-6);
    await model.dispose();
  });

  it('Gemm+Softmax on webgpu in the worker equals the main thread', async () => {
    const bytes = softmaxModel();
    const rows = inputRows(5, 6, 4);
    const model = await loadModel(bytes, { backend: 'webgpu' });
    expect(model.info.backend.name).toBe('webgpu');
    const out = await model.predict({ x: rows });
    const ref = await direct(bytes, 'x', rows);
    expectClose(out.p!.data as Float32Array, ref.p!.data as Float32Array, 1e-6);
    await model.dispose();
  });

  it('an ai.onnx.ml model (LinearClassifier) falls back to wasm: the WebGPU build has no ML operators', async () => {
    const model = await loadModel(linearClassifierModel(), { backend: ['webgpu', 'wasm'] });
    expect(model.info.backend.name).toBe('wasm');
    const webgpu = model.info.backend.attempts[0]!;
    expect(webgpu).toMatchObject({ backend: 'webgpu', status: 'failed' });
    expect(webgpu.reason).toMatch(/LinearClassifier.*no ai\.onnx\.ml operators/);
    const out = await model.predict({ features: inputRows(3, 3) });
    expect(out.probabilities!.dims).toEqual([3, 3]);
    await model.dispose();
  });

  it("'auto' does not put a software-fallback adapter (SwiftShader) first, and says why; 'webgpu' still uses it", async () => {
    const caps = await probeDevice();
    expect(caps.webgpu.fallback).toBe(true); // SwiftShader: headless Chromium has no real GPU here
    const big = await loadModel(largeModel(300), { backend: 'auto' });
    expect(big.info.backend.name).toBe('wasm');
    expect(big.info.backend.attempts.find((a) => a.backend === 'webgpu')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/software fallback/) });
    const forced = await loadModel(largeModel(300), { backend: 'webgpu' });
    expect(forced.info.backend.name).toBe('webgpu');
    await Promise.all([big.dispose(), forced.dispose()]);
  });
});
