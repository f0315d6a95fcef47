import { describe, expect, it } from 'vitest';
import { RuntimeWorker, nextCallId } from '../../lib/worker/host.js';
import { inputRows, sigmoidModel } from '../fixtures/models.js';
import type { LoadRequest } from '../../lib/worker/protocol.js';

const request = (): LoadRequest => ({
  callId: nextCallId(),
  name: 'sigmoid',
  source: { kind: 'bytes', bytes: sigmoidModel().slice().buffer },
  backends: ['wasm'],
  auto: false,
  threads: 1,
  cache: 'none',
});

async function predict(worker: RuntimeWorker, sessionId: number): Promise<Float32Array> {
  const feeds = { x: { data: Float32Array.from(inputRows(3, 4).flat()), dims: [3, 4] } };
  const reply = await worker.call((api) => api.predict({ callId: nextCallId(), sessionId, feeds }));
  return reply.outputs.y!.data as Float32Array;
}

describe("onnxruntime's wasm, compiled once per page", () => {
  it('a second runtime worker instantiates the module the first one compiled, and predicts the same', async () => {
    const first = new RuntimeWorker();
    const a = await first.load(request());
    const urls = Object.keys(a.wasm);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/ort-wasm[^/]*\.wasm/);
    expect(a.wasm[urls[0]!]).toBe('compiled');
    expect(a.compiled[urls[0]!]).toBeInstanceOf(WebAssembly.Module);

    const second = new RuntimeWorker();
    const b = await second.load(request());
    expect(b.wasm).toEqual({ [urls[0]!]: 'shared' });
    expect([...(await predict(second, b.sessionId))]).toEqual([...(await predict(first, a.sessionId))]);

    // Once no worker is left, the page lets go of the compiled code: the next worker compiles.
    first.end();
    second.end();
    const third = new RuntimeWorker();
    const c = await third.load(request());
    expect(c.wasm).toEqual({ [urls[0]!]: 'compiled' });
    third.end();
  });
});
