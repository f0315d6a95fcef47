/**
 * Hostile inputs for one model with a float, an int64 and a string input (threeInputModel):
 * wrong containers, names (prototype keys included), shapes, values (NaN, Infinity, float32
 * overflow), nesting 20,000 deep, sparse arrays claiming 2^32−1 rows, huge dims, dims and data
 * behind getters that change, proxies (valid, revoked, throwing), detached and shared buffers,
 * typed arrays with a spoofed constructor, bad options. Each case says what must happen: 'ok'
 * (the same outputs as the plain feed), 'error' (INPUT_MISMATCH, INVALID_ARGUMENT or ABORTED),
 * or 'either'. Cases are functions: a detached buffer is made fresh for each run.
 */
import { mulberry32 } from '../../lib/evaluate/random.js';
import { writeModel } from '../../tools/onnx/writer.js';

export function threeInputModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'three-inputs',
      inputs: [
        { name: 'x', type: { tensor: 'float', shape: ['N', 4] } },
        { name: 'ids', type: { tensor: 'int64', shape: ['N'] } },
        { name: 'text', type: { tensor: 'string', shape: ['N'] } },
      ],
      outputs: [
        { name: 'y', type: { tensor: 'float', shape: ['N', 4] } },
        { name: 'n', type: { tensor: 'int64', shape: ['N'] } },
        { name: 't', type: { tensor: 'string', shape: ['N'] } },
      ],
      nodes: [
        { op: 'Sigmoid', inputs: ['x'], outputs: ['y'] },
        { op: 'Identity', inputs: ['ids'], outputs: ['n'] },
        { op: 'Identity', inputs: ['text'], outputs: ['t'] },
      ],
    },
  });
}

export type Expect = 'ok' | 'error' | 'either';
export interface HostileInput {
  label: string;
  category: string;
  expect: Expect;
  /** The feeds (and predict options) of one run. */
  make(): { feeds: unknown; options?: unknown };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => [i, i + 0.5, -i, 1]);
/** A valid feed of `n` rows. */
export function validFeeds(n = 2): Record<string, unknown> {
  return { x: rows(n), ids: Array.from({ length: n }, (_, i) => i), text: Array.from({ length: n }, (_, i) => `row ${i}`) };
}

function detached(): Float32Array {
  const data = new Float32Array(8);
  structuredClone(data.buffer, { transfer: [data.buffer] });
  return data;
}

