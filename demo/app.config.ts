/** The demo's identity (web app manifest) and its Content-Security-Policy, shared by the build and tests. */
import type { ManifestOptions } from 'vite-plugin-pwa';

export const THEME_COLOR = '#312e81';
export const BACKGROUND_COLOR = '#f8fafc';

export const MANIFEST: Partial<ManifestOptions> = {
  id: './',
  name: 'ml-predict: predictions on your device',
  short_name: 'ml-predict',
  description:
    'Machine-learning predictions that run entirely in your browser: ONNX models in a worker, cached on the device, working offline. No data leaves the device.',
  lang: 'en',
  start_url: './',
  scope: './',
  display: 'standalone',
  orientation: 'any',
  theme_color: THEME_COLOR,
  background_color: BACKGROUND_COLOR,
  categories: ['productivity', 'utilities', 'education'],
  icons: [
    { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: 'icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
    { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
};

/**
 * The policy the library promises to run under (docs: no eval, no blob: workers), plus what a
 * page needs: own-origin everything, no plugins, no framing of others' content.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  // <ml-predict> sizes its bars with Lit's styleMap, whose first render writes a style attribute.
  "style-src-attr 'unsafe-inline'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
