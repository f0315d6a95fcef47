/**
 * The demo PWA: `npm start` (dev), `npm run demo:build` (→ demo-dist/), `npm run demo:preview`.
 *
 * Environment:
 *   DEMO_OUT_DIR   where the build goes (default demo-dist/; the e2e tests build elsewhere)
 *   DEMO_VERSION   a build label shown in the footer (default: package.json version); a new label
 *                  is a new app shell, so an open page sees an update
 *   DEMO_HEADERS   'off' → dev/preview servers send no COOP/COEP, like a static host without
 *                  header control (the service worker adds them after the first load)
 *   DEMO_BASE      public base path when hosted under a sub-path (default '/')
 */
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mlPredict } from '../lib/vite.js';
import { CSP, MANIFEST } from './app.config.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8')) as { version: string };
const version = process.env.DEMO_VERSION ?? pkg.version;
const base = process.env.DEMO_BASE ?? '/';

/**
 * The repo's package.json marks every module but dist/element/define.js free of side effects
 * (true of the published library), and vite applies that to the demo's own files too. The demo's
 * modules register custom elements on import, and so does the element's define module, which the
 * demo imports from source: say so, or the bundler drops them.
 */
function keepSideEffects(): Plugin {
  const demoDir = here('.');
  const defineModule = here('../lib/element/define.ts');
  return {
    name: 'demo-side-effects',
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (file === defineModule || (file.startsWith(demoDir) && /\.ts$/.test(file))) return { code, map: null, moduleSideEffects: true };
      return undefined;
    },
  };
}

/** A strict Content-Security-Policy in the built page (dev needs vite's inline HMR styles). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'demo-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      // Right after <meta charset>: a policy in a meta tag applies only to what follows it.
      handler: (html) =>
        html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
    },
  };
}

export default defineConfig({
  root: here('.'),
  base,
  publicDir: here('../public'),
  define: {
    __DEMO_VERSION__: JSON.stringify(version),
  },
  resolve: {
    alias: [
      // The demo uses the library only through its public entry points, as a user would.
      { find: /^ml-predict\/ml-predict\.js$/, replacement: here('../lib/element/define.ts') },
      { find: /^ml-predict$/, replacement: here('../lib/index.ts') },
      { find: /^ml-predict\/registry$/, replacement: here('../lib/registry.ts') },
      { find: /^ml-predict\/batch$/, replacement: here('../lib/batch/index.ts') },
      { find: /^ml-predict\/evaluate$/, replacement: here('../lib/evaluate/index.ts') },
      { find: /^ml-predict\/tasks\/(text|audio|ocr)$/, replacement: here('../lib/tasks/$1.ts') },
    ],
  },
  build: {
    outDir: process.env.DEMO_OUT_DIR ?? here('../demo-dist'),
    emptyOutDir: true,
    target: 'es2022',
    // onnxruntime's wasm (14 MB) and the WebGPU build's wasm (27 MB) are expected to be large.
    chunkSizeWarningLimit: 600,
  },
  plugins: [
    mlPredict({ isolation: process.env.DEMO_HEADERS !== 'off' }),
    keepSideEffects(),
    contentSecurityPolicy(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: '.',
      filename: 'sw.ts',
      // The page registers the worker itself and asks before activating a new version (src/pwa.ts).
      registerType: 'prompt',
      injectRegister: false,
      manifest: MANIFEST,
      // The glob below already takes every icon; listing them again would only duplicate entries.
      includeManifestIcons: false,
      injectManifest: {
        // The app shell, onnxruntime's CPU build (its .wasm is ~14 MB), the icons, and the Batch
        // page's sample CSVs (280 kB) so that a sample job also runs offline.
        globPatterns: ['**/*.{html,js,css,wasm,svg,png}', 'samples/*.{csv,json}'],
        // Not precached: the WebGPU build's 27 MB wasm (cached at run time on first use, see sw.ts),
        // and models, which live in the library's IndexedDB store (/models/ holds .onnx files,
        // cards and the registry: the JSON is cached at run time, network first).
        globIgnores: ['**/*.asyncify*.wasm', '**/*.jsep*.wasm', '**/*.jspi*.wasm', 'models/**', '**/*.onnx'],
        maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  server: { port: 5173 },
  preview: { port: 4173 },
  appType: 'spa',
  envPrefix: 'DEMO_PUBLIC_',
  clearScreen: false,
  logLevel: process.env.DEMO_QUIET ? 'warn' : 'info',
});
