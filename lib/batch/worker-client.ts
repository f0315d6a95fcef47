/**
 * Page side of the batch worker: starts one (a module worker from our own origin, so it runs
 * under `worker-src 'self'`), connects comlink over a MessagePort, and rejects every pending
 * call with WORKER_CRASHED when the worker dies (the same life-lock trick as the runtime worker).
 */
import type * as Comlink from 'comlink';
import { MlPredictError } from '../errors.js';
import { WorkerConnection } from '../worker/connection.js';
import type { BatchWorkerApi } from './protocol.js';

export class BatchWorker {
  private readonly connection: WorkerConnection<BatchWorkerApi>;

  constructor() {
    const create = () => new Worker(new URL('./batch-worker.js', import.meta.url), { type: 'module', name: 'ml-predict-batch' });
    this.connection = new WorkerConnection<BatchWorkerApi>(create, crashed);
  }

  get dead(): boolean {
    return this.connection.dead;
  }

  /** Runs a call on the worker; rejects with WORKER_CRASHED if the worker dies first. */
  call<T>(fn: (api: Comlink.Remote<BatchWorkerApi>) => Promise<T>): Promise<T> {
    return this.connection.call(fn);
  }

  /** Ends the worker; calls still pending reject with ABORTED. */
  end(): void {
    this.connection.stop(new MlPredictError('ABORTED', 'The batch worker was ended before the call returned.'));
  }
}

function crashed(reason: string): MlPredictError {
  return new MlPredictError('WORKER_CRASHED', `The ml-predict batch worker stopped during the call (${reason}). Resume the job to continue from its last committed chunk.`);
}
