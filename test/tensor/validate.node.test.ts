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

describe('missing values (NaN)', () => {
  const imputed: TensorInfo = { ...x, missing: true };
  const f64: TensorInfo = { name: 'x', type: 'float64', dims: ['batch', 2], missing: true };
  const thrown = (fn: () => unknown): { code?: string; message: string } => {
    try {
      fn();
    } catch (e) {
      return e as { code?: string; message: string };
    }
    throw new Error('expected a throw');
  };

  it('passes NaN to an input that accepts missing values, in rows and in typed arrays', () => {
    const rows = prepareFeeds('m', [imputed], { x: [[1, NaN, 3, 4], [NaN, NaN, 0, 1]] }).feeds.x!.data as Float32Array;
    expect([...rows]).toEqual([1, NaN, 3, 4, NaN, NaN, 0, 1]);
    const typed = prepareFeeds('m', [imputed], { x: { data: new Float32Array([NaN, 2, 3, 4]), dims: [1, 4] } }).feeds.x!.data as Float32Array;
    expect([...typed]).toEqual([NaN, 2, 3, 4]);
    expect([...(prepareFeeds('m', [f64], { x: { data: new Float64Array([NaN, 1]), dims: [1, 2] } }).feeds.x!.data as Float64Array)]).toEqual([NaN, 1]);
  });

  it('refuses ±Infinity there, and NaN everywhere else with the same message as before', () => {
    expect(thrown(() => prepareFeeds('m', [imputed], { x: [[1, Infinity, 3, 4]] })).message).toBe(
      'Input "x" of model "m" has Infinity at row 0, column 1. Values must be finite numbers (or NaN for a missing value).',
    );
    expect(thrown(() => prepareFeeds('m', [imputed], { x: { data: new Float32Array([1, 2, -Infinity, NaN]), dims: [1, 4] } })).message).toBe(
      'Input "x" of model "m" has -Infinity at row 0, column 2. Values must be finite numbers (or NaN for a missing value).',
    );
    expect(thrown(() => prepareFeeds('m', [imputed], { x: [[1, 2, 3, 1e39]] })).message).toMatch(/beyond the range of float32/);
    const rows = thrown(() => prepareFeeds('m', [x], { x: [[1, NaN, 3, 4]] }));
    expect([rows.code, rows.message]).toEqual(['INPUT_MISMATCH', 'Input "x" of model "m" has NaN at row 0, column 1. Values must be finite numbers.']);
    const typed = thrown(() => prepareFeeds('m', [x], { x: { data: new Float32Array([1, 2, 3, NaN]), dims: [1, 4] } }));
    expect([typed.code, typed.message]).toEqual(['INPUT_MISMATCH', 'Input "x" of model "m" has NaN at row 0, column 3. Values must be finite numbers.']);
  });
});
