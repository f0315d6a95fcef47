/**
 * The page side of one of our workers: comlink over a MessagePort, and death detection through
 * the life lock (see protocol.ts). Every pending call rejects when the worker dies or is ended.
 * The Worker itself is created by the caller, with `new Worker(new URL('./x.js', import.meta.url))`
 * written out so that bundlers find and emit the worker script.
 */
import * as Comlink from 'comlink';
import type { MlPredictError } from '../errors.js';
import { CONNECT, READY, installErrorTransfer, type ConnectMessage } from './protocol.js';

export class WorkerConnection<Api> {
  readonly api: Comlink.Remote<Api>;
  private readonly port: MessagePort;
  private readonly pending = new Set<(e: MlPredictError) => void>();
  dead = false;

  /**
   * @param crashed the error for calls pending when the worker dies, given the reason
   * @param onStop called once, when the worker dies or is ended
   */
  constructor(
    private readonly worker: Worker,
    private readonly crashed: (reason: string) => MlPredictError,
    private readonly onStop: () => void = () => undefined,
  ) {
    installErrorTransfer();
    const channel = new MessageChannel();
    this.port = channel.port1;
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.stop(this.crashed(e.message || 'it could not start: check that the bundler emitted the worker script'));
    });
    const lifeLock = `ml-predict-worker-${crypto.randomUUID()}`;
    worker.addEventListener('message', (e: MessageEvent<{ type?: string; lifeLock?: boolean }>) => {
      if (e.data?.type !== READY || !e.data.lifeLock) return;
      // Granted only once the worker, which holds this lock for life, is gone.
      void navigator.locks.request(lifeLock, () => this.stop(this.crashed('terminated, crashed or out of memory')));
    });
    const connect: ConnectMessage = { type: CONNECT, port: channel.port2, lifeLock };
    worker.postMessage(connect, [channel.port2]);
    this.api = Comlink.wrap<Api>(this.port);
  }

  /** Runs a call on the worker; rejects with the crash error if the worker dies first. */
  call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.crashed('it had already stopped'));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      fn(this.api).then(resolve, reject).finally(() => this.pending.delete(reject));
    });
  }

  /** Ends the worker (freeing all its memory); calls still pending reject with `error`. */
  stop(error: MlPredictError): void {
    if (this.dead) return;
    this.dead = true;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
    this.port.close();
    for (const reject of this.pending) reject(error);
    this.pending.clear();
    this.onStop();
  }
}
