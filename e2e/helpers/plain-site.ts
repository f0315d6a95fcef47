/**
 * A plain HTML site with no bundler: the browser build of ml-predict (tools/build-browser.mjs)
 * loaded through `<script type="module">`, the house-price model and its card, and a page
 * script that records the element's load, its prediction and any CSP violation in `window`.
 * Served by `vite preview` under a strict Content-Security-Policy, with the isolation headers
 * set by our plugin or by vite's own `preview.headers` (which leaves them off 304s).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview, type Plugin } from 'vite';
import { ISOLATION_HEADERS, mlPredict } from '../../lib/vite.js';
import { cardFor, houseCard, houseModel } from '../../test/element/fixtures.js';
import { ROOT } from './demo.js';

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; object-src 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ml-predict without a bundler</title>
<script type="module" src="./ml-predict/ml-predict.js"></script>
<script type="module" src="./page.js"></script>
</head>
<body>
<main>
<h1>House prices</h1>
<ml-predict src="./house.onnx" backend="wasm"></ml-predict>
</main>
</body>
</html>
`;

// Inline scripts are refused by the CSP, so the page's own code is a file too.
const PAGE_SCRIPT = `const el = document.querySelector('ml-predict');
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
const once = (type) => new Promise((resolve, reject) => {
  el.addEventListener(type, (e) => resolve(e.detail ?? null), { once: true });
  if (type !== 'error') el.addEventListener('error', (e) => reject(new Error(e.detail.code + ': ' + e.detail.message)), { once: true });
});
window.__loaded = once('load').then(() => ({ status: el.status, defined: customElements.get('ml-predict') === el.constructor, isolated: crossOriginIsolated }));
window.__prediction = once('prediction').then((r) => ({ kind: r.kind, value: r.value, unit: r.unit }));
`;

/** Builds the site into a new temporary folder and returns it. */
export async function buildPlainSite(): Promise<string> {
  const site = mkdtempSync(join(tmpdir(), 'ml-predict-plain-'));
  execFileSync(process.execPath, [join(ROOT, 'tools/build-browser.mjs'), join(site, 'ml-predict')], { cwd: ROOT, stdio: 'pipe' });
  const bytes = houseModel();
  writeFileSync(join(site, 'house.onnx'), bytes);
  writeFileSync(join(site, 'house.card.json'), JSON.stringify(await cardFor(houseCard, bytes, 'house.onnx')));
  writeFileSync(join(site, 'index.html'), PAGE);
  writeFileSync(join(site, 'page.js'), PAGE_SCRIPT);
  return site;
}

export interface LoggedRequest {
  path: string;
  status: number;
}

export interface SiteServer {
  origin: string;
  /** Every request answered, with its status, in order. */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/**
 * `vite preview` of `site`. `isolation: 'plugin'`: ml-predict/vite sets COOP/COEP/CORP;
 * `'vite-headers'`: a hand-written `preview.headers`, as many apps have it (not on 304s).
 */
export async function servePlainSite(site: string, isolation: 'plugin' | 'vite-headers'): Promise<SiteServer> {
  const requests: LoggedRequest[] = [];
  const csp: Plugin = {
    name: 'e2e-csp-and-log',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        res.setHeader('Content-Security-Policy', CSP);
        res.on('finish', () => requests.push({ path: new URL(req.url ?? '/', 'http://x').pathname, status: res.statusCode }));
        next();
      });
    },
  };
  const server = await preview({
    root: site,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: site },
    plugins: [csp, ...(isolation === 'plugin' ? [mlPredict()] : [])],
    preview: { port: 0, host: '127.0.0.1', ...(isolation === 'vite-headers' ? { headers: { ...ISOLATION_HEADERS } } : {}) },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error(`vite preview did not listen on a TCP port: ${String(address)}`);
  return { origin: `http://127.0.0.1:${address.port}`, requests, close: () => server.close() };
}
