/**
 * The page side of one of our workers: comlink over a MessagePort, and death detection through
 * the life lock (see protocol.ts). Every pending call rejects when the worker dies or is ended.
 * The caller passes a function that creates the Worker, with
 * `new Worker(new URL('./x.js', import.meta.url))` written out so that bundlers find and emit
 * the worker script.
 *
 * A worker that fails before it says READY is started once more (a failed fetch of its script,
 * a server restarting); calls wait for READY, so none is lost to the retry. A second failure
 * rejects every call with a message that lists what makes a browser refuse a worker script,
 * the one WebKit has included: a 304 revalidation without the page's COEP/CORP headers.
 */
import * as Comlink from 'comlink';
import type { MlPredictError } from '../errors.js';
import { CONNECT, READY, installErrorTransfer, type ConnectMessage } from './protocol.js';

/** Why a worker that never said READY (twice) did not start, as far as the page can tell. */
export function startFailure(message: string | undefined): string {
  return (
    `it failed to start, twice${message ? `: ${message}` : ' and the browser gave no reason'}. ` +
    'The browser refuses a worker script it cannot load or run: a missing file or an HTML page in its place ' +
    '(check that the bundler emitted the worker script), a syntax error, or, on a cross-origin isolated page, ' +
    'a script response without the Cross-Origin-Embedder-Policy and Cross-Origin-Resource-Policy headers. ' +
    'Safari (WebKit) checks them on 304 revalidations too, and servers that add headers by configuration often leave them off 304s: ' +
    'send them on every response, 304s included (ml-predict/vite does)'
  );
}

export class WorkerConnection<Api> {
  private worker!: Worker;
  private port!: MessagePort;
  private remote!: Comlink.Remote<Api>;
  private readonly pending = new Set<(e: MlPredictError) => void>();
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  dead = false;

  /**
   * @param create starts the Worker (called again once if the first one fails to start)
   * @param crashed the error for calls pending when the worker dies, given the reason
   * @param onStop called once, when the worker dies or is ended
   */
  constructor(
    private readonly create: () => Worker,
    private readonly crashed: (reason: string) => MlPredictError,
    private readonly onStop: () => void = () => undefined,
  ) {
    installErrorTransfer();
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.start(false);
  }

  private start(retry: boolean): void {
    const worker = this.create();
    const channel = new MessageChannel();
    this.worker = worker;
    this.port = channel.port1;
    this.remote = Comlink.wrap<Api>(this.port);
    let started = false;
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (this.worker !== worker || this.dead) return;
      if (started) return this.stop(this.crashed(e.message || 'an uncaught error'));
      if (!retry) {
        this.remote[Comlink.releaseProxy]();
        this.port.close();
        worker.terminate();
        return this.start(true);
      }
      this.stop(this.crashed(startFailure(e.message)));
    });
    const lifeLock = `ml-predict-worker-${crypto.randomUUID()}`;
    worker.addEventListener('message', (e: MessageEvent<{ type?: string; lifeLock?: boolean }>) => {
      if (e.data?.type !== READY || this.worker !== worker) return;
      started = true;
      this.markReady();
      if (!e.data.lifeLock) return;
      // Granted only once the worker, which holds this lock for life, is gone.
      void navigator.locks.request(lifeLock, () => this.stop(this.crashed('terminated, crashed or out of memory')));
    });
    const connect: ConnectMessage = { type: CONNECT, port: channel.port2, lifeLock };
    worker.postMessage(connect, [channel.port2]);
  }

  /** Runs a call on the worker once it is ready; rejects with the crash error if the worker dies first. */
  call<T>(fn: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.crashed('it had already stopped'));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      this.ready
        .then(() => {
          if (this.dead) throw this.crashed('it had already stopped');
          return fn(this.remote);
        })
        .then(resolve, reject)
        .finally(() => this.pending.delete(reject));
    });
  }

  /** Ends the worker (freeing all its memory); calls still pending reject with `error`. */
  stop(error: MlPredictError): void {
    if (this.dead) return;
    this.dead = true;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.port.close();
    for (const reject of this.pending) reject(error);
    this.pending.clear();
    this.onStop();
  }
}
