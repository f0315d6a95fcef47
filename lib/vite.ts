/**
 * A vite plugin for apps that use ml-predict: serves pages cross-origin isolated (COOP/COEP,
 * so WebAssembly threads work) in dev and preview, on every response, 304s included (vite's own
 * `server.headers` leaves them off 304s, and WebKit then refuses to start a revalidated worker), keeps onnxruntime-web and ml-predict out of
 * dependency pre-bundling (their workers and .wasm files are found through import.meta.url),
 * and emits workers as ES modules. onnxruntime's files are then served from your own origin.
 *
 * @example
 * // vite.config.ts
 * import { mlPredict } from 'ml-predict/vite';
 * export default { plugins: [mlPredict()] };
 */
import type { Connect, Plugin } from 'vite';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export interface MlPredictPluginOptions {
  /** Send COOP/COEP headers from the dev and preview servers. Default true. */
  isolation?: boolean;
}

/** Sets the isolation headers before any other middleware answers, so that every response has them. */
const isolate: Connect.NextHandleFunction = (_req, res, next) => {
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
  next();
};

export function mlPredict(options: MlPredictPluginOptions = {}): Plugin {
  const isolation = options.isolation ?? true;
  return {
    name: 'ml-predict',
    config() {
      return {
        optimizeDeps: { exclude: ['onnxruntime-web', 'ml-predict'] },
        worker: { format: 'es' },
        // Also as vite's own header settings: servers built on vite that answer before any
        // plugin middleware (vitest's browser runner) send these.
        server: isolation ? { headers: { ...ISOLATION_HEADERS } } : {},
        preview: isolation ? { headers: { ...ISOLATION_HEADERS } } : {},
      };
    },
    configureServer(server) {
      if (isolation) server.middlewares.use(isolate);
    },
    configurePreviewServer(server) {
      if (isolation) server.middlewares.use(isolate);
    },
  };
}
