/**
 * The one call path from the page to a session in a runtime worker, used by `Model.predict`
 * (lib/model/load.ts) and by the extra workers of a batch pool (lib/batch/pool.ts).
 */
import { abortable, abortError, MlPredictError, throwIfAborted } from '../errors.js';
import { recycle } from '../tensor/buffers.js';
import type { PreparedFeeds } from '../tensor/validate.js';
import type { Outputs } from '../types.js';
import { nextCallId, type RuntimeWorker } from './host.js';

/** comlink's text when the worker could not post a reply (outputs the browser cannot move). */
const UNSENDABLE = 'Unserializable return value';

/**
 * Runs session `sessionId` of `worker` on `prepared` feeds, transferring their buffers (which
 * the caller must no longer use), and resolves with the outputs; the input buffers the worker
 * sends back go to the reuse pool (lib/tensor/buffers.ts). Calls to one worker are sent one at
 * a time (`RuntimeWorker.predict`). When `signal` aborts, this rejects at once with
 * `abortError(signal.reason)` and the call is stopped: dropped while it waits on the page,
 * aborted in the worker before it starts, or, once it runs (onnxruntime cannot interrupt a
 * run), by ending the worker (`RuntimeWorker.stop`). An already aborted signal sends nothing.
 */
export function predictOn(worker: RuntimeWorker, sessionId: number, prepared: PreparedFeeds, signal?: AbortSignal): Promise<Outputs> {
  throwIfAborted(signal);
  const callId = nextCallId();
  const { feeds, transfer } = prepared;
  const call = worker
    .predict({ callId, sessionId, feeds }, transfer)
    .then(
      (reply) => {
        recycle(reply.spent);
        return reply.outputs;
      },
      (e: unknown) => {
        if (e instanceof MlPredictError && e.code === 'INTERNAL' && e.message === UNSENDABLE) {
          throw new MlPredictError(
            'OUT_OF_MEMORY',
            'The model ran, but the browser could not send its outputs back to the page: they are too large to move between threads (several GB). Use smaller inputs or fewer rows per call.',
          );
        }
        throw e;
      },
    );
  return abortable(call, signal, () => worker.stop(callId, stopReason(signal!)));
}

/** What stopped a call, for the message of the calls a restart sends again: "aborted", "timed out after 1000 ms". */
function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof MlPredictError && typeof reason.details?.timeoutMs === 'number') return `that timed out after ${reason.details.timeoutMs} ms`;
  if (reason instanceof MlPredictError && reason.code === 'DISPOSED') return 'of a model disposed';
  return 'that was aborted';
}

/** A call's signal: the caller's, a `timeoutMs` timer and `stop()` (the model's dispose) together. */
export interface CallScope {
  readonly signal: AbortSignal;
  /** Stops the call with `reason` (an MlPredictError: the call rejects with it). */
  stop(reason: MlPredictError): void;
  /** The call settled: the timer and the listener on the caller's signal go. */
  done(): void;
}

/**
 * One signal for a predict call of model `name`: aborted by `outer`, after `timeoutMs` (with an
 * ABORTED error saying so, `details.timeoutMs`), or by `stop()`.
 */
export function callScope(name: string, outer: AbortSignal | undefined, timeoutMs: number | undefined): CallScope {
  const controller = new AbortController();
  const onOuter = () => controller.abort(abortError(outer!.reason));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new MlPredictError(
              'ABORTED',
              `predict() of model "${name}" timed out after ${timeoutMs} ms (option timeoutMs) and was stopped; a run still in onnxruntime was stopped by ending its worker.`,
              { timeoutMs },
            ),
          );
        }, timeoutMs);
  return {
    signal: controller.signal,
    stop: (reason) => controller.abort(reason),
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