function shared(values: number[]): Float32Array {
  const data = new Float32Array(new SharedArrayBuffer(values.length * 4));
  data.set(values);
  return data;
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** The fixed cases: every kind once. */
function fixed(): HostileInput[] {
  const out: HostileInput[] = [];
  const add = (category: string, expect: Expect, label: string, make: HostileInput['make']) => out.push({ category, expect, label, make });
  const withX = (x: unknown) => () => ({ feeds: { ...validFeeds(), x } });

  for (const [label, feeds] of [
    ['null', null], ['undefined', undefined], ['a number', 42], ['a string', 'x'], ['a function', () => 1],
    ['a symbol', Symbol('s')], ['a Map', new Map()], ['a Date', new Date(0)], ['an array', [1, 2]], ['a Promise', Promise.resolve(1)],
  ] as const) add('container', 'error', `inputs: ${label}`, () => ({ feeds }));

  add('names', 'error', 'missing input "ids"', () => ({ feeds: { x: rows(2), text: ['a', 'b'] } }));
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'X']) {
    add('names', 'error', `an extra input named ${JSON.stringify(key)}`, () => {
      const feeds = validFeeds();
      Object.defineProperty(feeds, key, { value: [[1]], enumerable: true });
      return { feeds };
    });
  }

  add('shapes', 'error', 'ragged rows', withX([[1, 2, 3, 4], [1, 2]]));
  add('shapes', 'error', 'rows of 3 for a width of 4', withX([[1, 2, 3], [4, 5, 6]]));
  add('shapes', 'error', 'no rows', () => ({ feeds: { x: [], ids: [], text: [] } }));
  add('shapes', 'error', 'one empty row', withX([[]]));
  add('shapes', 'error', 'rank 3 rows', withX([[[1, 2, 3, 4]], [[1, 2, 3, 4]]]));
  add('shapes', 'error', 'nesting 20,000 deep', withX(nested(20_000)));
  add('shapes', 'either', 'rows of different counts per input (a symbolic dim is not shared across inputs by onnxruntime)', () => ({ feeds: { ...validFeeds(), ids: [0, 1, 2] } }));
  add('shapes', 'error', 'a sparse array claiming 2^32−1 rows', () => {
    const x: unknown[] = [];
    x[0] = [1, 2, 3, 4];
    x.length = 2 ** 32 - 1;
    return { feeds: { ...validFeeds(), x } };
  });
  add('shapes', 'error', 'a sparse array claiming 1e9 rows', () => {
    const x: unknown[] = [];
    x[0] = [1, 2, 3, 4];
    x.length = 1e9;
    return { feeds: { ...validFeeds(), x } };
  });
  add('shapes', 'error', 'a hole in the rows', () => {
    const x = rows(3);
    delete (x as unknown[])[1];
    return { feeds: { ...validFeeds(3), x } };
  });

  for (const [label, value] of [
    ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['3.5e38 (float32 overflow)', 3.5e38], ['-1e39', -1e39],
    ['null', null], ['undefined', undefined], ['an object', {}], ['a bigint', 5n], ['a word', 'many'], ['true', true],
  ] as const) add('values', 'error', `a cell holding ${label}`, withX([[1, 2, 3, value], [1, 2, 3, 4]]));
  add('values', 'error', 'numeric strings in cells (raw rows take numbers; cards read text)', withX([['0', '0.5', '-0', '1'], ['1', '1.5', '-1', '1']]));
  add('values', 'error', 'ids holding 2^70 (not a safe integer)', () => ({ feeds: { ...validFeeds(), ids: [2 ** 70, 1] } }));
  add('values', 'error', 'ids holding 1.5', () => ({ feeds: { ...validFeeds(), ids: [1.5, 1] } }));
  add('values', 'error', 'text holding a number', () => ({ feeds: { ...validFeeds(), text: ['a', 7] } }));
  add('values', 'error', 'text holding an object', () => ({ feeds: { ...validFeeds(), text: ['a', { toString: () => 'b' }] } }));
  add('values', 'ok', 'text of 100,000 characters', () => ({ feeds: { ...validFeeds(), text: ['a'.repeat(100_000), 'b'] } }));

  const t = (data: unknown, dims: unknown) => withX({ data, dims });
  add('tensors', 'ok', 'a Float32Array tensor', t(new Float32Array([0, 0.5, -0, 1, 1, 1.5, -1, 1]), [2, 4]));
  add('tensors', 'error', 'dims that do not match the data', t(new Float32Array(8), [3, 4]));
  add('tensors', 'error', 'negative dims', t(new Float32Array(8), [-2, -4]));
  add('tensors', 'error', 'fractional dims', t(new Float32Array(8), [2.5, 4]));
  add('tensors', 'error', 'NaN dims', t(new Float32Array(8), [NaN, 4]));
  add('tensors', 'error', 'string dims', t(new Float32Array(8), ['2', '4']));
  add('tensors', 'error', 'bigint dims', t(new Float32Array(8), [2n, 4n]));
  add('tensors', 'error', 'dims [1e12, 4]', t(new Float32Array(8), [1e12, 4]));
  add('tensors', 'error', 'dims [2^31, 2^31]', t(new Float32Array(8), [2 ** 31, 2 ** 31]));
  add('tensors', 'error', 'an Int32Array for a float input', t(new Int32Array(8), [2, 4]));
  add('tensors', 'error', 'a Float64Array for a float input', t(new Float64Array(8), [2, 4]));
  add('tensors', 'error', 'a detached Float32Array', t(detached(), [2, 4]));
  add('tensors', 'ok', 'a Float32Array on a SharedArrayBuffer', t(shared([0, 0.5, -0, 1, 1, 1.5, -1, 1]), [2, 4]));
  add('tensors', 'error', 'a NaN inside a typed array', t(new Float32Array([0, NaN, 0, 0, 0, 0, 0, 0]), [2, 4]));
  add('tensors', 'ok', 'a typed array with its own constructor property', () => {
    const data = new Float32Array([0, 0.5, -0, 1, 1, 1.5, -1, 1]);
    Object.defineProperty(data, 'constructor', { value: Array });
    return { feeds: { ...validFeeds(), x: { data, dims: [2, 4] } } };
  });
  add('tensors', 'error', 'a type name that does not exist', withX({ data: new Float32Array(8), dims: [2, 4], type: 'float33' }));
  add('tensors', 'error', 'data as a plain object', t({ 0: 1, length: 8 }, [2, 4]));
  add('tensors', 'ok', 'dims that change between reads (3, then 1e9): read once, as 3', () => {
    let reads = 0;
    const x = { data: new Float32Array(12), get dims() { return reads++ === 0 ? [3, 4] : [1e9, 4]; } };
    return { feeds: { x, ids: [0, 1, 2], text: ['a', 'b', 'c'] } };
  });
  add('tensors', 'error', 'a dims getter that throws', () => ({ feeds: { ...validFeeds(), x: { data: new Float32Array(8), get dims(): number[] { throw new Error('caller getter'); } } } }));

  add('proxies', 'ok', 'a proxy of valid rows', () => ({ feeds: { ...validFeeds(), x: new Proxy(rows(2), {}) } }));
  add('proxies', 'ok', 'a proxy of the whole feeds object', () => ({ feeds: new Proxy(validFeeds(), {}) }));
  add('proxies', 'error', 'a revoked proxy as rows', () => {
    const { proxy, revoke } = Proxy.revocable(rows(2), {});
    revoke();
    return { feeds: { ...validFeeds(), x: proxy } };
  });
  add('proxies', 'error', 'a revoked proxy as the feeds', () => {
    const { proxy, revoke } = Proxy.revocable(validFeeds(), {});
    revoke();
    return { feeds: proxy };
  });
  add('proxies', 'error', 'a proxy whose get throws', () => ({ feeds: { ...validFeeds(), x: new Proxy(rows(2), { get() { throw new Error('trap'); } }) } }));
  add('proxies', 'ok', 'a proxy of string data', () => ({ feeds: { ...validFeeds(), text: new Proxy(['row 0', 'row 1'], {}) } }));
  add('proxies', 'error', 'an ownKeys trap that throws', () => ({ feeds: new Proxy(validFeeds(), { ownKeys() { throw new Error('keys'); } }) }));

  add('options', 'error', 'options null', () => ({ feeds: validFeeds(), options: null }));
  add('options', 'error', 'options { bogus: 1 }', () => ({ feeds: validFeeds(), options: { bogus: 1 } }));
  add('options', 'error', 'options { signal: {} }', () => ({ feeds: validFeeds(), options: { signal: {} } }));
  add('options', 'error', 'an aborted signal', () => ({ feeds: validFeeds(), options: { signal: AbortSignal.abort() } }));
  add('options', 'error', 'options as a string', () => ({ feeds: validFeeds(), options: 'fast' }));
  return out;
}

