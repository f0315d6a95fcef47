/** Inputs read once into our own values, then checked: the pure side (lib/tensor/snapshot.ts, convert.ts, validate.ts, buffers.ts). */
import { describe, expect, it } from 'vitest';
import { copyForTransfer } from '../../lib/tensor/buffers.js';
import { rowsToTensor } from '../../lib/tensor/convert.js';
import { checkFeeds, formatDims, prepareFeeds } from '../../lib/tensor/validate.js';
import type { Inputs, TensorInfo } from '../../lib/types.js';
import { thrown } from '../helpers.js';

const x: TensorInfo = { name: 'x', type: 'float32', dims: ['batch', 4] };
const ids: TensorInfo = { name: 'ids', type: 'int64', dims: [null] };
const text: TensorInfo = { name: 'text', type: 'string', dims: [null] };

describe('dims', () => {
  it('formatDims shows a bigint with its n, and a bigint dim is refused naming it', () => {
    expect(formatDims([12n, 4, null, 'batch'])).toBe('[12n, 4, ?, batch]');
    const err = thrown(() => checkFeeds('m', [x], { x: { data: new Float32Array(8), dims: [2n, 4n] as never } }));
    expect(err.code).toBe('INPUT_MISMATCH');
    expect(err.message).toMatch(/invalid dimension 2n \(a bigint: dims are numbers, e\.g\. 12 rather than 12n\) in dims \[2n, 4n\]/);
  });

  it('each dim, data, dims and type are read exactly once; what was read is what is checked and sent', () => {
    const reads = { data: 0, dims: 0, type: 0, d0: 0 };
    const dims = [0, 4];
    Object.defineProperty(dims, 0, { get: () => (reads.d0++ === 0 ? 3 : 1e9), enumerable: true });
    const tensor = {
      get data() { reads.data++; return new Float32Array(12); },
      get dims() { reads.dims++; return dims; },
      get type() { reads.type++; return 'float32'; },
    };
    const sent = prepareFeeds('m', [x], { x: tensor as never });
    expect(reads).toEqual({ data: 1, dims: 1, type: 1, d0: 1 });
    expect(sent.feeds.x!.dims).toEqual([3, 4]);
  });

  it('a tensor naming another type is refused; dims of absurd rank are refused before they are copied', () => {
    expect(thrown(() => checkFeeds('m', [x], { x: { data: new Float32Array(8), dims: [2, 4], type: 'float33' } as never })).message).toBe(
      'Input "x" of model "m" is a tensor of type "float33", but the model\'s input is float32.',
    );
    const dims: number[] = [];
    dims.length = 2 ** 32 - 1;
    expect(thrown(() => checkFeeds('m', [x], { x: { data: new Float32Array(8), dims } })).message).toMatch(/rank 4294967295; at most 64/);
  });
});

