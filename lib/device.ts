/** What this device offers for on-device inference, as the runtime worker sees it. */
import type { Capabilities } from './types.js';
import { runtimeWorker } from './worker/host.js';

/** Probes WebGPU (a real adapter request), WASM threads and SIMD, and cross-origin isolation, in the worker. */
export async function probeDevice(): Promise<Capabilities> {
  const worker = runtimeWorker();
  worker.hold();
  try {
    return await worker.call((api) => api.probe());
  } finally {
    worker.unhold();
  }
}
