import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyForTransfer, heldBytes, recycle, releaseBuffers, takeArray, takeBuffer } from '../../lib/tensor/buffers.js';
import { prepareFeeds } from '../../lib/tensor/validate.js';
import type { TensorInfo } from '../../lib/types.js';

const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };

afterEach(() => {
  releaseBuffers();
  vi.useRealTimers();
});

describe('reused input buffers', () => {
  it('a buffer sent back is the one the next input of its size is copied onto', () => {
    const first = prepareFeeds('m', [x], { x: { data: new Float32Array([1, 2, 3, 4]), dims: [1, 4] } });
    const sent = first.transfer[0] as ArrayBuffer;
    // What the worker does: the buffer travels there and back.
    const back = structuredClone(sent, { transfer: [sent] });
    recycle([back]);
    expect(heldBytes()).toBe(16);
    const second = prepareFeeds('m', [x], { x: { data: new Float32Array([5, 6, 7, 8]), dims: [1, 4] } });
    expect((second.feeds.x!.data as Float32Array).buffer).toBe(back);
    expect([...(second.feeds.x!.data as Float32Array)]).toEqual([5, 6, 7, 8]);
    expect(heldBytes()).toBe(0);
    // Rows are written onto a reused buffer too.
    recycle([second.transfer[0] as ArrayBuffer]);
    const rows = prepareFeeds('m', [x], { x: [[9, 10, 11, 12]] });
    expect((rows.feeds.x!.data as Float32Array).buffer).toBe(back);
    expect([...(rows.feeds.x!.data as Float32Array)]).toEqual([9, 10, 11, 12]);
  });

  it('copies only a view’s own elements, into a buffer of exactly their size', () => {
    const whole = new Int32Array([7, 1, 2, 3, 7]);
    const copy = copyForTransfer(whole.subarray(1, 4));
    expect(copy).toBeInstanceOf(Int32Array);
    expect([...copy]).toEqual([1, 2, 3]);
    expect(copy.buffer.byteLength).toBe(12);
    expect(copy.buffer).not.toBe(whole.buffer);
  });

  it('skips detached, shared and empty buffers, keeps at most 4 of a size and 64 MiB in all', () => {
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    recycle([detached, new ArrayBuffer(0), new SharedArrayBuffer(8) as unknown as ArrayBuffer]);
    expect(heldBytes()).toBe(0);
    const five = Array.from({ length: 5 }, () => new ArrayBuffer(32));
    recycle([...five, five[0]!]);
    expect(heldBytes()).toBe(4 * 32);
    releaseBuffers();
    recycle([new ArrayBuffer(40 * 2 ** 20), new ArrayBuffer(30 * 2 ** 20)]);
    expect(heldBytes()).toBe(40 * 2 ** 20);
    expect(takeBuffer(30 * 2 ** 20).byteLength).toBe(30 * 2 ** 20);
    expect(heldBytes()).toBe(40 * 2 ** 20);
  });

  it('lets go of every buffer after 10 s without a call', () => {
    vi.useFakeTimers();
    recycle([new ArrayBuffer(64)]);
    vi.advanceTimersByTime(6_000);
    expect(takeArray(Float64Array, 8).buffer.byteLength).toBe(64); // a call
    recycle([new ArrayBuffer(64)]);
    vi.advanceTimersByTime(6_000);
    expect(heldBytes()).toBe(64);
    vi.advanceTimersByTime(5_000);
    expect(heldBytes()).toBe(0);
  });
});
