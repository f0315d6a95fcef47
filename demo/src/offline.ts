/**
 * Keeps the small files a stored model needs offline in the service worker's runtime cache: the
 * registry and the cards of the models on this device. The models themselves live in the
 * library's IndexedDB store. The service worker caches these JSON files network first as pages
 * read them; but a page read before the service worker took control (the first visit) bypassed
 * it, so they are read again once it controls the page, and after a model is made available
 * offline.
 */
import { listCachedModels } from 'ml-predict';
import { app } from './state.js';

/** Resolves once a service worker controls this page (never, in a browser without them). */
export function controlled(): Promise<void> {
  const sw = navigator.serviceWorker;
  if (!sw) return new Promise(() => undefined);
  if (sw.controller) return Promise.resolve();
  return new Promise((resolve) => sw.addEventListener('controllerchange', () => resolve(), { once: true }));
}

/** Reads the registry and the cards of the models stored on this device through the service worker. */
export async function keepOfflineCopies(): Promise<void> {
  await controlled();
  if (!navigator.onLine) return;
  const registry = await app.registry();
  const stored = await listCachedModels();
  const urls = new Set<string>([registry.url]);
  for (const name of registry.names) {
    const version = registry.resolve(name);
    if (stored.some((c) => c.url === version.url && c.version === version.version)) urls.add(version.cardUrl);
  }
  await Promise.all(
    [...urls].map((url) =>
      fetch(url).then(
        (r) => r.arrayBuffer(),
        () => undefined, // offline or unreachable: the copy we have stays
      ),
    ),
  );
}
