/**
 * Page side of the batch worker: starts one (a module worker from our own origin, so it runs
 * under `worker-src 'self'`), connects comlink over a MessagePort, and rejects every pending
 * call with WORKER_CRASHED when the worker dies (the same life-lock trick as the runtime worker).
 */
import * as Comlink from 'comlink';
import { MlPredictError } from '../errors.js';
import { CONNECT, READY, installErrorTransfer, type ConnectMessage } from '../worker/protocol.js';
import type { BatchWorkerApi } from './protocol.js';

export class BatchWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly api: Comlink.Remote<BatchWorkerApi>;
  private readonly pending = new Set<(e: MlPredictError) => void>();
  dead = false;

  constructor() {
    installErrorTransfer();
    this.worker = new Worker(new URL('./batch-worker.js', import.meta.url), { type: 'module', name: 'ml-predict-batch' });
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.die(`it failed: ${e.message || 'it could not start (check that the bundler emitted the batch worker script)'}`);
    });
    const lifeLock = `ml-predict-batch-${crypto.randomUUID()}`;
    this.worker.addEventListener('message', (e: MessageEvent<{ type?: string; lifeLock?: boolean }>) => {
      if (e.data?.type !== READY || !e.data.lifeLock) return;
      void navigator.locks.request(lifeLock, () => this.die('it stopped (terminated, crashed or out of memory)'));
    });
    const connect: ConnectMessage = { type: CONNECT, port: channel.port2, lifeLock };
    this.worker.postMessage(connect, [channel.port2]);
    this.api = Comlink.wrap<BatchWorkerApi>(this.port);
  }

  /** Runs a call on the worker; rejects with WORKER_CRASHED if the worker dies first. */
  call<T>(fn: (api: Comlink.Remote<BatchWorkerApi>) => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(crashed('it had already stopped'));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      fn(this.api).then(resolve, reject).finally(() => this.pending.delete(reject));
    });
  }

  private die(reason: string): void {
    this.stop(crashed(reason));
  }

  /** Ends the worker; calls still pending reject with ABORTED. */
  end(): void {
    this.stop(new MlPredictError('ABORTED', 'The batch worker was ended before the call returned.'));
  }

  private stop(err: MlPredictError): void {
    if (this.dead) return;
    this.dead = true;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
    this.port.close();
    for (const reject of this.pending) reject(err);
    this.pending.clear();
  }
}

function crashed(reason: string): MlPredictError {
  return new MlPredictError('WORKER_CRASHED', `The ml-predict batch worker stopped during the call: ${reason}. Resume the job to continue from its last committed chunk.`);
}
