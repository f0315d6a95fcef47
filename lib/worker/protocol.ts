/**
 * Everything that crosses the worker boundary: the runtime's API (called through comlink) and
 * the types of its arguments and replies. Both sides import this file and nothing else of the
 * other side.
 */
import * as Comlink from 'comlink';
import { fromWire, MlPredictError, toWire, type WireError } from '../errors.js';
import type { DriftOptions, DriftReference, DriftReport } from '../evaluate/drift.js';
import type { MonitorColumn } from '../evaluate/monitor-rows.js';
import type {
  BackendName,
  BackendReport,
  Capabilities,
  GraphClasses,
  LoadProgress,
  LoadWarning,
  OutputTensor,
  Tensor,
  TensorInfo,
} from '../types.js';

/** A model source as it travels to the worker: URLs are resolved absolute; bytes are copied. */
export type WireSource = { kind: 'url'; url: string } | { kind: 'bytes'; bytes: ArrayBuffer | Blob };

export interface LoadRequest {
  /** Caller-chosen id, used to abort this load. */
  callId: number;
  name: string;
  source: WireSource;
  backends: BackendName[];
  /** True when the order came from 'auto' (the runtime may reorder by what the probe finds). */
  auto: boolean;
  threads: number;
  integrity?: string;
  version?: string;
  cache: 'indexeddb' | 'none';
  maxBytes?: number;
  /** onnxruntime's .wasm already compiled on this page, by file (URL, version, length: lib/backend/ort-env.ts). */
  compiled?: Record<string, WebAssembly.Module>;
}

export interface LoadReply {
  sessionId: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Class labels read from the graph's ZipMap (ModelInfo.classes). */
  classes?: GraphClasses;
  backend: BackendReport;
  threads: number;
  bytes: number;
  sha256: string;
  fromCache: boolean;
  cached: boolean;
  cacheReason?: string;
  repaired: boolean;
  /** onnxruntime's .wasm modules the worker holds now, by file, for the page's next workers. */
  compiled: Record<string, WebAssembly.Module>;
  /** How the worker got each onnxruntime .wasm it runs: compiled itself, or shared by the page. */
  wasm: Record<string, 'compiled' | 'shared'>;
}

/** What prefetchModel() stored: the model's size and sha256 (base64), and where the bytes came from. */
export interface PrefetchResult {
  bytes: number;
  sha256: string;
  fromCache: boolean;
  repaired: boolean;
}

export interface PredictRequest {
  callId: number;
  sessionId: number;
  feeds: Record<string, Tensor>;
}

/** A prediction, and the request's input buffers sent back for reuse (lib/tensor/buffers.ts). */
export interface PredictReply {
  outputs: Record<string, OutputTensor>;
  spent: ArrayBuffer[];
}

/** Drift monitoring of one session's live inputs (see lib/evaluate/drift.ts). */
export interface MonitorConfig {
  /** A "features" card: the input tensor holding the feature rows ([N, features]). */
  input?: string;
  /** A "columns" card: each feature's tensor, in `features` order (lib/evaluate/monitor-rows.ts). */
  columns?: MonitorColumn[];
  features: string[];
  /** Output with the predicted label (an index into `labels`, or a string). */
  labelOutput?: string;
  /** Output with a probability per label, used when there is no label output. */
  probabilities?: string;
  labels?: string[];
  /** Rows kept in the reservoir sample; default 1,000. */
  capacity?: number;
  seed?: number;
}

export type ProgressCallback = (p: LoadProgress) => void;
export type WarningCallback = (w: LoadWarning) => void;

