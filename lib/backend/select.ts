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

/** What decides whether WebAssembly threads can run: the page's isolation, SharedArrayBuffer, cores. */
export interface ThreadFacts {
  isolated: boolean;
  /** `SharedArrayBuffer` exists (WebKitGTK lacks it even when the page is isolated). */
  sharedMemory: boolean;
  cores: number;
}

/** The facts of this global scope (page or worker). */
export function threadFacts(): ThreadFacts {
  return {
    isolated: globalThis.crossOriginIsolated === true,
    sharedMemory: typeof SharedArrayBuffer !== 'undefined',
    cores: globalThis.navigator?.hardwareConcurrency ?? 1,
  };
}

/** Why WebAssembly threads cannot run here, or undefined when they can. */
export function threadsUnavailable(facts: ThreadFacts): string | undefined {
  if (!facts.isolated) return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  if (!facts.sharedMemory) return 'this browser has no SharedArrayBuffer, although the page is cross-origin isolated';
  return undefined;
}

/**
 * threads: 'auto' → one per core but one, which stays free for the page's main thread (at least 1,
 * at most 4), so that the worker's wasm threads never push the page off the CPU. A number is used
 * as it is (1 to 64). Where threads cannot run, 1, and `reason` says why.
 */
export function resolveThreads(option: 'auto' | number | undefined, facts: ThreadFacts): { threads: number; reason?: string } {
  if (option !== undefined && option !== 'auto' && (typeof option !== 'number' || !Number.isInteger(option) || option < 1 || option > 64)) {
    throw new MlPredictError('INVALID_ARGUMENT', `Option "threads" is ${quote(option)}. Expected "auto" or an integer from 1 to 64.`);
  }
  const reason = threadsUnavailable(facts);
  if (reason) return { threads: 1, reason };
  return { threads: typeof option === 'number' ? option : Math.max(1, Math.min(4, Math.floor(facts.cores) - 1)) };
}
