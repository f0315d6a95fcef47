/**
 * The Models page's versions, updates and drift panels, in the built demo (`vite build` +
 * `vite preview`, Chromium): sentiment-logreg serves 1.0.0 with 1.1.0 as the candidate; a shadow
 * test compares them on a typed sentence; following the candidate channel offers the update,
 * applying it makes 1.1.0 serve, rolling back returns to 1.0.0 and marks 1.1.0 bad; compareModels
 * on the sample reviews; a drift report for breast-cancer (real rows: no drift; one feature
 * shifted: that feature drifts); axe and screenshots at desktop and phone sizes.
 *
 * The build is demo.e2e.test.ts's (e2e/.tmp/demo-build), reused when it is newer than every
 * source file; otherwise this file builds it once, the same way.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright';
import { CHROME_ARGS, findChrome } from '../tools/chrome.js';
import { buildDemo, ROOT, serveDemo, type DemoServer } from './helpers/demo.js';

const OUT = resolve(ROOT, 'e2e/.tmp/demo-build');
const SHOTS = resolve(ROOT, 'e2e/screenshots');
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const AXE = readFileSync(resolve(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const SOURCES = ['demo', 'lib', 'public', 'package.json'];

/** Newest modification time of any file under these paths. */
function newest(paths: string[]): number {
  let max = 0;
  const walk = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else max = Math.max(max, s.mtimeMs);
  };
  for (const p of paths) if (existsSync(resolve(ROOT, p))) walk(resolve(ROOT, p));
  return max;
}

let server: DemoServer;
let context: BrowserContext;
let page: Page;
let profile: string;
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

