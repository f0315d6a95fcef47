import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model, type ModelCard } from '../../lib/index.js';
import { MlPredictError } from '../../lib/errors.js';
import { inputRows, sigmoidModel, unknownOpModel } from '../fixtures/models.js';
import { withSequenceOutput } from '../fixtures/skl2onnx.js';
import { rejection } from '../helpers.js';

let model: Model;
const good = { x: inputRows(2, 4) };

beforeAll(async () => {
  model = await loadModel(sigmoidModel(), { backend: 'wasm', name: 'sigmoid' });
});

/** Each bad input rejects with its code and a message naming the bad value; a good predict works after. */
async function expectRejects(p: () => Promise<unknown>, code: string, mentions: (string | RegExp)[]) {
  const err = await rejection(p());
  expect(err.code, err.message).toBe(code);
  expect(err.name).toBe('MlPredictError');
  for (const m of mentions) expect(err.message).toMatch(m);
  const out = await model.predict(good);
  expect(out.y!.dims).toEqual([2, 2]);
  return err;
}

describe('bad input: typed errors, and the model keeps working', () => {
  it('unknown input', () =>
    expectRejects(() => model.predict({ feature: inputRows(1, 4) }), 'INPUT_MISMATCH', ['"feature"', 'Expected one of: "x"'])); 

  it('missing input', () => expectRejects(() => model.predict({}), 'INPUT_MISMATCH', ['Missing input "x"']));

  it('wrong element type', () =>
    expectRejects(() => model.predict({ x: { data: new Int32Array(8), dims: [2, 4] } }), 'INPUT_MISMATCH', [
      'float32',
      'Int32Array',
    ]));

  it('wrong rank', () =>
    expectRejects(() => model.predict({ x: { data: new Float32Array(8), dims: [2, 2, 2] } }), 'INPUT_MISMATCH', [
      'rank 3',
      'rank 2',
    ]));

  it('wrong fixed dim', () =>
    expectRejects(() => model.predict({ x: inputRows(3, 5) }), 'INPUT_MISMATCH', ['size 5 on axis 1', 'expects 4']));

  it('NaN', () =>
    expectRejects(() => model.predict({ x: [[1, 2, NaN, 4]] }), 'INPUT_MISMATCH', ['NaN', 'row 0, column 2']));

  it('Infinity in a typed array', () => {
    const data = new Float32Array(8);
    data[5] = Infinity;
    return expectRejects(() => model.predict({ x: { data, dims: [2, 4] } }), 'INPUT_MISMATCH', ['Infinity', 'row 1, column 1']);
  });

  it('a string among numbers', () =>
    expectRejects(() => model.predict({ x: [[1, 2, 3, 4], [1, '2.5' as unknown as number, 3, 4]] }), 'INPUT_MISMATCH', [
      '"2.5"',
      'row 1, column 1',
    ]));

  it('an empty batch', () => expectRejects(() => model.predict({ x: [] }), 'INPUT_MISMATCH', ['empty batch']));

  it('absurd dims', () =>
    expectRejects(() => model.predict({ x: { data: new Float32Array(8), dims: [1e9, 4] } }), 'INPUT_MISMATCH', [
      'absurd dims',
      '1000000000',
    ]));

  it('data length not matching dims', () =>
    expectRejects(() => model.predict({ x: { data: new Float32Array(7), dims: [2, 4] } }), 'INPUT_MISMATCH', ['7 values', '[2, 4]']));

  it('ragged rows', () =>
    expectRejects(() => model.predict({ x: [[1, 2, 3, 4], [1, 2, 3]] }), 'INPUT_MISMATCH', ['row 1 has 3 values']));

  it('not an object of inputs', () =>
    expectRejects(() => model.predict([[1, 2, 3, 4]] as never), 'INVALID_ARGUMENT', ['named inputs', '"x"']));

  it('an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectRejects(() => model.predict(good, { signal: controller.signal }), 'ABORTED', [/aborted/]);
  });

  it('a signal aborted while the call is in flight', async () => {
    const controller = new AbortController();
    const p = model.predict(good, { signal: controller.signal });
    controller.abort();
    await expectRejects(() => p, 'ABORTED', [/aborted/]);
  });
});

describe('abort reasons', () => {
  it('an MlPredictError used as the abort reason of predict and predictBatch reaches the caller as that error', async () => {
    const paused = new MlPredictError('ABORTED', 'The batch job was paused.');
    const controller = new AbortController();
    const single = model.predict(good, { signal: controller.signal });
    const batch = model.predictBatch({ x: inputRows(5000, 4) }, { batchSize: 10, workers: 1, signal: controller.signal });
    controller.abort(paused);
    expect(await rejection(single)).toBe(paused);
    expect(await rejection(batch)).toBe(paused);
    expect((await rejection(model.predict(good, { signal: controller.signal }))).message).toBe('The batch job was paused.');
  });
});

