/**
 * `<ml-predict>` with no bundler: a plain HTML page loads the browser build (dist/browser, made
 * by tools/build-browser.mjs) through `<script type="module">`, under a strict
 * Content-Security-Policy and cross-origin isolation, and predicts from the form in Chromium.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright';
import { CHROME_ARGS, findChrome } from '../tools/chrome.js';
import { cardFor, houseCard, houseModel } from '../test/element/fixtures.js';

const root = resolve(import.meta.dirname, '..');
const site = mkdtempSync(join(tmpdir(), 'ml-predict-plain-'));
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; object-src 'none'";
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json',
};

let server: Server | undefined;
let browser: Browser | undefined;
let origin = '';

beforeAll(async () => {
  execFileSync('node', [join(root, 'tools/build-browser.mjs'), join(site, 'ml-predict')], { cwd: root, stdio: 'pipe' });
  const bytes = houseModel();
  writeFileSync(join(site, 'house.onnx'), bytes);
  writeFileSync(join(site, 'house.card.json'), JSON.stringify(await cardFor(houseCard, bytes, 'house.onnx')));
  writeFileSync(
    join(site, 'index.html'),
    `<!doctype html>
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
`,
  );
  // Inline scripts are refused by the CSP, so the page's own code is a file too.
  writeFileSync(
    join(site, 'page.js'),
    `const el = document.querySelector('ml-predict');
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
const once = (type) => new Promise((resolve, reject) => {
  el.addEventListener(type, (e) => resolve(e.detail ?? null), { once: true });
  if (type !== 'error') el.addEventListener('error', (e) => reject(new Error(e.detail.code + ': ' + e.detail.message)), { once: true });
});
window.__loaded = once('load').then(() => ({ status: el.status, defined: customElements.get('ml-predict') === el.constructor, isolated: crossOriginIsolated }));
window.__prediction = once('prediction').then((r) => ({ kind: r.kind, value: r.value, unit: r.unit }));
`,
  );
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(site, path === '' ? 'index.html' : path);
    if (!file.startsWith(site) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', CSP);
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

describe('<ml-predict> on a plain HTML page (no bundler)', () => {
  it('loads through <script type="module">, predicts from the form, under a strict CSP, all from its own origin', async () => {
    const page = await browser!.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    const missing: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      // A missing resource is checked by URL below (the browser asks for /favicon.ico by itself).
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${origin}/`);
    expect(await page.evaluate(() => (window as unknown as { __loaded: Promise<unknown> }).__loaded)).toEqual({
      status: 'ready',
      defined: true,
      isolated: true,
    });
    // Playwright's locators pierce the shadow root: fill the generated form like a person would.
    await page.getByLabel('rooms').fill('5');
    await page.getByLabel('area (m²)').fill('150');
    await page.getByLabel('district').selectOption('south');
    await page.getByRole('button', { name: 'Predict' }).click();
    // 12·5 + 1.5·150 + 40·2 + 7 = 372
    expect(await page.evaluate(() => (window as unknown as { __prediction: Promise<unknown> }).__prediction)).toEqual({
      kind: 'regression',
      value: 372,
      unit: 'k€',
    });
    const announced = await page.evaluate(async () => {
      const el = document.querySelector('ml-predict')!;
      await el.updateComplete;
      return el.shadowRoot!.querySelector('[role="status"]')!.textContent;
    });
    expect(announced).toBe('Prediction: 372 k€.');
    expect(await page.locator('ml-predict [part="result"]').textContent()).toMatch(/Prediction\s+372\s+k€/);
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(problems).toEqual([]);
    expect(missing.filter((m) => !m.endsWith('/favicon.ico'))).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(requests.some((u) => u.endsWith('/ml-predict/runtime.js'))).toBe(true);
    expect(requests.some((u) => u.endsWith('/ml-predict/ort/ort-wasm-simd-threaded.wasm'))).toBe(true);
    await page.close();
  });
});
