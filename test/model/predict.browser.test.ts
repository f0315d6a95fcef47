import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { loadModel } from '../../lib/index.js';
import { heldBytes, releaseBuffers } from '../../lib/tensor/buffers.js';
import { inputRows, linearClassifierModel, sigmoidModel } from '../fixtures/models.js';

async function direct(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const out = await session.run(feeds);
  await session.release();
  return out;
}

describe('predict in the worker (wasm)', () => {
  it('MatMul+Add+Sigmoid equals onnxruntime-web on the main thread', async () => {
    const bytes = sigmoidModel();
    const rows = inputRows(16, 4);
    const model = await loadModel(bytes, { backend: 'wasm' });
    expect(model.info.backend.name).toBe('wasm');
    expect(model.info.inputs).toEqual([{ name: 'x', type: 'float32', dims: ['batch', 4] }]);
    const out = await model.predict({ x: rows });
    const ref = await direct(bytes, { x: new ort.Tensor('float32', Float32Array.from(rows.flat()), [16, 4]) });
    expect(out.y!.dims).toEqual([16, 2]);
    expect(out.y!.data).toBeInstanceOf(Float32Array);
    const a = out.y!.data as Float32Array;
    const b = ref.y!.data as Float32Array;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6);
    await model.dispose();
  });

  it('ai.onnx.ml LinearClassifier equals onnxruntime-web on the main thread', async () => {
    const bytes = linearClassifierModel();
    const rows = inputRows(10, 3, 17);
    const model = await loadModel(bytes, { backend: 'wasm' });
    const out = await model.predict({ features: rows });
    const ref = await direct(bytes, { features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [10, 3]) });
    expect(out.label!.data).toEqual(ref.label!.data);
    expect(out.label!.type).toBe('int64');
    const a = out.probabilities!.data as Float32Array;
    const b = ref.probabilities!.data as Float32Array;
    expect(a.length).toBe(30);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6);
    await model.dispose();
  });

  it('the worker sends each input buffer back, and the next call of that size is copied onto it', async () => {
    const model = await loadModel(sigmoidModel(), { backend: 'wasm' });
    const rows = 1000;
    const mine = Float32Array.from(inputRows(rows, 4).flat());
    releaseBuffers();
    const first = await model.predict({ x: { data: mine, dims: [rows, 4] } });
    // The copy sent to the worker came back to the page (and the caller's array was never detached).
    expect(heldBytes()).toBe(mine.byteLength);
    expect(mine.length).toBe(rows * 4);
    // The reused buffer carries the new call's values, not the old ones.
    const other = mine.map((v) => -v);
    const second = await model.predict({ x: { data: other, dims: [rows, 4] } });
    expect(heldBytes()).toBe(mine.byteLength);
    const ref = await direct(sigmoidModel(), { x: new ort.Tensor('float32', other, [rows, 4]) });
    const a = second.y!.data as Float32Array;
    const b = ref.y!.data as Float32Array;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6);
    expect(first.y!.data).not.toEqual(second.y!.data);
    // Outputs are the caller's: whole buffers of their own, not views of a shared one.
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.byteLength);
    await model.dispose();
  });
});
