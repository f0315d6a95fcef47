/**
 * Creates a real onnxruntime session on the first backend that works, recording for each
 * backend why it was or was not used. Runs in the worker.
 */
import type * as Ort from 'onnxruntime-web';
import { MlPredictError } from '../errors.js';
import type { BackendAttempt, BackendName, BackendReport, TensorInfo } from '../types.js';
import { normalizeDim, tensorTypeOf } from '../tensor/convert.js';
import { probeCapabilities } from './capabilities.js';
import { executionProviders, ortFor, type OrtModule } from './ort-env.js';
import { orderAuto } from './select.js';

export interface CreatedSession {
  session: Ort.InferenceSession;
  ort: OrtModule;
  backend: BackendReport;
  threads: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export interface CreateOptions {
  name: string;
  bytes: Uint8Array;
  backends: BackendName[];
  auto: boolean;
  threads: number;
  usesMlOps: boolean;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** onnxruntime says "no available backend found" when the runtime itself could not start. */
function isBackendInitFailure(e: unknown): boolean {
  return /no available backend|backend not found|failed to initialize|webgpu is not supported|adapter/i.test(message(e));
}

function unsupportedOp(e: unknown): string | undefined {
  const msg = message(e);
  const m =
    /Could not find an implementation for (\S+?)(?:\(|\s|$)/i.exec(msg) ??
    /(\S+?)(?:\(-?\d+\))? is not a registered function\/op/i.exec(msg) ??
    /(?:op|operator) ['"]?([\w.:]+)['"]? (?:is )?not (?:supported|implemented)/i.exec(msg);
  return m?.[1];
}

function infoOf(meta: readonly Ort.InferenceSession.ValueMetadata[], name: string, what: 'input' | 'output'): TensorInfo[] {
  return meta.map((m) => {
    if (!m.isTensor) {
      throw new MlPredictError(
        'UNSUPPORTED_MODEL',
        `Model "${name}" has ${what} "${m.name}" that is not a tensor; onnxruntime-web handles tensors only. Re-export it with tensor ${what}s (for scikit-learn classifiers: without ZipMap).`,
      );
    }
    return { name: m.name, type: tensorTypeOf(m.type), dims: m.shape.map(normalizeDim) };
  });
}

export async function createSession(opts: CreateOptions): Promise<CreatedSession> {
  const attempts: BackendAttempt[] = [];
  let order = opts.backends;
  if (opts.backends.includes('webgpu')) {
    const caps = await probeCapabilities();
    if (opts.auto) {
      const auto = orderAuto({
        webgpu: caps.webgpu.available,
        webgpuReason: caps.webgpu.reason,
        webgpuFallback: caps.webgpu.fallback,
        webgpuAdapter: caps.webgpu.adapter,
        usesMlOps: opts.usesMlOps,
        bytes: opts.bytes.length,
      });
      order = auto.order;
      for (const [backend, reason] of Object.entries(auto.skipped)) {
        attempts.push({ backend: backend as BackendName, status: 'skipped', reason });
      }
    } else if (!caps.webgpu.available) {
      order = opts.backends.filter((b) => b !== 'webgpu');
      attempts.push({ backend: 'webgpu', status: 'failed', reason: caps.webgpu.reason });
    }
  }
  let modelError: unknown;
  for (const backend of order) {
    try {
      const ort = await ortFor(backend, opts.threads);
      const session = await ort.InferenceSession.create(opts.bytes, {
        executionProviders: executionProviders(backend),
        graphOptimizationLevel: 'all',
      });
      attempts.push({ backend, status: 'used' });
      try {
        return {
          session,
          ort,
          backend: { name: backend, attempts: sortAttempts(attempts, opts.backends) },
          threads: ort.env.wasm.numThreads ?? opts.threads,
          inputs: infoOf(session.inputMetadata, opts.name, 'input'),
          outputs: infoOf(session.outputMetadata, opts.name, 'output'),
        };
      } catch (e) {
        await session.release();
        throw e;
      }
    } catch (e) {
      if (e instanceof MlPredictError) throw e;
      const hint =
        backend === 'webgpu' && opts.usesMlOps ? " (onnxruntime-web's WebGPU build has no ai.onnx.ml operators; use wasm)" : '';
      attempts.push({ backend, status: 'failed', reason: message(e) + hint });
      if (!isBackendInitFailure(e)) modelError = e;
    }
  }
  const reasons = sortAttempts(attempts, opts.backends)
    .map((a) => `${a.backend}: ${a.reason ?? a.status}`)
    .join('; ');
  // wasm runs every valid model it has operators for; when it refused the model, the model is at fault.
  const wasmTried = attempts.some((a) => a.backend === 'wasm' && a.status === 'failed');
  if (modelError && wasmTried) {
    const op = unsupportedOp(modelError);
    if (op) {
      throw new MlPredictError(
        'UNSUPPORTED_MODEL',
        `Model "${opts.name}" uses an operator onnxruntime-web does not implement (${op}). Re-export it with supported operators, or a lower opset. Backends tried: ${reasons}.`,
        { attempts },
      );
    }
    throw new MlPredictError('MODEL_INVALID', `onnxruntime-web could not load model "${opts.name}": ${message(modelError)}`, {
      attempts,
    });
  }
  throw new MlPredictError(
    'NO_BACKEND',
    `No backend could run model "${opts.name}". Tried ${opts.backends.map((b) => `"${b}"`).join(', ')}: ${reasons}.`,
    { attempts },
  );
}

/** Attempts in the order the caller listed backends, so reports read the same way every time. */
function sortAttempts(attempts: BackendAttempt[], requested: BackendName[]): BackendAttempt[] {
  const rank = (b: BackendName) => {
    const i = requested.indexOf(b);
    return i < 0 ? requested.length : i;
  };
  return [...attempts].sort((a, b) => rank(a.backend) - rank(b.backend));
}