/** At least `count` cases: the fixed ones, then random mutations of a valid feed from `seed`. */
export function hostileInputs(seed: number, count = 500): HostileInput[] {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const cells: readonly unknown[] = [NaN, Infinity, -Infinity, 3.5e38, null, undefined, 'x', {}, [], true, 1n, -0, 1e-45, 2 ** 24 + 1];
  const out = fixed();
  while (out.length < count) {
    const n = 1 + int(4);
    const r = int(n);
    const c = int(4);
    const kind = int(4);
    if (kind === 0) {
      const value = pick(cells);
      const ok = typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 3.4e38;
      out.push({ category: 'random cells', expect: ok ? 'ok' : 'error', label: `${n} rows, row ${r} col ${c} = ${String(value)}`, make: () => {
        const feeds = validFeeds(n);
        (feeds.x as unknown[][])[r]![c] = value;
        return { feeds };
      } });
    } else if (kind === 1) {
      const width = pick([0, 1, 3, 5, 4000]);
      out.push({ category: 'random widths', expect: 'error', label: `${n} rows, row ${r} has ${width} columns`, make: () => {
        const feeds = validFeeds(n);
        (feeds.x as unknown[][])[r] = Array.from({ length: width }, () => 1);
        return { feeds };
      } });
    } else if (kind === 2) {
      const dims = [pick([0, 1, 2, -1, 2 ** 31, 1.5, NaN]), pick([4, 0, 3, 2 ** 40])];
      const size = Math.max(0, int(16));
      const ok = dims[0] === Math.floor(size / 4) && dims[1] === 4 && size % 4 === 0 && size > 0;
      out.push({ category: 'random tensor dims', expect: ok ? 'either' : 'error', label: `dims [${dims.join(', ')}] for ${size} floats`, make: () => ({
        feeds: { ...validFeeds(Math.max(1, Number(dims[0]) || 1) > 4 ? 1 : Math.max(1, Number(dims[0]) || 1)), x: { data: new Float32Array(size), dims } },
      }) });
    } else {
      const depth = pick([3, 4, 10, 1000, 50_000]);
      out.push({ category: 'random nesting', expect: 'error', label: `rows nested ${depth} deep`, make: () => ({ feeds: { ...validFeeds(), x: nested(depth) } }) });
    }
  }
  return out;
}
