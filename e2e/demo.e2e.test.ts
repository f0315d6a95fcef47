/**
 * The demo PWA as it is deployed: `vite build`, served by `vite preview`, driven in Chromium.
 * One build and one browser profile serve the whole file, in order: the build's precache list;
 * a first visit (the service worker takes control, a model is made available offline and
 * predicts); offline (every page renders, predictions run, nothing leaves the browser);
 * installability; axe and screenshots of every page at desktop and phone sizes; a static host
 * without COOP/COEP (the service worker isolates the page); and a new deployment (update prompt).
 */
import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright';
import { CHROME_ARGS, WEBGPU_ARGS, findChrome } from '../tools/chrome.js';
import { buildDemo, precacheList, ROOT, serveDemo, type DemoServer } from './helpers/demo.js';

const OUT = resolve(ROOT, 'e2e/.tmp/demo-build');
const SHOTS = resolve(ROOT, 'e2e/screenshots');
const PAGES = ['predict', 'batch', 'models', 'device'] as const;
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const AXE = readFileSync(resolve(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const REVIEW = 'An absolutely wonderful film: moving, funny and beautifully acted.';

interface Registry {
  default: string;
  models: Record<string, { title: string; aliases: Record<string, string> }>;
}

let server: DemoServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let registry: Registry;
/**
 * Uncaught errors and Content-Security-Policy violations of the watched pages during the test
 * running now: each test fails on its own when one of its pages has one (see afterEach).
 */
const problems: string[] = [];

/** Records `p`'s uncaught errors and CSP violations into `into`. */
function watch(p: Page, into: string[] = problems): Page {
  p.on('pageerror', (e) => into.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.text().startsWith('CSP violation')) into.push(m.text());
  });
  return p;
}

/** Every request the browser makes (page, workers, service worker) from now until `stop()`. */
function recordRequests(ctx: BrowserContext) {
  const seen: { url: string; fromServiceWorker: boolean | undefined; failed?: string }[] = [];
  const onFinished = (r: Request) => {
    void r.response().then((res) => seen.push({ url: r.url(), fromServiceWorker: res?.fromServiceWorker() }));
  };
  const onFailed = (r: Request) => seen.push({ url: r.url(), fromServiceWorker: false, failed: r.failure()?.errorText ?? 'failed' });
  ctx.on('requestfinished', onFinished);
  ctx.on('requestfailed', onFailed);
  return {
    seen,
    stop() {
      ctx.off('requestfinished', onFinished);
      ctx.off('requestfailed', onFailed);
      return seen;
    },
  };
}

async function go(hashPage: string, { reload = false } = {}): Promise<void> {
  await page.goto(`${server.origin}/#/${hashPage}`);
  if (reload) await page.reload();
  await page.getByRole('heading', { level: 1 }).waitFor();
}

/**
 * Fills the `<ml-predict>` form (a clearly positive review for text models, the card's defaults
 * otherwise), predicts, and returns the result as text.
 */