/** The runtime worker's API. */
export interface RuntimeApi {
  probe(): Promise<Capabilities>;
  load(req: LoadRequest, onProgress?: ProgressCallback, onWarning?: WarningCallback): Promise<LoadReply>;
  predict(req: PredictRequest): Promise<PredictReply>;
  /** Downloads a model into the cache without creating a session; rejects when it cannot be stored. */
  prefetch(req: LoadRequest, onProgress?: ProgressCallback): Promise<PrefetchResult>;
  release(sessionId: number): Promise<void>;
  /** Aborts the load or predict with this call id, if it is still running. */
  abort(callId: number): void;
  /**
   * Shared stop flags (STOP_FLAG_SLOTS Int32 slots): a predict whose id is in slot
   * `callId % STOP_FLAG_SLOTS` when its turn comes is not run (it rejects with ABORTED).
   */
  useStopFlags(buffer: SharedArrayBuffer): void;
  /** Starts (config) or stops (null) drift monitoring of a session's live inputs. */
  monitor(sessionId: number, config: MonitorConfig | null): void;
  /** Drift of the monitored inputs against a card's reference statistics. */
  driftReport(sessionId: number, reference: DriftReference, options?: DriftOptions): DriftReport & { observed: number };
  /** Number of live sessions (for tests and benchmarks). */
  sessionCount(): number;
}

/**
 * The first message the host posts to a new runtime worker: comlink's port, and the name of a
 * Web Lock the worker holds for as long as it lives. The host queues for the same lock once the
 * worker says READY; being granted it means the worker is gone (terminated, crashed, out of
 * memory), since browsers release a dead context's locks. (MessagePort 'close' events would
 * say the same, but Chromium does not fire them.)
 */
export const CONNECT = 'ml-predict:connect';
export const READY = 'ml-predict:ready';

export interface ConnectMessage {
  type: typeof CONNECT;
  port: MessagePort;
  lifeLock: string;
}

/**
 * Posted by the runtime worker on its global scope (beside comlink's port) when a predict call
 * starts `session.run`, which nothing but ending the worker can stop: an abort of that call
 * (or of one the worker took up before the abort reached it) ends the worker (lib/worker/host.ts).
 */
export const RUNNING = 'ml-predict:running';

export interface RunningMessage {
  type: typeof RUNNING;
  callId: number;
}

/** The worker side of RUNNING: says that call `callId` is now inside onnxruntime. */
export function announceRunning(callId: number): void {
  const message: RunningMessage = { type: RUNNING, callId };
  self.postMessage(message);
}

/** Slots of the stop flags a page shares with a runtime worker (RuntimeApi.useStopFlags). */
export const STOP_FLAG_SLOTS = 4096;

let installed = false;

/**
 * Replaces comlink's default throw handler so that MlPredictError keeps its name, code and
 * details across the boundary. Called by both sides before their first message.
 */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  // comlink does not export its throw marker; its own handler knows how to recognise it.
  const original = Comlink.transferHandlers.get('throw')!;
  const handler: Comlink.TransferHandler<{ value: unknown }, WireError> = {
    canHandle: (value: unknown): value is { value: unknown } => original.canHandle(value),
    serialize: ({ value }) => [toWire(value), []],
    deserialize: (wire) => {
      throw fromWire(wire);
    },
  };
  Comlink.transferHandlers.set('throw', handler as unknown as Comlink.TransferHandler<unknown, unknown>);
}

/**
 * The worker side of the handshake (for every worker of ml-predict): on the host's CONNECT
 * message, serve `api` through comlink on the given port, take the life lock and say READY.
 */
export function serveWorker(api: object): void {
  installErrorTransfer();
  self.addEventListener(
    'message',
    (event: MessageEvent<ConnectMessage>) => {
      if (event.data?.type !== CONNECT) return;
      Comlink.expose(api, event.data.port);
      const locks = (self.navigator as Navigator | undefined)?.locks;
      if (!locks) return self.postMessage({ type: READY, lifeLock: false });
      void locks.request(event.data.lifeLock, () => {
        self.postMessage({ type: READY, lifeLock: true });
        return new Promise<never>(() => {});
      });
    },
    { once: true },
  );
}

/** The distinct buffers of the typed arrays in these outputs/feeds, for transfer lists (not a SharedArrayBuffer; strings are cloned). */
export function transferablesOf(tensors: Record<string, Tensor>): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const t of Object.values(tensors)) {
    if (!Array.isArray(t.data)) {
      const buffer = (t.data as ArrayBufferView).buffer;
      if (buffer instanceof ArrayBuffer && !list.includes(buffer)) list.push(buffer);
    }
  }
  return list;
}

export { MlPredictError };
