/**
 * Hostile inputs end to end (Chromium, cross-origin isolated): each is refused on the main thread
 * with a documented code before anything reaches the worker, or works like the plain data; after
 * each, the same loaded model (and its worker) still predicts the known-good rows right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Inputs, type Model, type Outputs } from '../../lib/index.js';
import { writeModel } from '../../tools/onnx/writer.js';
import { inputRows, sigmoidModel } from '../fixtures/models.js';
import { rejection } from '../helpers.js';

/** x float32 [N, 4] → Sigmoid → y; text string [N] → Identity → t. */
function floatAndTextModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'float-and-text',
      inputs: [
        { name: 'x', type: { tensor: 'float', shape: ['N', 4] } },
        { name: 'text', type: { tensor: 'string', shape: ['N'] } },
      ],
      outputs: [
        { name: 'y', type: { tensor: 'float', shape: ['N', 4] } },
        { name: 't', type: { tensor: 'string', shape: ['N'] } },
      ],
      nodes: [
        { op: 'Sigmoid', inputs: ['x'], outputs: ['y'] },
        { op: 'Identity', inputs: ['text'], outputs: ['t'] },
      ],
    },
  });
}

const rows = inputRows(2, 4);
const text = ['row 0', 'row 1'];
const good = (): Inputs => ({ x: inputRows(2, 4), text: [...text] });
let model: Model;
let expected: Outputs;

beforeAll(async () => {
  model = await loadModel(floatAndTextModel(), { backend: 'wasm', name: 'hostile' });
  expected = await model.predict(good());
});
afterAll(() => model.dispose());

/** The known-good feed still gives the known-good outputs on the same model and worker. */
async function stillGood(m: Model = model): Promise<void> {
  const out = await m.predict(good());
  expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(expected.y!.data as Float32Array));
  expect(out.t!.data).toEqual(text);
}

async function refused(p: () => Promise<unknown>, code: string, mentions: (string | RegExp)[]) {
  const err = await rejection(p());
  expect(err.code, err.message).toBe(code);
  for (const m of mentions) expect(err.message).toMatch(m);
  await stillGood();
  return err;
}

