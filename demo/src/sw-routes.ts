/**
 * What the service worker routes where, and the headers it adds. Kept free of workbox so the
 * page (Models page: what is cached) and the tests can use the same rules.
 */

/** Runtime cache of the registry and model cards. */
export const REGISTRY_CACHE = 'ml-predict-demo-registry';
/** Runtime cache of the WebGPU build's wasm. */
export const WEBGPU_CACHE = 'ml-predict-demo-webgpu';

/** Registry and model cards: JSON fetched by scripts (not the web app manifest). */
export function isRegistryJson(pathname: string, destination: string): boolean {
  return destination === '' && pathname.endsWith('.json');
}

/** onnxruntime's WebGPU builds (asyncify/jsep/jspi variants), emitted by vite as hashed assets. */
export function isWebGpuWasm(pathname: string): boolean {
  return /\/ort-wasm-simd-threaded\.(asyncify|jsep|jspi)[^/]*\.wasm$/.test(pathname);
}

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The same response with COOP/COEP/CORP set: a page (or worker script) served this way is
 * cross-origin isolated even when the host sent no such headers. Opaque responses (no status,
 * no headers to read) are left alone.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const missing = Object.entries(ISOLATION_HEADERS).filter(([name, value]) => response.headers.get(name) !== value);
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
