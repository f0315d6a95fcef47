import { describe, expect, it } from 'vitest';
import { fromWire, MlPredictError, toWire } from '../lib/errors.js';
import { orderAuto, parseBackendOption, resolveThreads } from '../lib/backend/select.js';
import { normalizeDim, rowsToTensor } from '../lib/tensor/convert.js';
import { prepareFeeds } from '../lib/tensor/validate.js';
import { checkSupported, inspectOnnx } from '../lib/model/onnx-check.js';
import { parseIntegrity, sha256Base64 } from '../lib/model/integrity.js';
import { linearClassifierModel, sigmoidModel, zipmapModel } from './fixtures/models.js';
import type { TensorInfo } from '../lib/types.js';
import { thrown } from './helpers.js';

const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };


describe('errors', () => {
  it('keep code, message and details across the wire form', () => {
    const e = new MlPredictError('QUOTA_EXCEEDED', 'needs 10 bytes, 5 available', { needed: 10, available: 5 });
    const back = fromWire(structuredClone(toWire(e)));
    expect(back).toBeInstanceOf(MlPredictError);
    expect([back.code, back.message, back.details, back.name]).toEqual(['QUOTA_EXCEEDED', e.message, { needed: 10, available: 5 }, 'MlPredictError']);
    expect(fromWire(toWire(new TypeError('boom'))).code).toBe('INTERNAL');
  });
});

describe('backend option', () => {
  it('parses names and lists, rejects unknown ones listing the valid ones', () => {
    expect(parseBackendOption(undefined)).toEqual({ backends: ['webgpu', 'wasm'], auto: true });
    expect(parseBackendOption('wasm')).toEqual({ backends: ['wasm'], auto: false });
    expect(parseBackendOption(['webgpu', 'wasm', 'wasm'])).toEqual({ backends: ['webgpu', 'wasm'], auto: false });
    expect(thrown(() => parseBackendOption('webgl' as never)).message).toBe('Unsupported backend "webgl". Expected one of: "auto", "wasm", "webgpu".');
    expect(thrown(() => parseBackendOption(['wasm', 'cuda'] as never)).message).toBe('Unsupported backend "cuda". Expected one of: "wasm", "webgpu".');
    expect(thrown(() => parseBackendOption([])).code).toBe('INVALID_ARGUMENT');
  });

  it("orders 'auto' by adapter, operators and size", () => {
    expect(orderAuto({ webgpu: false, webgpuReason: 'none', usesMlOps: false, bytes: 5e6 })).toEqual({ order: ['wasm'], skipped: { webgpu: 'none' } });
    expect(orderAuto({ webgpu: true, usesMlOps: true, bytes: 5e6 }).order).toEqual(['wasm']);
    expect(orderAuto({ webgpu: true, usesMlOps: false, bytes: 1000 }).order).toEqual(['wasm']);
    expect(orderAuto({ webgpu: true, usesMlOps: false, bytes: 5e6 }).order).toEqual(['webgpu', 'wasm']);
    const fallback = orderAuto({ webgpu: true, webgpuFallback: true, webgpuAdapter: 'google swiftshader', usesMlOps: false, bytes: 5e6 });
    expect(fallback.order).toEqual(['wasm']);
    expect(fallback.skipped.webgpu).toMatch(/google swiftshader.*software fallback/);
  });

  it('resolves threads', () => {
    // One core stays for the page: 2 cores → 1 thread, 4 → 3, never more than 4 nor less than 1.
    expect(resolveThreads('auto', true, 1)).toBe(1);
    expect(resolveThreads('auto', true, 2)).toBe(1);
    expect(resolveThreads('auto', true, 4)).toBe(3);
    expect(resolveThreads('auto', true, 16)).toBe(4);
    expect(resolveThreads('auto', false, 16)).toBe(1);
    expect(resolveThreads(3, false, 16)).toBe(1);
    expect(resolveThreads(3, true, 16)).toBe(3);
    expect(thrown(() => resolveThreads(1.5, true, 2)).message).toMatch(/"threads" is 1.5/);
  });
});