function detachedBuffer(bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

describe('model bytes from hostile sources', () => {
  it.skipIf(typeof SharedArrayBuffer === 'undefined')('a valid model in a Uint8Array on a SharedArrayBuffer loads and predicts (skipped in WebKit: it has no SharedArrayBuffer)', async () => {
    expect(crossOriginIsolated).toBe(true);
    const bytes = floatAndTextModel();
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const m = await loadModel(shared, { backend: 'wasm', name: 'shared' });
    expect(m.info.bytes).toBe(bytes.length);
    await stillGood(m);
    await m.dispose();
    await stillGood();
  });

  it('a detached ArrayBuffer (or a Uint8Array on one) as the model source is INVALID_ARGUMENT saying it is detached', async () => {
    const view = sigmoidModel();
    structuredClone(view.buffer, { transfer: [view.buffer] });
    for (const source of [detachedBuffer(view.length), view]) {
      const err = await rejection(loadModel(source, { backend: 'wasm' }));
      expect(err.code, err.message).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(/detached/);
    }
    await stillGood();
  });
});

describe('hostile inputs: typed errors, and the model keeps working', () => {
  it('a Float32Array on a detached buffer is INPUT_MISMATCH saying it is detached', async () => {
    const data = new Float32Array(8);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    await refused(() => model.predict({ x: { data, dims: [2, 4] }, text }), 'INPUT_MISMATCH', ['"x"', /detached/]);
  });

  it('rows nested 20,000 deep are INPUT_MISMATCH naming the input and its rank', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    await refused(() => model.predict({ x: deep as number[][], text }), 'INPUT_MISMATCH', ['"x"', /rank 2/]);
  });

  it('proxies of valid data work like the data', async () => {
    const proxied = (): Inputs => ({
      x: new Proxy({ data: new Proxy(Float32Array.from(rows.flat()), {}), dims: new Proxy([2, 4], {}) }, {}),
      text: new Proxy([...text], {}),
    });
    for (const feeds of [new Proxy(good(), {}), { x: new Proxy(rows.map((r) => new Proxy(r, {})), {}), text }, proxied()]) {
      const out = await model.predict(feeds);
      expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(expected.y!.data as Float32Array));
      expect(out.t!.data).toEqual(text);
    }
  });

  it('revoked proxies and throwing getters are INPUT_MISMATCH naming the input, with the thrown error as cause', async () => {
    const revoked = <T extends object>(value: T): T => {
      const { proxy, revoke } = Proxy.revocable(value, {});
      revoke();
      return proxy;
    };
    const mine = new Error('caller getter');
    const cases: [Inputs, string, unknown][] = [
      [{ x: revoked(rows), text }, '"x"', TypeError],
      [{ x: rows, text: revoked([...text]) }, '"text"', TypeError],
      [{ x: { data: revoked(new Float32Array(8)), dims: [2, 4] }, text }, '"x"', TypeError],
      [{ x: { data: new Float32Array(8), get dims(): number[] { throw mine; } }, text }, '"x"', mine],
      [{ x: [rows[0]!, new Proxy(rows[1]!, { get() { throw mine; } })], text }, '"x"', mine],
      [{ x: rows, get text(): string[] { throw mine; } }, '"text"', mine],
    ];
    for (const [feeds, name, cause] of cases) {
      const err = await refused(() => model.predict(feeds), 'INPUT_MISMATCH', [name]);
      if (cause === TypeError) expect(err.cause).toBeInstanceOf(TypeError);
      else expect(err.cause).toBe(cause);
    }
    const whole = await refused(() => model.predict(revoked(good())), 'INPUT_MISMATCH', [/could not be read/]);
    expect(whole.cause).toBeInstanceOf(TypeError);
  });

  it('3.5e38 in rows for a float32 input is INPUT_MISMATCH quoting the value and its position', () =>
    refused(() => model.predict({ x: [[1, 2, 3, 4], [1, 3.5e38, 3, 4]], text }), 'INPUT_MISMATCH', ['3.5e+38', 'row 1, column 1', 'float32']));

  it('dims read once: a dims element that answers 2, then 1e9, is read as 2', async () => {
    let reads = 0;
    const dims = [0, 4];
    Object.defineProperty(dims, 0, { get: () => (reads++ === 0 ? 2 : 1e9), enumerable: true });
    const out = await model.predict({ x: { data: Float32Array.from(rows.flat()), dims }, text });
    expect(reads).toBe(1);
    expect(out.y!.dims).toEqual([2, 4]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(expected.y!.data as Float32Array));
  });

  it('a sparse rows array claiming 2^32−1 rows is INPUT_MISMATCH saying the numbers; a hole names its row', async () => {
    const huge: number[][] = [];
    huge[0] = [1, 2, 3, 4];
    huge.length = 2 ** 32 - 1;
    await refused(() => model.predict({ x: huge, text }), 'INPUT_MISMATCH', ['"x"', /too large/, '4294967295', '17179869180']);
    const holed = inputRows(3, 4);
    delete (holed as unknown[])[1];
    await refused(() => model.predict({ x: holed, text: ['a', 'b', 'c'] }), 'INPUT_MISMATCH', ['"x"', /row 1 is missing/]);
  });

  it('huge dims ([1e12]) are INPUT_MISMATCH before anything is allocated', () =>
    refused(() => model.predict({ x: { data: new Float32Array(8), dims: [1e12, 4] }, text }), 'INPUT_MISMATCH', ['"x"', '1000000000000']));

  it('bad predict options are INVALID_ARGUMENT, and nothing is sent', async () => {
    const posted: unknown[] = [];
    // Calls reach the worker through a MessagePort (Comlink): every message sent is seen here.
    const original = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
      posted.push(args[0]);
      return original.apply(this, args);
    } as MessagePort['postMessage'];
    try {
      for (const [options, mention] of [
        [null, /must be an object, got null/],
        [{ signal: {} }, /Option "signal" of predict\(\) is \{\}\. Expected an AbortSignal/],
        [{ bogus: 1 }, /Unknown option "bogus" for predict\(\)\. Expected one of: "signal"/],
        ['fast', /must be an object/],
        [{ timeoutMs: -1 }, /Option "timeoutMs" of predict\(\) is -1\. Expected a number of milliseconds from 0/],
      ] as const) {
        const err = await rejection(model.predict(good(), options as never));
        expect(err.code, err.message).toBe('INVALID_ARGUMENT');
        expect(err.message).toMatch(mention);
      }
      expect(posted).toEqual([]);
    } finally {
      MessagePort.prototype.postMessage = original;
    }
    await stillGood();
  });

  it('a typed array with its own constructor property is copied as what it is', async () => {
    const data = Float32Array.from(rows.flat());
    Object.defineProperty(data, 'constructor', { value: Array });
    const out = await model.predict({ x: { data, dims: [2, 4] }, text });
    expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(expected.y!.data as Float32Array));
  });

  it('string data is copied: extra properties and proxies reach the worker as plain strings; a non-string is INPUT_MISMATCH', async () => {
    const extra = Object.assign([...text], { note: () => 'not cloneable' });
    for (const data of [extra, new Proxy([...text], {})]) {
      const out = await model.predict({ x: rows, text: { data, dims: [2] } });
      expect(out.t!.data).toEqual(text);
    }
    await refused(() => model.predict({ x: rows, text: { data: ['a', 7 as never], dims: [2] } }), 'INPUT_MISMATCH', ['"text"', '7', 'index 1']);
  });

  it('prototype keys as input names are unknown inputs listing the valid names', async () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const feeds = good();
      Object.defineProperty(feeds, key, { value: [[1]], enumerable: true });
      await refused(() => model.predict(feeds), 'INPUT_MISMATCH', [`Unknown input "${key}"`, '"x", "text"']);
    }
    const noText = Object.create({ text }) as Inputs;
    noText.x = rows;
    await refused(() => model.predict(noText), 'INPUT_MISMATCH', ['Missing input "text"']);
  });
});
