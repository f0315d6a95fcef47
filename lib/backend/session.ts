/**
 * Creates a real onnxruntime session on the first backend that works, recording for each
 * backend why it was or was not used. Runs in the worker.
 */
import type * as Ort from 'onnxruntime-web';
import { MlPredictError, quote } from '../errors.js';
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
      attempts.push({ backend, status: 'failed', reason: sanitizeOrtMessage(message(e)) + hint });
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
    throw new MlPredictError('MODEL_INVALID', `onnxruntime-web could not load model "${opts.name}": ${sanitizeOrtMessage(message(modelError))}`, {
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

/**
 * onnxruntime's text of a failure (a load's or a run's) with its build details removed: the
 * `failed to call OrtRun(). ERROR_CODE: n, ERROR_MESSAGE:` wrapper (`Can't create a session.` at load), source locations (`/…/onnxruntime/core/…/x.cc:83`),
 * the C++ function they name, `[ONNXRuntimeError] : 2 : INVALID_ARGUMENT :` and `… was false.` prefixes.
 */
export function sanitizeOrtMessage(raw: string): string {
  let text = raw.replace(/(?:failed to call OrtRun\(\)\.|Can't create a session\.)?\s*ERROR_CODE:\s*\d+,\s*ERROR_MESSAGE:\s*/, '');
  const location = /(?:[^\s'"]*\/)?[\w.-]+\.(?:cc|cpp|cxx|c|h|hpp):\d+\s+/;
  // A C++ signature after a location: `virtual T *ns::Class::Method(args) const`, `static void X<Y>::F()`.
  const signature = /^[\w<>,*&:\s]*?[\w:<>~]+::[\w~]+\([^()]*\)(?:\s+const)?\s+/;
  for (let guard = 0; guard < 8; guard++) {
    const at = location.exec(text);
    if (!at) break;
    let rest = text.slice(at.index + at[0].length);
    const sig = signature.exec(rest);
    if (sig) rest = rest.slice(sig[0].length);
    // A bare function name (`CalculateTensorStorageSize Tensor shape…`).
    else rest = rest.replace(/^[A-Z]\w*[a-z]\w*[A-Z]\w*\s+/, '');
    text = text.slice(0, at.index) + rest;
  }
  text = text
    .replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/g, '')
    .replace(/^[^.]*? was false\.\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text || raw.trim();
}

/** The operator and node onnxruntime names in "Non-zero status code returned while running Tile node. Name:'t'". */
function failedNode(raw: string): { op: string; node: string } | undefined {
  const m = /running (\S+) node\. Name:'([^']*)'/.exec(raw);
  return m ? { op: m[1]!, node: m[2]! } : undefined;
}

/** Messages of onnxruntime (and the wasm runtime under it) that mean memory ran out or a tensor cannot exist. */
const OUT_OF_MEMORY_TEXT =
  /bad_alloc|out of memory|\bOOM\b|Cannot enlarge memory|memory\.grow|Maximum memory size|Array buffer allocation failed|Tensor shape is too large|would require more than \d+ bytes|exceeds the supported maximum|SafeIntOnOverflow|Integer overflow/i;
/** onnxruntime's own checks of the feeds, before any node runs. */
const INPUT_TEXT = /invalid dimensions for input|Unexpected input data type|Invalid Feed Input Name|Missing Input:/i;

/**
 * The MlPredictError for a failure of `session.run` on model `name`: OUT_OF_MEMORY when memory
 * ran out or a tensor would be too large (bad_alloc, wasm memory growth, "Tensor shape is too
 * large", a size overflow, Tile's 4 GB limit), INPUT_MISMATCH for onnxruntime's own feed checks,
 * else RUN_FAILED. The message is onnxruntime's, sanitized, and names the failing node and its
 * operator when onnxruntime does (`details.node`, `details.op`). Never INTERNAL: whatever fails
 * inside a run was caused by the model or its inputs.
 */
export function runError(name: string, e: unknown): MlPredictError {
  if (e instanceof MlPredictError) return e;
  const raw = message(e);
  const at = failedNode(raw);
  const text = sanitizeOrtMessage(raw.replace(/Non-zero status code returned while running \S+ node\. Name:'[^']*'\s*(?:Status Message:\s*)?/, '')).replace(/\.+$/, '');
  const where = at ? ` in node ${quote(at.node)} (${at.op})` : '';
  const details = at ? { node: at.node, op: at.op } : undefined;
  if (OUT_OF_MEMORY_TEXT.test(raw)) {
    return new MlPredictError(
      'OUT_OF_MEMORY',
      `Model ${quote(name)} ran out of memory${where}: ${text}. A tensor of the run is larger than WebAssembly's memory (4 GB at most) can hold; use smaller inputs or fewer rows per call.`,
      details,
    );
  }
  if (INPUT_TEXT.test(raw)) return new MlPredictError('INPUT_MISMATCH', `Model ${quote(name)} refused its inputs: ${text}.`, details);
  return new MlPredictError('RUN_FAILED', `Model ${quote(name)} failed to run${where}: ${text}.`, details);
}