describe('rows', () => {
  it('float32 overflow (finite as a double) is refused with the value and its position', () => {
    const err = thrown(() => rowsToTensor('m', x, [[1, 2, 3, 4], [1, 2, -3.5e38, 4]]));
    expect(err.message).toBe('Input "x" of model "m" has -3.5e+38 at row 1, column 2, beyond the range of float32 (±3.4028234663852886e+38): it would become -Infinity.');
    // float64 holds it.
    expect(rowsToTensor('m', { ...x, type: 'float64' }, [[1, 2, 3.5e38, 4]]).data).toEqual(Float64Array.from([1, 2, 3.5e38, 4]));
  });

  it('integers outside their type are refused, not wrapped', () => {
    expect(thrown(() => rowsToTensor('m', { name: 'b', type: 'uint8', dims: [null] }, [1, 256])).message).toBe(
      'Input "b" of model "m" has 256 at index 1, outside the range of uint8: 0 to 255.',
    );
    expect(thrown(() => rowsToTensor('m', { name: 'i', type: 'int32', dims: [null] }, [2 ** 31])).message).toMatch(/outside the range of int32/);
    expect(thrown(() => rowsToTensor('m', ids, [2 ** 70, 1])).message).toMatch(/outside the range of int64.*BigInt64Array/);
    expect(thrown(() => rowsToTensor('m', { name: 'u', type: 'uint64', dims: [null] }, [-1])).message).toMatch(/outside the range of uint64: 0 to/);
    expect(rowsToTensor('m', ids, [Number.MAX_SAFE_INTEGER]).data).toEqual(BigInt64Array.from([2n ** 53n - 1n]));
  });

  it('a sparse array claiming 2^32−1 rows is refused before anything is allocated, with the numbers; a hole names its row', () => {
    const huge: number[][] = [];
    huge[0] = [1, 2, 3, 4];
    huge.length = 2 ** 32 - 1;
    const err = thrown(() => rowsToTensor('m', x, huge));
    expect(err.code).toBe('INPUT_MISMATCH');
    expect(err.message).toBe(
      'Input "x" of model "m" is too large: 4294967295 rows × 4 columns make 17179869180 elements (68719476720 bytes of float32), more than one input may hold (2147483647 elements, 2147483648 bytes).',
    );
    // Within the element bound but past 2 GiB of float64.
    const wide: number[][] = [];
    wide[0] = new Array<number>(4).fill(0);
    wide.length = 2 ** 27;
    expect(thrown(() => rowsToTensor('m', { ...x, type: 'float64' }, wide)).message).toMatch(/536870912 elements \(4294967296 bytes of float64\)/);
    const holed: number[][] = [[1, 2, 3, 4]];
    holed.length = 5;
    expect(thrown(() => rowsToTensor('m', x, holed)).message).toMatch(/^Input "x" of model "m": row 1 is missing \(the rows array has a hole there and claims 5 rows\)/);
  });

  it('rows nested deeper than the rank name the input and its rank, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const err = thrown(() => rowsToTensor('m', x, deep as number[][]));
    expect(err.message).toMatch(/^Input "x" of model "m" has rank 2 \(\[batch, 4\]\), but its rows hold another array at row 0, column 0/);
    expect(err.details).toMatchObject({ input: 'x', expectedRank: 2 });
    expect(thrown(() => rowsToTensor('m', ids, [1, [2]] as never)).message).toMatch(/has rank 1 .* at index 1: rows are nested one level/);
  });

  it('each row and value is read once', () => {
    let reads = 0;
    const row = [1, 2, 3, 4];
    Object.defineProperty(row, 2, { get: () => (reads++ === 0 ? 3 : NaN), enumerable: true });
    expect(rowsToTensor('m', x, [row]).data).toEqual(Float32Array.from([1, 2, 3, 4]));
    const flat = [5, 6];
    let first = 0;
    Object.defineProperty(flat, 0, { get: () => (first++ === 0 ? 5 : 'five'), enumerable: true });
    expect(rowsToTensor('m', ids, flat).data).toEqual(BigInt64Array.from([5n, 6n]));
    expect([reads, first]).toEqual([1, 1]);
  });
});

