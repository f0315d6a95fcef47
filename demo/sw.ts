/// <reference lib="webworker" />
/**
 * The demo's service worker (vite-plugin-pwa injectManifest). It
 * - precaches the app shell and onnxruntime's CPU build (its .wasm is ~14 MB), so the app opens
 *   and predicts offline;
 * - caches the registry and model cards (small JSON) at run time, network first (cache only
 *   while the device is offline), so they are current online and still there offline; the models themselves are never cached here: they
 *   live in ml-predict's IndexedDB store, and their requests pass through untouched;
 * - caches the WebGPU build's 27 MB wasm at run time, on first use (cache first: its name is
 *   content-hashed), rather than making every visitor download it up front;
 * - adds COOP/COEP/CORP to every response it serves, so the page is cross-origin isolated
 *   (WebAssembly threads) from the second load on even where the host cannot set headers;
 * - waits with a new version until the page asks (the "update available" prompt).
 */
import { clientsClaim, type WorkboxPlugin } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import { ExpirationPlugin } from 'workbox-expiration';
import { REGISTRY_CACHE, WEBGPU_CACHE, isRegistryJson, isWebGpuWasm, withIsolationHeaders } from './src/sw-routes.js';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<string | { url: string; revision: string | null }>;
};

const isolation: WorkboxPlugin = {
  handlerWillRespond: async ({ response }) => withIsolationHeaders(response),
};

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | undefined;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// The first install takes control of open pages at once; later versions wait for the prompt.
clientsClaim();
cleanupOutdatedCaches();
addPlugins([isolation]);
precacheAndRoute(self.__WB_MANIFEST);

// One page app with hash routing: every navigation is answered with the precached shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// Registry and cards: the network's copy when online (a new model version shows up without a new
// deployment), the stored copy when it is unreachable; when the device knows it is offline, the
// stored copy straight away, without trying the network first.
const registryOnline = new NetworkFirst({ cacheName: REGISTRY_CACHE, networkTimeoutSeconds: 5, plugins: [isolation] });
const registryOffline = new CacheFirst({ cacheName: REGISTRY_CACHE, plugins: [isolation] });
// A revalidation (If-None-Match, from ml-predict's update check) goes to the network untouched:
// its 304 answer belongs to the page, which keeps its own copy of the registry.
registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin && isRegistryJson(url.pathname, request.destination) && !request.headers.has('if-none-match'),
  (options) => (self.navigator.onLine ? registryOnline : registryOffline).handle(options),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && isWebGpuWasm(url.pathname),
  new CacheFirst({
    cacheName: WEBGPU_CACHE,
    // One build's wasm at a time: a new deployment's file replaces the old one.
    plugins: [new ExpirationPlugin({ maxEntries: 2 }), isolation],
  }),
);
