/** The runtime worker's side of a predict: tensors of each input's declared element type. */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/model/load.js';
import { boolInputModel, float16InputModel } from '../fixtures/models.js';

describe('input element types in the runtime worker', () => {
  it('a bool input (Uint8Array) reaches onnxruntime as bool', async () => {
    const model = await loadModel(boolInputModel(), { backend: 'wasm' });
    expect(model.info.inputs).toEqual([{ name: 'mask', type: 'bool', dims: ['N'] }]);
    const out = await model.predict({ mask: { data: new Uint8Array([1, 0, 1, 1]), dims: [4] } });
    expect(out.y!.type).toBe('float32');
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1, 0, 1, 1]);
    await model.dispose();
  });

  it('a float16 input (Uint16Array of half-precision bits) reaches onnxruntime as float16; float16 outputs come back as bits', async () => {
    const model = await loadModel(float16InputModel(), { backend: 'wasm' });
    expect(model.info.inputs).toEqual([{ name: 'h', type: 'float16', dims: ['N'] }]);
    // IEEE 754 half precision: 1, 2, -2, 0.5, 65504 (the largest).
    const bits = [0x3c00, 0x4000, 0xc000, 0x3800, 0x7bff];
    const out = await model.predict({ h: { data: new Uint16Array(bits), dims: [5] } });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1, 2, -2, 0.5, 65504]);
    expect(out.same!.type).toBe('float16');
    expect(out.same!.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(out.same!.data as Uint16Array)).toEqual(bits);
    // Joined over chunks, the bits stay the bits.
    const batch = await model.predictBatch({ h: { data: new Uint16Array(bits), dims: [5] } }, { batchSize: 2, workers: 1 });
    expect(Array.from(batch.same!.data as Uint16Array)).toEqual(bits);
    await model.dispose();
  });
});