describe('inputs', () => {
  it('turns rows into a tensor of the input type', () => {
    const t = rowsToTensor('m', x, [[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(t.dims).toEqual([2, 4]);
    expect(t.data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const i64 = rowsToTensor('m', { name: 'sr', type: 'int64', dims: [] }, [16000]);
    expect(i64.data).toEqual(BigInt64Array.from([16000n]));
    expect(rowsToTensor('m', { name: 'v', type: 'float32', dims: [null] }, [1, 2, 3]).dims).toEqual([3]);
    expect(rowsToTensor('m', { name: 's', type: 'string', dims: [1, null] }, ['a', 'b']).dims).toEqual([1, 2]);
  });

  it('rejects integers that are not integers', () => {
    expect(thrown(() => rowsToTensor('m', { name: 'n', type: 'int64', dims: [null] }, [1.5])).message).toMatch(/integers.*1\.5/);
  });

  it('treats onnxruntime’s unnamed dynamic dims (-1, 4294967295) as dynamic', () => {
    expect([normalizeDim(4294967295), normalizeDim(-1), normalizeDim(3), normalizeDim('N'), normalizeDim('')]).toEqual([null, null, 3, 'N', null]);
  });

  it('transfers only buffers it created: a caller’s typed array is copied, never detached', () => {
    const whole = new Float32Array([9, 1, 2, 3, 4, 9]);
    const mine = whole.subarray(1, 5);
    const sent = prepareFeeds('m', [x], { x: { data: mine, dims: [1, 4] } });
    const data = sent.feeds.x!.data as Float32Array;
    expect(data).not.toBe(mine);
    expect([...data]).toEqual([1, 2, 3, 4]);
    // Only the view's own bytes travel, in a buffer of their own.
    expect(sent.transfer).toEqual([data.buffer]);
    expect(data.buffer.byteLength).toBe(16);
    structuredClone(sent.feeds, { transfer: sent.transfer });
    expect([...mine]).toEqual([1, 2, 3, 4]);
    expect(prepareFeeds('m', [x], { x: [[1, 2, 3, 4]] }).transfer).toHaveLength(1);
  });
});

describe('ONNX structure check', () => {
  it('reads domains, ops and output kinds', () => {
    const s = inspectOnnx(linearClassifierModel(), 'lc');
    expect(s.domains.sort()).toEqual(['', 'ai.onnx.ml']);
    expect(s.ops).toEqual(['LinearClassifier']);
    expect(s.nonTensorOutputs).toEqual([]);
    expect(inspectOnnx(sigmoidModel(), 's').ops).toEqual(['Add', 'MatMul', 'Sigmoid']);
  });

  it('rejects ZipMap outputs with the fix', () => {
    const s = inspectOnnx(zipmapModel(), 'z');
    expect(s.nonTensorOutputs).toEqual([{ name: 'output_probability', kind: 'sequence' }]);
    expect(thrown(() => checkSupported(s, 'z')).code).toBe('UNSUPPORTED_MODEL');
  });

  it('rejects empty, foreign and truncated bytes with MODEL_INVALID', () => {
    expect(thrown(() => inspectOnnx(new Uint8Array(), 'e')).message).toMatch(/empty/);
    expect(thrown(() => inspectOnnx(new TextEncoder().encode('{"json": true}'), 'j')).code).toBe('MODEL_INVALID');
    const bytes = sigmoidModel();
    for (const cut of [1, 10, Math.floor(bytes.length / 2), bytes.length - 3]) {
      expect(thrown(() => inspectOnnx(bytes.subarray(0, cut), 't')).code).toBe('MODEL_INVALID');
    }
  });
});

describe('integrity', () => {
  it('parses SRI sha256 and rejects other forms', async () => {
    const digest = await sha256Base64(new TextEncoder().encode('abc'));
    expect(digest).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(parseIntegrity(`sha256-${digest}`)).toBe(digest);
    expect(thrown(() => parseIntegrity('sha512-abc')).code).toBe('INVALID_ARGUMENT');
  });
});

describe('ONNX writer', () => {
  it('is deterministic', () => {
    expect(sigmoidModel()).toEqual(sigmoidModel());
    expect(linearClassifierModel()).toEqual(linearClassifierModel());
  });
});