describe('data', () => {
  it('a typed array with its own constructor, toStringTag or length is copied as what it really is', () => {
    const data = Float32Array.from([1, 2, 3, 4]);
    Object.defineProperty(data, 'constructor', { value: Array });
    Object.defineProperty(data, Symbol.toStringTag, { value: 'Int8Array' });
    Object.defineProperty(data, 'length', { value: 99 });
    const copy = copyForTransfer(data);
    expect(copy).toBeInstanceOf(Float32Array);
    expect(Array.from(copy)).toEqual([1, 2, 3, 4]);
    expect(prepareFeeds('m', [x], { x: { data, dims: [1, 4] } }).feeds.x!.data).toEqual(Float32Array.from([1, 2, 3, 4]));
  });

  it('string data is copied into a plain array of strings; a non-string is refused with its position', () => {
    const mine = Object.assign(['a', 'b'], { extra: () => 1 });
    const sent = prepareFeeds('m', [text], { text: { data: new Proxy(mine, {}), dims: [2] } });
    const data = sent.feeds.text!.data;
    expect(data).not.toBe(mine);
    expect(Object.getPrototypeOf(data)).toBe(Array.prototype);
    expect(Object.keys(data)).toEqual(['0', '1']);
    expect(() => structuredClone(sent.feeds)).not.toThrow();
    expect(thrown(() => prepareFeeds('m', [text], { text: { data: ['a', 7 as never], dims: [2] } })).message).toBe(
      'Input "text" of model "m" expects strings; got 7 at index 1.',
    );
  });

  it('a Proxy of a typed array is copied by index into our own array; a plain object is not data', () => {
    const sent = prepareFeeds('m', [x], { x: { data: new Proxy(Float32Array.from([1, 2, 3, 4]), {}), dims: [1, 4] } });
    expect(sent.feeds.x!.data).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(sent.transfer).toEqual([(sent.feeds.x!.data as Float32Array).buffer]);
    expect(thrown(() => prepareFeeds('m', [x], { x: { data: new Proxy(new Float32Array(8), {}), dims: [1, 4] } })).message).toMatch(/more values than the 4/);
    expect(thrown(() => prepareFeeds('m', [x], { x: { data: { 0: 1, length: 4 } as never, dims: [1, 4] } })).message).toMatch(/expects element type float32 \(Float32Array\)/);
  });

  it('a detached typed array is INPUT_MISMATCH saying so; one on a SharedArrayBuffer is copied onto a transferable buffer', () => {
    const data = new Float32Array(4);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(thrown(() => prepareFeeds('m', [x], { x: { data, dims: [1, 4] } })).message).toMatch(/^Input "x" of model "m": its Float32Array's buffer is detached .*byteLength 0/);
    const shared = new Float32Array(new SharedArrayBuffer(16));
    shared.set([1, 2, 3, 4]);
    const sent = prepareFeeds('m', [x], { x: { data: shared, dims: [1, 4] } });
    expect((sent.feeds.x!.data as Float32Array).buffer).toBeInstanceOf(ArrayBuffer);
    expect(() => structuredClone(sent.feeds, { transfer: sent.transfer })).not.toThrow();
  });
});

describe('names', () => {
  it('prototype keys are never inputs, and a model input named like one is missing unless given', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const inputs = JSON.parse(`{ "x": [[1, 2, 3, 4]], ${JSON.stringify(key)}: [[1]] }`) as Inputs;
      const err = thrown(() => checkFeeds('m', [x], inputs));
      expect(err.message).toBe(`Unknown input ${JSON.stringify(key)} for model "m". Expected one of: "x".`);
    }
    const odd: TensorInfo[] = [{ ...x, name: 'toString' }, { ...x, name: '__proto__' }];
    expect(thrown(() => checkFeeds('m', odd, {})).message).toBe('Missing input "toString" for model "m". Required: "toString", "__proto__".');
    const given = JSON.parse('{ "toString": [[1, 2, 3, 4]], "__proto__": [[5, 6, 7, 8]] }') as Inputs;
    const { feeds } = checkFeeds('m', odd, given);
    expect(Object.getPrototypeOf(feeds)).toBe(Object.prototype);
    expect(Object.keys(feeds)).toEqual(['toString', '__proto__']);
  });

  it('a throwing getter is INPUT_MISMATCH naming the input, with the error as cause; an unreadable inputs object says so', () => {
    const mine = new Error('caller getter');
    const err = thrown(() => checkFeeds('m', [x], { get x(): number[][] { throw mine; } }));
    expect(err.message).toBe(
      'Input "x" of model "m" could not be read (Error: caller getter). Inputs are read once, into copies of their own: pass plain data, or getters and proxies whose reads succeed.',
    );
    expect(err.cause).toBe(mine);
    const keys = thrown(() => checkFeeds('m', [x], new Proxy({}, { ownKeys() { throw mine; } })));
    expect([keys.code, keys.cause]).toEqual(['INPUT_MISMATCH', mine]);
    expect(keys.message).toMatch(/^The inputs of model "m" could not be read \(Error: caller getter\)/);
  });
});
