/**
 * Backend choice: parses the `backend` option into an ordered list (on the main thread, so a
 * bad name fails before any worker starts) and orders 'auto' by what the probe found.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { BackendName, BackendOption } from '../types.js';

export const BACKENDS: readonly BackendName[] = ['wasm', 'webgpu'];
const OPTION_VALUES = ['auto', ...BACKENDS];

export interface BackendPlan {
  backends: BackendName[];
  auto: boolean;
}

export function parseBackendOption(option: BackendOption | undefined): BackendPlan {
  if (option === undefined || option === 'auto') return { backends: ['webgpu', 'wasm'], auto: true };
  const list: readonly unknown[] = typeof option === 'string' ? [option] : Array.isArray(option) ? option : [option];
  if (list.length === 0) {
    throw new MlPredictError('INVALID_ARGUMENT', `Option "backend" is an empty list. Expected one of: ${oneOf(OPTION_VALUES)}, or a list of ${oneOf(BACKENDS)}.`);
  }
  const out: BackendName[] = [];
  for (const b of list) {
    if (typeof b !== 'string' || !(BACKENDS as readonly string[]).includes(b)) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Unsupported backend ${quote(b)}. Expected one of: ${oneOf(typeof option === 'string' ? OPTION_VALUES : BACKENDS)}.`,
        { backend: b, expected: OPTION_VALUES },
      );
    }
    if (!out.includes(b as BackendName)) out.push(b as BackendName);
  }
  return { backends: out, auto: false };
}

/** What the runtime knows when it orders 'auto'. */
export interface AutoFacts {
  webgpu: boolean;
  webgpuReason?: string;
  /** The adapter is a software fallback (SwiftShader and the like). */
  webgpuFallback?: boolean;
  webgpuAdapter?: string;
  /** The model uses the ai.onnx.ml domain (classical ML operators run on the CPU only). */
  usesMlOps: boolean;
  bytes: number;
}

/** Models below this size run faster on wasm: a WebGPU dispatch costs more than the whole model. */
export const SMALL_MODEL_BYTES = 1 << 20;

/**
 * Orders 'auto': WebGPU first only when there is an adapter and the model is worth a GPU (not
 * tiny, no CPU-only ML operators). Returns the order and, for backends moved or skipped, why.
 */
export function orderAuto(facts: AutoFacts): { order: BackendName[]; skipped: Partial<Record<BackendName, string>> } {
  if (!facts.webgpu) {
    return { order: ['wasm'], skipped: { webgpu: facts.webgpuReason ?? 'WebGPU is not available' } };
  }
  if (facts.webgpuFallback) {
    return {
      order: ['wasm'],
      skipped: { webgpu: `the WebGPU adapter (${facts.webgpuAdapter ?? 'unknown'}) is a software fallback that emulates the GPU on the CPU: wasm is faster` },
    };
  }
  if (facts.usesMlOps) {
    return { order: ['wasm'], skipped: { webgpu: 'the model uses ai.onnx.ml operators, which run on the CPU only' } };
  }
  if (facts.bytes < SMALL_MODEL_BYTES) {
    return {
      order: ['wasm'],
      skipped: { webgpu: `the model is small (${facts.bytes} bytes < ${SMALL_MODEL_BYTES}); wasm answers faster than a GPU dispatch` },
    };
  }
  return { order: ['webgpu', 'wasm'], skipped: {} };
}

/**
 * threads: 'auto' → one per core but one, which stays free for the page's main thread (at least 1,
 * at most 4), so that the worker's wasm threads never push the page off the CPU; 1 without
 * cross-origin isolation. A number is used as it is where threads are possible (1 to 64).
 */
export function resolveThreads(option: 'auto' | number | undefined, isolated: boolean, cores: number): number {
  if (option === undefined || option === 'auto') return isolated ? Math.max(1, Math.min(4, Math.floor(cores) - 1)) : 1;
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 1 || option > 64) {
    throw new MlPredictError('INVALID_ARGUMENT', `Option "threads" is ${quote(option)}. Expected "auto" or an integer from 1 to 64.`);
  }
  return isolated ? option : 1;
}
