import { describe, expect, it } from 'vitest';
import { prepareFeeds } from '../../lib/tensor/validate.js';
import type { TensorInfo } from '../../lib/types.js';

const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };

describe('feeds for the worker', () => {
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
