/**
 * A plain module worker running onnxruntime-web directly (no ml-predict), for profiling: it
 * reports how long `session.run` took inside the worker, so that a worker's total time splits
 * into execution and messaging.
 */
import * as ort from 'onnxruntime-web/wasm';

interface Init {
  type: 'init';
  bytes: Uint8Array;
  threads: number;
}
/** Busy for `ms` on this thread, then reply: what messaging costs when the page waited that long. */
interface Busy {
  type: 'busy';
  ms: number;
}
interface Run {
  type: 'run';
  feeds: Record<string, { type: 'float32' | 'int64'; data: Float32Array | BigInt64Array; dims: number[] }>;
}

let session: ort.InferenceSession | undefined;

self.onmessage = async (e: MessageEvent<Init | Run | Busy>) => {
  try {
    if (e.data.type === 'busy') {
      const until = performance.now() + e.data.ms;
      while (performance.now() < until) {
        // spin
      }
      self.postMessage({ ok: true });
      return;
    }
    if (e.data.type === 'init') {
      ort.env.wasm.numThreads = e.data.threads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      session = await ort.InferenceSession.create(e.data.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      self.postMessage({ ok: true });
      return;
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(e.data.feeds)) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
    const t = performance.now();
    const out = await session!.run(feeds);
    const runMs = performance.now() - t;
    const data: Record<string, unknown> = {};
    const transfer: Transferable[] = [];
    for (const [name, tensor] of Object.entries(out)) {
      const copy = (tensor.data as Float32Array).slice();
      data[name] = copy;
      transfer.push(copy.buffer);
      tensor.dispose();
    }
    self.postMessage({ ok: true, runMs, data }, transfer);
  } catch (err) {
    self.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
