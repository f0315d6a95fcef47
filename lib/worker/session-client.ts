/**
 * The one call path from the page to a session in a runtime worker, used by `Model.predict`
 * (lib/model/load.ts) and by the extra workers of a batch pool (lib/batch/pool.ts).
 */
import * as Comlink from 'comlink';
import { abortable, throwIfAborted } from '../errors.js';
import { recycle } from '../tensor/buffers.js';
import type { PreparedFeeds } from '../tensor/validate.js';
import type { Outputs } from '../types.js';
import { nextCallId, type RuntimeWorker } from './host.js';

/**
 * Runs session `sessionId` of `worker` on `prepared` feeds, transferring their buffers (which
 * the caller must no longer use), and resolves with the outputs; the input buffers the worker
 * sends back go to the reuse pool (lib/tensor/buffers.ts). When `signal` aborts, the call is
 * aborted in the worker and this rejects at once with `abortError(signal.reason)`, so the
 * caller may end the worker next. An already aborted signal sends nothing.
 */
export function predictOn(worker: RuntimeWorker, sessionId: number, prepared: PreparedFeeds, signal?: AbortSignal): Promise<Outputs> {
  throwIfAborted(signal);
  const callId = nextCallId();
  const { feeds, transfer } = prepared;
  const call = worker
    .call((api) => api.predict(Comlink.transfer({ callId, sessionId, feeds }, transfer)))
    .then((reply) => {
      recycle(reply.spent);
      return reply.outputs;
    });
  return abortable(call, signal, () => worker.abort(callId));
}