describe('bad models and options', () => {
  it('non-ONNX bytes → MODEL_INVALID', async () => {
    const err = await rejection(loadModel(new TextEncoder().encode('<!doctype html><html>not a model</html>'), { backend: 'wasm' }));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toMatch(/not a valid ONNX model/);
  });

  it('truncated ONNX bytes → MODEL_INVALID', async () => {
    const bytes = sigmoidModel();
    const err = await rejection(loadModel(bytes.slice(0, Math.floor(bytes.length * 0.6)), { backend: 'wasm' }));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toMatch(/truncated/);
  });

  it('an output that is not a tensor, and not a ZipMap output → UNSUPPORTED_MODEL with the fix', async () => {
    const err = await rejection(loadModel(withSequenceOutput(), { backend: 'wasm', name: 'sequence' }));
    expect(err.code).toBe('UNSUPPORTED_MODEL');
    expect(err.message).toMatch(/"rows" \(sequence\)/);
    expect(err.message).not.toMatch(/"output_probability"/);
    expect(err.message).toMatch(/without ZipMap.*"zipmap": False/);
  });

  it('an operator onnxruntime does not implement → UNSUPPORTED_MODEL naming it', async () => {
    const err = await rejection(loadModel(unknownOpModel(), { backend: 'wasm', name: 'odd' }));
    expect(err.code).toBe('UNSUPPORTED_MODEL');
    expect(err.message).toMatch(/com\.example\.none:NoSuchOperator/);
  });

  it('an unknown backend name', async () => {
    const err = await rejection(loadModel(sigmoidModel(), { backend: 'webgl' as never }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('Unsupported backend "webgl". Expected one of: "auto", "wasm", "webgpu".');
  });

  it('an unknown option value', async () => {
    const err = await rejection(loadModel(sigmoidModel(), { cache: 'localstorage' as never }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('Option "cache" of loadModel() is "localstorage". Expected one of: "indexeddb", "none".');
    const threads = await rejection(loadModel(sigmoidModel(), { threads: 0 }));
    expect(threads.code).toBe('INVALID_ARGUMENT');
    expect(threads.message).toBe('Option "threads" of loadModel() is 0. Expected "auto" or an integer from 1 to 64.');
    const onProgress = await rejection(loadModel(sigmoidModel(), { onProgress: 'log' as never }));
    expect(onProgress.message).toBe('Option "onProgress" of loadModel() is "log". Expected a function.');
  });

  it('an unknown option name', async () => {
    const err = await rejection(loadModel(sigmoidModel(), { backends: 'wasm' } as never));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      'Unknown option "backends" for loadModel(). Expected one of: "backend", "threads", "integrity", "version", "cache", "maxBytes", "signal", "onProgress", "onWarning", "card", "name".',
    );
  });

  it('a malformed integrity string', async () => {
    const err = await rejection(loadModel(sigmoidModel(), { integrity: 'md5-abc' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/^Option "integrity" of loadModel\(\) is "md5-abc"\. Expected the subresource-integrity form "sha256-/);
  });

  it('an unsupported source', async () => {
    const err = await rejection(loadModel(42 as never));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/Model source 42/);
  });

  it('an aborted signal at load', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(loadModel(sigmoidModel(), { signal: controller.signal }));
    expect(err.code).toBe('ABORTED');
  });

  it('a disposed model → DISPOSED, and other models are unaffected', async () => {
    const other = await loadModel(sigmoidModel(), { backend: 'wasm', name: 'other' });
    await other.dispose();
    const err = await rejection(other.predict(good));
    expect(err.code).toBe('DISPOSED');
    expect(err.message).toMatch(/"other" was disposed/);
    expect((await model.predict(good)).y!.dims).toEqual([2, 2]);
  });

  it('a card for other bytes → CARD_INVALID; a malformed card names its field', async () => {
    const card = (await (await fetch('/models/iris-1.0.0.card.json')).json()) as ModelCard;
    const mismatch = await rejection(loadModel(sigmoidModel(), { backend: 'wasm', card }));
    expect(mismatch.code).toBe('CARD_INVALID');
    expect(mismatch.message).toMatch(/is for other bytes: its model\.sha256 is "[0-9a-f]{64}"/);
    const malformed = await rejection(loadModel(sigmoidModel(), { backend: 'wasm', card: { ...card, version: 'one' } }));
    expect(malformed.code).toBe('CARD_INVALID');
    expect(malformed.message).toMatch(/version/);
  });

  it('after every bad model the worker still loads and predicts', async () => {
    const fresh = await loadModel(sigmoidModel(), { backend: 'wasm' });
    expect((await fresh.predict(good)).y!.data).toHaveLength(4);
    await fresh.dispose();
  });
});
