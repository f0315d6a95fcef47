/** Probes what this context offers: WebGPU (a real adapter request), threads, SIMD, isolation. */
import type { Capabilities } from '../types.js';
import { threadFacts, threadsUnavailable } from './select.js';

interface GpuLike {
  requestAdapter(): Promise<{
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  } | null>;
}

let cached: Promise<Capabilities['webgpu']> | undefined;

async function probeWebGpu(): Promise<Capabilities['webgpu']> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return { available: false, reason: 'navigator.gpu is undefined: this browser has no WebGPU here (or it is disabled)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned null: no usable GPU adapter' };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
    // A fallback adapter (e.g. SwiftShader) emulates the GPU on the CPU: real, but slower than wasm.
    const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? /swiftshader/i.test(name);
    return { available: true, adapter: name, fallback };
  } catch (e) {
    return { available: false, reason: `navigator.gpu.requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

// A tiny module that uses SIMD (i8x16.splat, i8x16.popcnt): it validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export async function probeCapabilities(): Promise<Capabilities> {
  cached ??= probeWebGpu();
  const webgpu = await cached;
  if (!webgpu.available) cached = undefined; // a failed probe is asked again next time, never remembered
  const facts = threadFacts();
  const noThreads = threadsUnavailable(facts);
  return {
    webgpu,
    crossOriginIsolated: facts.isolated,
    hardwareConcurrency: facts.cores,
    wasmThreads: noThreads === undefined,
    ...(noThreads && { wasmThreadsReason: noThreads }),
    wasmSimd: WebAssembly.validate(SIMD_PROBE),
  };
}
