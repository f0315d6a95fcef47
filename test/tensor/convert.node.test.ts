import { describe, expect, it } from 'vitest';
import { normalizeDim, rowsToTensor } from '../../lib/tensor/convert.js';
import type { TensorInfo } from '../../lib/types.js';
import { thrown } from '../helpers.js';

const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };

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
});
