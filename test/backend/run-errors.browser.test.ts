/**
 * Failures inside onnxruntime at run time get documented codes (OUT_OF_MEMORY, RUN_FAILED) and
 * messages without build paths, naming the node when onnxruntime does; never INTERNAL. After
 * each, the model's worker still runs a known-good model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import type { Inputs, Model } from '../../lib/types.js';
import { inputRows, sigmoidModel } from '../fixtures/models.js';
import { rejection } from '../helpers.js';
import { constantOfShapeModel, dims64, doubledModel, expandModel, reshapeModel, tileModel, within } from './run-models.js';

let good: Model;
beforeAll(async () => {
  good = await loadModel(sigmoidModel(), { backend: 'wasm' });
});
afterAll(() => good.dispose());

async function fails(bytes: Uint8Array, inputs: Inputs, name: string) {
  const model = await within(20_000, loadModel(bytes, { backend: 'wasm', name }));
  try {
    const err = await within(60_000, rejection(model.predict(inputs)));
    expect(err.code).not.toBe('INTERNAL');
    expect(err.message).not.toMatch(/\.cc:\d|\.h:\d|\/onnxruntime\/|ERROR_CODE|OrtRun|ONNXRuntimeError|onnxruntime::/);
    expect(err.message).toContain(`Model "${name}"`);
    return err;
  } finally {
    // The worker lives on: a known-good model still predicts right.
    expect((await within(10_000, good.predict({ x: inputRows(2, 4) }))).y!.dims).toEqual([2, 2]);
    await within(5_000, model.dispose());
  }
}

const one = { data: new Float32Array([1]), dims: [1] };

describe('run-time failures of onnxruntime', () => {
  it('Tile past its 4 GB output limit: OUT_OF_MEMORY naming node "t"', async () => {
    const err = await fails(tileModel(), { x: one }, 'tile');
    expect(err.code).toBe('OUT_OF_MEMORY');
    expect(err.message).toMatch(/^Model "tile" ran out of memory in node "t" \(Tile\): Tile output tensor would require more than 4294967295 bytes/);
    expect(err.details).toEqual({ node: 't', op: 'Tile' });
  });

  it('Expand to [2^20, 2^20]: OUT_OF_MEMORY ("Tensor shape is too large")', async () => {
    const err = await fails(expandModel(), { x: one, shape: dims64(2 ** 20, 2 ** 20) }, 'expand');
    expect(err.code).toBe('OUT_OF_MEMORY');
    expect(err.message).toContain('Tensor shape is too large');
  });

  it('ConstantOfShape to [2^20, 2^20] and to a size that overflows: OUT_OF_MEMORY', async () => {
    expect((await fails(constantOfShapeModel(), { shape: dims64(2 ** 20, 2 ** 20) }, 'cos')).code).toBe('OUT_OF_MEMORY');
    expect((await fails(constantOfShapeModel(), { shape: dims64(1, 1073741823) }, 'cos')).code).toBe('OUT_OF_MEMORY');
  });

  it('two tensors of 2.4 GB each (std::bad_alloc): OUT_OF_MEMORY', async () => {
    const err = await fails(doubledModel(), { shape: dims64(1, 600_000_000) }, 'doubled');
    expect(err.code).toBe('OUT_OF_MEMORY');
    expect(err.message).toMatch(/bad_alloc|memory/);
  });

  it('Reshape to an impossible shape and a negative shape: RUN_FAILED saying why', async () => {
    const reshape = await fails(reshapeModel(), { x: { data: new Float32Array(7), dims: [7] }, shape: dims64(3, 5) }, 'reshape');
    expect(reshape.code).toBe('RUN_FAILED');
    expect(reshape.message).toBe('Model "reshape" failed to run: The input tensor cannot be reshaped to the requested shape. Input shape:{7}, requested shape:{3,5}.');
    const negative = await fails(constantOfShapeModel(), { shape: dims64(-1, 4) }, 'negative');
    expect(negative.code).toBe('RUN_FAILED');
    expect(negative.message).toContain('Tensor shape.Size() must be >= 0');
  });
});