async function runAxe(): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} ${v.targets.join(' ')}`);
}

const version = (panel: Locator, v: string) => panel.getByTestId(`version-${v}`);

beforeAll(async () => {
  const index = join(OUT, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(SOURCES)) await buildDemo({ outDir: OUT, version: 'e2e-1' });
  server = await serveDemo(OUT);
  profile = mkdtempSync(join(tmpdir(), 'ml-predict-lifecycle-'));
  // The service worker is blocked here: through it, the registry's conditional request (ETag)
  // fails and every update check reads 'offline' (the known bug the last test of this file
  // records). The lifecycle flow is tested against the server directly until it is fixed.
  context = await chromium.launchPersistentContext(profile, { executablePath: findChrome(), args: CHROME_ARGS, viewport: VIEWPORTS.desktop, serviceWorkers: 'block' });
  context.setDefaultTimeout(60_000);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
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

describe('Models page: versions, updates, shadow test, comparison and drift', () => {
  it('sentiment-logreg serves 1.0.0 (stable) with 1.1.0 as the candidate; the shadow test compares them on a typed sentence', async () => {
    await page.goto(`${server.origin}/#/models`);
    const panel = page.getByTestId('lifecycle-sentiment-logreg');
    await version(panel, '1.0.0').getByTestId('active').waitFor();
    await version(panel, '1.0.0').getByTestId('alias-stable').waitFor();
    await version(panel, '1.1.0').getByTestId('alias-candidate').waitFor();
    expect(await version(panel, '1.1.0').getByTestId('active').count()).toBe(0);
    await panel.getByTestId('check-current').waitFor();

    await panel.getByLabel('Shadow-test the candidate').check();
    await panel.getByTestId('check-shadowing').waitFor();
    await panel.getByLabel('Try a sentence').fill('A wonderful film, beautifully acted and very moving.');
    await panel.getByRole('button', { name: 'Predict', exact: true }).click();
    await expect.poll(() => panel.getByTestId('answered-by').textContent()).toBe('1.0.0');
    await expect.poll(() => panel.getByTestId('agreement-inputs').textContent()).toBe('1');
    await panel.getByLabel('Shadow-test the candidate').uncheck();
    await panel.getByTestId('check-current').waitFor();
  });

  it('following the candidate channel offers 1.1.0; applying it makes 1.1.0 serve; rolling back returns to 1.0.0 and marks 1.1.0 bad', async () => {
    const panel = page.getByTestId('lifecycle-sentiment-logreg');
    await panel.getByLabel('Follow channel').selectOption('candidate');
    await panel.getByTestId('update-badge').waitFor();
    await panel.getByTestId('update-available').waitFor();
    await panel.getByRole('button', { name: 'Apply update to 1.1.0' }).click();
    await version(panel, '1.1.0').getByTestId('active').waitFor();
    await version(panel, '1.0.0').getByTestId('last-good').waitFor();
    await panel.getByRole('button', { name: 'Predict', exact: true }).click();
    await expect.poll(() => panel.getByTestId('answered-by').textContent()).toBe('1.1.0');

    await panel.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
    await version(panel, '1.0.0').getByTestId('active').waitFor();
    await version(panel, '1.1.0').getByTestId('bad').getByText('ROLLED_BACK').waitFor();
    await panel.getByRole('button', { name: 'Predict', exact: true }).click();
    await expect.poll(() => panel.getByTestId('answered-by').textContent()).toBe('1.0.0');
    // The choice survives a reload: 1.0.0 still serves, 1.1.0 still marked bad.
    await page.reload();
    await version(panel, '1.0.0').getByTestId('active').waitFor();
    await version(panel, '1.1.0').getByTestId('bad').waitFor();
    await panel.getByTestId('check-bad').waitFor();
  });

  it('compareModels: 1.0.0 and 1.1.0 on the 1,000 sample reviews', async () => {
    const panel = page.getByTestId('lifecycle-sentiment-logreg');
    await panel.getByRole('button', { name: 'Compare 1.0.0 with 1.1.0' }).click();
    const compare = panel.getByTestId('compare');
    await expect.poll(() => compare.getByTestId('agreement-inputs').textContent(), { timeout: 120_000 }).toBe('1,000');
    const share = (await compare.getByTestId('agreement-share').textContent()) ?? '';
    console.log(`compareModels 1.0.0 vs 1.1.0: same label ${share}`);
    expect(share).toMatch(/^\d+(\.\d)? % \(\d+ of 1,000\)$/);
  });

  it('breast-cancer drift: the sample rows raise no dataset drift; shifting one feature by 2 std makes it drift', async () => {
    const panel = page.getByTestId('drift-breast-cancer');
    await panel.getByRole('button', { name: 'Monitor the sample rows' }).click();
    await panel.getByTestId('drift-verdict').getByText('No dataset drift').waitFor();
    expect(await panel.locator('[data-testid="drift-chart"] g[data-feature]').count()).toBe(30);
    await panel.getByLabel('Feature to shift').selectOption('mean radius');
    await panel.getByRole('button', { name: 'Simulate: shift it by +2 std' }).click();
    await panel.getByText('a simulation, not real data').waitFor();
    await panel.locator('[data-testid="drift-chart"] g.drifted[data-feature="mean radius"]').waitFor();
    expect(await panel.getByTestId('drift-verdict').textContent()).toMatch(/No dataset drift|Dataset drift/);
  });

  it('axe finds no serious or critical violation; screenshots at desktop and phone sizes', async () => {
    const toast = page.getByTestId('offline-ready');
    if ((await toast.count()) > 0) await toast.getByRole('button', { name: 'OK' }).click();
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await page.getByTestId('lifecycle-sentiment-logreg').scrollIntoViewIfNeeded();
      expect(await runAxe(), size).toEqual([]);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(wide, `${size}: page wider than the viewport`).toBeLessThanOrEqual(0);
      await page.getByTestId('lifecycle').screenshot({ path: join(SHOTS, `demo-models-lifecycle-${size}.png`) });
    }
    await page.setViewportSize(VIEWPORTS.desktop);
  });

  // The service worker lets ml-predict's revalidation (If-None-Match) through to the network, so
  // the update check sees the registry's 304 rather than reading as offline.
  it('with the service worker in control, the update check reaches the registry', async () => {
    const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ml-predict-lifecycle-sw-')), { executablePath: findChrome(), args: CHROME_ARGS });
    try {
      const sw = watch(ctx.pages()[0] ?? (await ctx.newPage()));
      sw.setDefaultTimeout(30_000);
      await sw.goto(`${server.origin}/#/models`);
      await sw.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await sw.reload();
      const panel = sw.getByTestId('lifecycle-sentiment-logreg');
      await panel.getByTestId('check-offline').or(panel.getByTestId('check-current')).waitFor();
      expect(await panel.getByTestId('check-offline').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it('no page error and no Content-Security-Policy violation', async () => {
    // A page of its own, so this does not rest on the tests before it: the Models page loads,
    // its lifecycle and drift panels render, and a prediction runs.
    const seen: string[] = [];
    const p = watch(await context.newPage(), seen);
    try {
      await p.goto(`${server.origin}/#/models`);
      const panel = p.getByTestId('lifecycle-sentiment-logreg');
      await panel.getByTestId('active').first().waitFor();
      await p.getByTestId('drift-breast-cancer').waitFor();
      await panel.getByLabel('Try a sentence').fill('A wonderful film, beautifully acted and very moving.');
      await panel.getByRole('button', { name: 'Predict', exact: true }).click();
      await expect.poll(() => panel.getByTestId('answered-by').textContent()).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      await p.close();
    }
    expect(seen).toEqual([]);
  });
});
