/**
 * The service worker as the page sees it: registration, "ready to work offline", "update
 * available" (a new version installs in the background and waits until the person reloads), and
 * update checks (hourly, when the connection comes back, and on request).
 *
 * Written on the plain ServiceWorker API rather than workbox-window: the page tracks the
 * registration through `navigator.serviceWorker.ready`, which resolves whenever a worker is
 * active, instead of through the promise of `register()`, which Chromium sometimes leaves
 * pending for a long while behind its own update check of the same registration.
 */

/** The service worker vite-plugin-pwa builds from demo/sw.ts (production builds only). */
const SW_URL = `${import.meta.env.BASE_URL}sw.js`;

class PwaState extends EventTarget {
  /** A new version is installed and waiting for the person to reload. */
  needRefresh = false;
  /** The app shell was stored on this device for the first time: it opens offline from now on. */
  offlineReady = false;
  registration: ServiceWorkerRegistration | undefined;
  registerError: string | undefined;
  /** The result of the last manual update check, for the footer. */
  lastCheck: 'checking' | 'up-to-date' | 'update-found' | 'failed' | undefined;
  private started = false;

  start(): void {
    if (this.started || !('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    this.started = true;
    const sw = navigator.serviceWorker;
    // A page that no worker controls yet is a first visit: when it becomes controlled, the app
    // shell is stored and the app works offline.
    const firstVisit = sw.controller === null;
    sw.register(SW_URL, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
      this.registerError = error instanceof Error ? error.message : String(error);
      this.changed();
    });
    void sw.ready.then((registration) => {
      this.registration = registration;
      this.watch(registration);
      if (firstVisit) {
        const ready = () => {
          this.offlineReady = true;
          this.changed();
        };
        if (sw.controller) ready();
        else sw.addEventListener('controllerchange', ready, { once: true });
      }
      setInterval(() => void this.check(false), 60 * 60 * 1000);
      window.addEventListener('online', () => void this.check(false));
      this.changed();
    });
  }

  /** A worker that finishes installing while another one controls the page is an update, and waits. */
  private watch(registration: ServiceWorkerRegistration): void {
    if (registration.waiting && navigator.serviceWorker.controller) this.updateWaiting();
    const track = (worker: ServiceWorker | null) => {
      if (!worker) return;
      const onState = () => {
        if (worker.state !== 'installed') return;
        worker.removeEventListener('statechange', onState);
        if (navigator.serviceWorker.controller) this.updateWaiting();
      };
      worker.addEventListener('statechange', onState);
      onState();
    };
    track(registration.installing);
    registration.addEventListener('updatefound', () => track(registration.installing));
  }

  private updateWaiting(): void {
    this.needRefresh = true;
    this.lastCheck = 'update-found';
    this.changed();
  }

  /** Asks the server for a new service worker. */
  async check(manual = true): Promise<void> {
    const registration = this.registration;
    if (!registration || !navigator.onLine) return;
    if (manual) {
      this.lastCheck = 'checking';
      this.changed();
    }
    try {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer in 30 s')), 30_000);
      });
      // A check that gets no answer must not leave the footer saying "Checking…" for good.
      await Promise.race([registration.update(), timeout]).finally(() => clearTimeout(timer));
      if (manual && !this.needRefresh) {
        // An update found by this check may still be installing: `needRefresh` follows once it waits.
        this.lastCheck = registration.installing || registration.waiting ? 'update-found' : 'up-to-date';
      }
    } catch {
      if (manual) this.lastCheck = 'failed';
    }
    this.changed();
  }

  /** Activates the waiting version and reloads the page once it has taken control. */
  applyUpdate(): void {
    const waiting = this.registration?.waiting;
    if (!waiting) return;
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    waiting.postMessage({ type: 'SKIP_WAITING' });
  }

  dismiss(what: 'needRefresh' | 'offlineReady'): void {
    this[what] = false;
    this.changed();
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

export const pwa = new PwaState();