async function predictOnPage(on: Page = page): Promise<string> {
  const element = on.locator('ml-predict');
  const form = element.locator('[part~="form"]');
  await form.waitFor({ timeout: 60_000 });
  const textarea = form.locator('textarea');
  if ((await textarea.count()) > 0) await textarea.fill(REVIEW);
  await form.getByRole('button', { name: 'Predict' }).click();
  const result = element.locator('[part~="result"]');
  await result.waitFor();
  return ((await result.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** axe-core's violations on the page, every impact, as `impact id: help targets`. */
async function runAxe(): Promise<{ impact: string; text: string }[]> {
  // CDP evaluation is not subject to the page's CSP (an injected <script> would be).
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.map((v) => ({ impact: v.impact, text: `${v.impact} ${v.id}: ${v.help} ${v.targets.join(' ')}` }));
}

beforeAll(async () => {
  await buildDemo({ outDir: OUT, version: 'e2e-1' });
  registry = JSON.parse(readFileSync(join(OUT, 'models/registry.json'), 'utf8')) as Registry;
  server = await serveDemo(OUT);
  profile = mkdtempSync(join(tmpdir(), 'ml-predict-demo-'));
  // A persistent profile: Chromium reports every page of an incognito context as not installable.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: findChrome(),
    args: CHROME_ARGS,
    viewport: VIEWPORTS.desktop,
  });
  context.setDefaultTimeout(60_000);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  page = watch(context.pages()[0] ?? (await context.newPage()));
});

afterEach(() => {
  expect(problems.splice(0), 'page errors and CSP violations during this test').toEqual([]);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('demo PWA', () => {
  it('build: the precache list holds the app shell and onnxruntime wasm, and no model', () => {
    const list = precacheList(OUT);
    const assets = readdirSync(join(OUT, 'assets'));
    expect(list).toContain('index.html');
    expect(list).toContain('manifest.webmanifest');
    expect(list).toEqual(expect.arrayContaining(['icons/icon-192.png', 'icons/icon-512.png', 'icons/maskable-512.png']));
    // Every script of the app (entry, runtime worker, both onnxruntime builds' JS) and its CSS.
    for (const file of assets.filter((f) => /\.(js|css)$/.test(f))) expect(list).toContain(`assets/${file}`);
    expect(list.filter((u) => /^assets\/index-[\w-]+\.js$/.test(u))).toHaveLength(1);
    expect(list.some((u) => /^assets\/runtime-[\w-]+\.js$/.test(u))).toBe(true);
    // The CPU build's wasm, precached; the WebGPU build's wasm built but left to the runtime cache.
    const wasm = list.filter((u) => u.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    expect(wasm[0]).toMatch(/^assets\/ort-wasm-simd-threaded-[\w-]+\.wasm$/);
    expect(assets.some((f) => /^ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(f))).toBe(true);
    // Models ship with the build but are not precached (they live in the library's store).
    expect(readdirSync(join(OUT, 'models')).some((f) => f.endsWith('.onnx'))).toBe(true);
    expect(list.filter((u) => u.endsWith('.onnx') || u.startsWith('models/'))).toEqual([]);

    const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.webmanifest'), 'utf8')) as {
      display: string;
      icons: { sizes: string; purpose: string }[];
    };
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(
      expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']),
    );
    expect(readFileSync(join(OUT, 'index.html'), 'utf8')).toContain('http-equiv="Content-Security-Policy"');

    const size = (u: string) => statSync(join(OUT, u)).size;
    const total = list.reduce((n, u) => n + size(u), 0);
    const shell = ['index.html', ...list.filter((u) => /^assets\/index-[\w-]+\.(js|css)$/.test(u))];
    const shellGz = shell.reduce((n, u) => n + gzipSync(readFileSync(join(OUT, u))).length, 0);
    console.log(
      `precache: ${list.length} entries, ${(total / 1e6).toFixed(2)} MB; app shell (${shell.join(', ')}): ` +
        `${(shell.reduce((n, u) => n + size(u), 0) / 1000).toFixed(1)} kB min, ${(shellGz / 1000).toFixed(1)} kB gzip`,
    );
  });

  it('first visit: the service worker takes control; a model made available offline predicts, with no request leaving the browser', async () => {
    const name = registry.default;
    expect(name).toBe('sentiment-logreg'); // the review below is for the sentiment models
    await go('models');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByTestId('offline-ready').waitFor();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    const row = page.getByTestId(`model-${name}`);
    await row.getByTestId('not-cached').waitFor();
    await row.getByRole('button', { name: /Make available offline/ }).click();
    await row.getByTestId('cached').waitFor();
    // The storage panel counts it.
    await page.getByTestId('storage').getByText(/^1 \(/).waitFor();
    // Another one, stored and deleted again.
    const other = page.getByTestId('model-sentiment-tree');
    await other.getByRole('button', { name: /Make available offline/ }).click();
    await other.getByTestId('cached').waitFor();
    await page.getByTestId('storage').getByText(/^2 \(/).waitFor();
    await other.getByRole('button', { name: /Delete/ }).click();
    await other.getByTestId('not-cached').waitFor();
    await page.getByTestId('storage').getByText(/^1 \(/).waitFor();
    // Persistent storage: the browser's answer is shown, whichever it is.
    await page.getByRole('button', { name: 'Ask to keep models on this device' }).click();
    await page.getByTestId('persistence-answer').waitFor();

    await go('predict');
    await page.locator('ml-predict [part~="form"]').waitFor();
    const before = server.requests.length;
    const requests = recordRequests(context);
    const text = await predictOnPage();
    const during = requests.stop();
    expect(text).toMatch(/^Prediction ?positive/i);
    expect(server.requests.slice(before)).toEqual([]);
    expect(during.filter((r) => !r.url.startsWith('data:') && !r.url.startsWith('blob:'))).toEqual([]);
  });

  it('offline: after a reload every page renders and predicts, and nothing reaches the network', async () => {
    await go('predict');
    // Let the page refresh its offline copies (registry, cards) while still online.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    server.down = true;
    await context.setOffline(true);
    const before = server.requests.length;
    const requests = recordRequests(context);
    try {
      await go('predict', { reload: true });
      await page.getByTestId('network').getByText('Offline').waitFor();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.locator('ml-predict [part~="form"]').waitFor();
      // While predicting, the browser makes no request at all.
      const predicting = recordRequests(context);
      expect(await predictOnPage()).toMatch(/^Prediction ?positive/i);
      expect(predicting.stop()).toEqual([]);

      await go('models', { reload: true });
      await page.getByTestId(`model-${registry.default}`).getByTestId('cached').waitFor();
      await page.getByTestId('storage').waitFor();

      await go('batch', { reload: true });
      await page.getByTestId('batch-drop').waitFor();

      await go('device', { reload: true });
      await page.getByTestId('capabilities').waitFor();
      await page.getByRole('button', { name: 'Run benchmark' }).click();
      const table = page.getByTestId('bench-table');
      await table.getByRole('row', { name: /^wasm/ }).waitFor({ timeout: 120_000 });
      expect(await table.getByRole('row', { name: /^wasm/ }).innerText()).not.toMatch(/Failed/);
      await page.getByTestId('bench-chart').waitFor();
    } finally {
      await context.setOffline(false);
      server.down = false;
    }
    const seen = requests.stop();
    // On every navigation the browser itself asks for /sw.js (its update check for the service
    // worker), past the page's offline emulation: those fail against the unreachable server and
    // the installed version runs on. Nothing else reached the server, and everything the pages
    // received came from the service worker.
    const isUpdateCheck = (url: string) => new URL(url, server.origin).pathname === '/sw.js';
    expect(server.requests.slice(before).filter((r) => !isUpdateCheck(r.url))).toEqual([]);
    expect(seen.filter((r) => !r.failed && r.fromServiceWorker !== true && !isUpdateCheck(r.url))).toEqual([]);
    // Attempts the offline browser refused (optional online checks of some pages) are listed, not sent.
    const refused = seen.filter((r) => r.failed && r.failed !== 'net::ERR_ABORTED' && !isUpdateCheck(r.url));
    if (refused.length > 0) console.log(`offline: refused by the offline browser: ${refused.map((r) => `${r.url} (${r.failed})`).join(', ')}`);
  });

  it('is installable (no installability errors, a valid manifest)', async () => {
    await go('predict');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: { message: string }[] };
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
    await cdp.detach();
  });

  it('every page, desktop and phone: axe finds no serious or critical violation; screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const found: string[] = [];
    const minor: string[] = [];
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      for (const id of PAGES) {
        await go(id, { reload: true });
        if (id === 'predict') await predictOnPage();
        if (id === 'models') await page.getByTestId('storage').waitFor();
        if (id === 'device') {
          await page.getByTestId('capabilities').waitFor();
          await page.getByRole('button', { name: 'Run benchmark' }).click();
          await page.getByTestId('bench-chart').waitFor({ timeout: 120_000 });
          await page.getByText(/^Benchmark of .+ finished\.$/).waitFor({ timeout: 120_000 });
        }
        for (const v of await runAxe()) {
          (v.impact === 'serious' || v.impact === 'critical' ? found : minor).push(`${id} (${size}): ${v.text}`);
        }
        // Nothing wider than the screen: only tables scroll, inside their own region.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) found.push(`${id} (${size}): the page is ${overflow}px wider than the viewport`);
        await page.screenshot({ path: join(SHOTS, `demo-${id}-${size}.png`), fullPage: true });
      }
    }
    await page.setViewportSize(VIEWPORTS.desktop);
    console.log(`axe: ${PAGES.length * 2} page views, ${found.length} serious/critical, ${minor.length} moderate/minor${minor.length ? `:\n  ${minor.join('\n  ')}` : ''}`);
    expect(found).toEqual([]);
  });

  it('a static host without COOP/COEP: the service worker makes the page cross-origin isolated from the second load', async () => {
    const plain = await serveDemo(OUT, 'off');
    const other = watch(await context.newPage());
    try {
      const response = await other.goto(`${plain.origin}/#/device`);
      expect(response?.headers()['cross-origin-embedder-policy']).toBeUndefined();
      expect(await other.evaluate(() => crossOriginIsolated)).toBe(false);
      await other.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await other.reload();
      expect(await other.evaluate(() => crossOriginIsolated)).toBe(true);
      await other.getByTestId('cap-threads').getByText('Yes').waitFor();
    } finally {
      await other.close();
      await plain.close();
    }
  });

  it('WebGPU: the benchmark runs on both backends; the WebGPU build\'s wasm is cached at run time, not precached', async () => {
    // A browser with WebGPU (SwiftShader); the digits MLP uses only standard operators, which
    // the WebGPU build runs (it has no ai.onnx.ml operators).
    const gpu = await chromium.launch({ executablePath: findChrome(), args: WEBGPU_ARGS });
    try {
      const p = watch(await gpu.newPage());
      p.setDefaultTimeout(60_000);
      await p.goto(`${server.origin}/#/device`);
      await p.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await p.getByTestId('cap-webgpu').getByText('Yes').waitFor();
      await p.getByLabel('Model').selectOption('digits');
      await p.getByRole('button', { name: 'Run benchmark' }).click();
      await p.getByText('Benchmark of digits finished.').waitFor({ timeout: 180_000 });
      const rows = await p.getByTestId('bench-table').locator('tbody tr').allInnerTexts();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatch(/^wasm/);
      expect(rows[1]).toMatch(/^webgpu/);
      expect(rows.join('\n')).not.toMatch(/Failed|Not available/);
      const cached = await p.evaluate(async () => (await (await caches.open('ml-predict-demo-webgpu')).keys()).map((r) => r.url));
      expect(cached).toEqual([expect.stringMatching(/\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/)]);
      await p.getByTestId('offline-ready').getByRole('button', { name: 'OK' }).click();
      await p.screenshot({ path: join(SHOTS, 'demo-device-webgpu-desktop.png'), fullPage: true });
    } finally {
      await gpu.close();
    }
  });

  it('a new deployment: the open page offers the update, and reloading runs the new version', async () => {
    // A browser of its own: Chromium's offline emulation (the offline test) can leave the
    // browser's own update check of /sw.js pending, which holds every later update of that
    // registration in the profile used above.
    const other = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
    try {
      const p = watch(await other.newPage());
      p.setDefaultTimeout(60_000);
      await p.goto(`${server.origin}/#/predict`);
      await p.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await p.getByTestId('offline-ready').getByRole('button', { name: 'OK' }).click();
      await p.getByText('Demo e2e-1').waitFor();
      await buildDemo({ outDir: OUT, version: 'e2e-2' });
      await p.getByRole('button', { name: 'Check for updates' }).click();
      const prompt = p.getByTestId('update-prompt');
      await prompt.waitFor();
      await Promise.all([p.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload' }).click()]);
      await p.getByText('Demo e2e-2').waitFor();
      expect(await p.getByTestId('update-prompt').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('no page error and no Content-Security-Policy violation on any page', async () => {
    // A page of its own, loaded afresh on each route, so this does not rest on the tests before it.
    const seen: string[] = [];
    const p = watch(await context.newPage(), seen);
    try {
      for (const id of PAGES) {
        await p.goto(`${server.origin}/#/${id}`);
        await p.reload();
        await p.getByRole('heading', { level: 1 }).waitFor();
        if (id === 'predict') expect(await predictOnPage(p)).toMatch(/^Prediction/);
        if (id === 'batch') await p.getByTestId('batch-drop').waitFor();
        if (id === 'models') await p.getByTestId('storage').waitFor();
        if (id === 'device') await p.getByTestId('capabilities').waitFor();
      }
    } finally {
      await p.close();
    }
    expect(seen).toEqual([]);
  });
});
