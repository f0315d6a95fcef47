/**
 * The same scenarios in Chromium, Firefox ESR and WebKitGTK, each driven through EnginePage
 * (tools/engines/): Playwright, WebDriver BiDi and classic WebDriver underneath. Requests are
 * counted at the server. $ENGINES picks engines (e.g. ENGINES=webkit).
 *   1. <ml-predict> on a plain page (no bundler) under a strict CSP, typed into with real keys;
 *      a reload revalidates the worker script (304) and it starts again.
 *   2. The built demo PWA: service worker, a model stored for offline use, predict, the Batch
 *      sample to the end, the device facts, then offline: a reload renders and predicts with
 *      no request reaching the server. Screenshots of every page per engine.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectedEngines, type EngineName } from '../tools/engines/find.js';
import { launchPage, type EnginePage } from '../tools/engines/page.js';
import type {} from '../tools/engines/in-page.js';
import { buildDemo, ROOT, serveDemo, type DemoServer } from './helpers/demo.js';
import { buildPlainSite, servePlainSite, type SiteServer } from './helpers/plain-site.js';

const SHOTS = resolve(ROOT, 'e2e/screenshots/engines');
const DEMO = resolve(ROOT, 'e2e/.tmp/engines-demo');
const REVIEW = 'An absolutely wonderful film: moving, funny and beautifully acted.';
let site: string;

beforeAll(async () => {
  site = await buildPlainSite();
  await buildDemo({ outDir: DEMO, version: 'engines-1' });
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(() => rmSync(site, { recursive: true, force: true }));

interface Loaded {
  status: string;
  defined: boolean;
  isolated: boolean;
}

/** The element's load, as the page script records it (WebKit's WebDriver may return before module scripts ran). */
async function loadedOn(page: EnginePage): Promise<Loaded> {
  await page.waitFor(30_000, () => '__loaded' in window);
  return page.evaluate(() => (window as unknown as { __loaded: Promise<Loaded> }).__loaded);
}

/** Types "5" rooms and "150" m² with real keys, picks "south", presses Enter on Predict; returns the prediction. */
async function predictHouse(page: EnginePage): Promise<unknown> {
  await page.waitFor(30_000, () => !!deep('ml-predict [part~="form"]', undefined) || !!deepAll('form').length);
  for (const [label, value] of [
    ['rooms', '5'],
    ['area', '150'],
  ] as const) {
    await page.evaluate((l: string) => {
      const input = deepAll('input').find((i) => (i as HTMLInputElement).labels?.[0]?.textContent?.startsWith(l)) as HTMLInputElement;
      input.focus();
      input.select();
    }, label);
    await page.keys([...value].flatMap((c) => [{ down: c }, { up: c }]));
  }
  await page.evaluate(() => {
    const select = deep('select')! as unknown as HTMLSelectElement;
    select.value = 'south';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    deep('button', '^\\s*Predict\\s*$')!.focus();
  });
  await page.keys([{ down: 'Enter' }, { up: 'Enter' }]);
  return page.evaluate(() => (window as unknown as { __prediction: Promise<unknown> }).__prediction);
}

/** Waits until the server has had no request for `quietMs`: the page's own online checks are done. */
async function quiet(server: DemoServer, quietMs = 1000, maxMs = 15_000): Promise<void> {
  const end = Date.now() + maxMs;
  let count = -1;
  while (Date.now() < end && count !== server.requests.length) {
    count = server.requests.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** Navigates the demo to `#/name` and waits for its heading. */
async function show(page: EnginePage, origin: string, name: string, { reload = false } = {}): Promise<void> {
  await page.goto(`${origin}/#/${name}`);
  if (reload) await page.reload();
  await page.waitFor(30_000, () => !!deep('h1'));
}

/** Fills the demo's `<ml-predict>` form (the review for a text model), predicts, returns the result's text. */
async function predictOnDemo(page: EnginePage, review: string): Promise<string> {
  await page.waitFor(60_000, () => !!deep('ml-predict')?.shadowRoot?.querySelector('[part~="form"] button'));
  await page.evaluate((text: string) => {
    const form = deep('ml-predict')!.shadowRoot!.querySelector('[part~="form"]') as HTMLFormElement;
    const area = form.querySelector('textarea');
    if (area) {
      area.value = text;
      area.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    }
    (Array.from(form.querySelectorAll('button')).find((b) => /Predict/.test(b.textContent ?? '')) as HTMLButtonElement).click();
  }, review);
  return page.waitFor(60_000, () => (deep('ml-predict')!.shadowRoot!.querySelector('[part~="result"]')?.textContent ?? '').replace(/\s+/g, ' ').trim());
}

describe.each(selectedEngines())('%s', (engine: EngineName) => {
  describe('<ml-predict> on a plain page under a strict CSP', () => {
    let server: SiteServer;
    let page: EnginePage;
    beforeAll(async () => {
      server = await servePlainSite(site, 'plugin');
      page = await launchPage(engine);
    });
    afterAll(async () => {
      await page?.close();
      await server?.close();
    });

    it('loads from its own origin only, predicts from keys typed into the form, no CSP violation', async () => {
      await page.goto(`${server.origin}/`);
      expect(await loadedOn(page)).toEqual({ status: 'ready', defined: true, isolated: true });
      // 12·5 + 1.5·150 + 40·2 + 7 = 372
      expect(await predictHouse(page)).toEqual({ kind: 'regression', value: 372, unit: 'k€' });
      const shown = await page.evaluate(async () => {
        const el = document.querySelector('ml-predict') as HTMLElement & { updateComplete: Promise<unknown> };
        await el.updateComplete;
        const text = (sel: string) => (el.shadowRoot!.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        return { announced: text('[role="status"]'), result: text('[part~="result"]') };
      });
      expect(shown.announced).toBe('Prediction: 372 k€.');
      expect(shown.result).toMatch(/Prediction ?372 ?k€/);
      expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      const foreign = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith(location.origin)));
      expect(foreign).toEqual([]);
      const paths = server.requests.map((r) => r.path);
      expect(paths).toContain('/ml-predict/runtime.js');
      expect(paths).toContain('/ml-predict/ort/ort-wasm-simd-threaded.wasm');
      expect(server.requests.filter((r) => r.status >= 400 && r.path !== '/favicon.ico')).toEqual([]);
    });

    it('after a reload (the worker script revalidated) it loads and predicts again', async () => {
      const before = server.requests.length;
      await page.reload();
      expect(await loadedOn(page)).toMatchObject({ status: 'ready' });
      expect(await predictHouse(page)).toEqual({ kind: 'regression', value: 372, unit: 'k€' });
      const runtime = server.requests.slice(before).filter((r) => r.path === '/ml-predict/runtime.js');
      console.log(`${engine}: runtime.js after a reload: ${runtime.map((r) => r.status).join(', ') || 'not requested (memory cache)'}`);
    });
  });

  describe(`a server whose 304s lack COOP/COEP (vite's preview.headers by hand)${engine === 'webkit' ? ': WebKit refuses the worker' : ''}`, () => {
    let server: SiteServer;
    let page: EnginePage;
    beforeAll(async () => {
      server = await servePlainSite(site, 'vite-headers');
      page = await launchPage(engine);
    });
    afterAll(async () => {
      await page?.close();
      await server?.close();
    });

    it('load 1 works everywhere; on load 2 (a 304) WebKit refuses the worker twice and the error says why, the others start it', async () => {
      await page.goto(`${server.origin}/`);
      expect(await loadedOn(page)).toMatchObject({ status: 'ready', isolated: true });
      const before = server.requests.length;
      await page.reload();
      await page.waitFor(30_000, () => '__loaded' in window);
      const second = await page.evaluate(() =>
        (window as unknown as { __loaded: Promise<Loaded> }).__loaded.then(
          (l) => l.status,
          (e: Error) => e.message,
        ),
      );
      const runtime = server.requests.slice(before).filter((r) => r.path === '/ml-predict/runtime.js');
      expect(runtime.map((r) => r.status)).toContain(304);
      if (engine === 'webkit') {
        // Started twice: the second start's own script may come whole (200), but the modules it
        // imports are revalidated (304) and refused all the same.
        expect(second).toMatch(/^WORKER_CRASHED: .*failed to start, twice.*304 revalidations/);
        expect(runtime).toHaveLength(2);
      } else {
        expect(second).toBe('ready');
      }
    });
  });

  describe('the built demo PWA', () => {
    let server: DemoServer;
    let page: EnginePage;
    beforeAll(async () => {
      server = await serveDemo(DEMO);
      page = await launchPage(engine, { viewport: { width: 1280, height: 900 } });
    });
    afterAll(async () => {
      await page?.close();
      await server?.close();
    });

    it('service worker in control; a model stored for offline use; the persistence answer comes within its bound', async () => {
      await show(page, server.origin, 'models');
      await page.waitFor(30_000, () => navigator.serviceWorker.controller !== null);
      await page.waitFor(30_000, () => !!deep('[data-testid="offline-ready"]'));
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.evaluate(() => deep('[data-testid="model-sentiment-logreg"] button', 'Make available offline')!.click());
      await page.waitFor(60_000, () => !!deep('[data-testid="model-sentiment-logreg"] [data-testid="cached"]'));
      const asked = Date.now();
      await page.evaluate(() => deep('button', 'Ask to keep models')!.click());
      const answer = await page.waitFor(10_000, () => deep('[data-testid="persistence-answer"]')?.textContent?.trim() ?? '');
      console.log(`${engine}: persistence answer after ${Date.now() - asked} ms: ${answer.split('.')[0]}`);
      await page.screenshot(join(SHOTS, `${engine}-models.png`));
    });

    it('predict: the stored model classifies the review; the Batch sample runs to the end', async () => {
      await show(page, server.origin, 'predict');
      expect(await predictOnDemo(page, REVIEW)).toMatch(/^Prediction ?positive/i);
      await page.screenshot(join(SHOTS, `${engine}-predict.png`));
      await show(page, server.origin, 'batch');
      await page.waitFor(30_000, () => !!deep('[data-testid="batch-samples"] button'));
      await page.evaluate(() => deep('[data-testid="batch-samples"] button')!.click());
      const status = await page.waitFor(120_000, () => {
        const s = deep('[data-testid="batch-job"]')?.dataset.status;
        return s === 'done' || s === 'failed' ? s : undefined;
      });
      const job = await page.evaluate(() => (deep('[data-testid="batch-job"]')!.textContent ?? '').replace(/\s+/g, ' ').trim());
      expect(status, job).toBe('done');
      expect(job).toMatch(/Done/);
      await page.screenshot(join(SHOTS, `${engine}-batch.png`));
    });

    it('device page: the facts of this engine, threads with their reason', async () => {
      await show(page, server.origin, 'device');
      const threads = await page.waitFor(30_000, () => deep('[data-testid="cap-threads"]')?.textContent?.replace(/\s+/g, ' ').trim());
      if (engine === 'webkit') expect(threads).toMatch(/^No \(this browser has no SharedArrayBuffer/);
      else expect(threads).toMatch(/^Yes/);
      await page.screenshot(join(SHOTS, `${engine}-device.png`));
    });

    // Only Chromium's offline emulation covers the service worker's own fetches: elsewhere the
    // service worker's network-first checks of the registry and cards still reach the server.
    const partial = {
      chromium: '',
      firefox: " (Firefox: its offline emulation leaves out the service worker's fetches, so its registry checks reach the server)",
      webkit: ' (WebKit: its WebDriver has no offline switch, so the page believes it is online and checks the registry)',
    }[engine];
    it(`offline: with the server unreachable a reload renders and predicts, and nothing it needs comes from the network${partial}`, async () => {
      await show(page, server.origin, 'predict');
      // Let the page finish refreshing its offline copies (registry, cards) while still online.
      await quiet(server);
      server.down = true;
      await page.setOffline?.(true);
      const before = server.requests.length;
      try {
        await show(page, server.origin, 'predict', { reload: true });
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
        if (page.setOffline) await page.waitFor(30_000, () => /Offline/.test(deep('[data-testid="network"]')?.textContent ?? ''));
        expect(await predictOnDemo(page, REVIEW)).toMatch(/^Prediction ?positive/i);
        await show(page, server.origin, 'models', { reload: true });
        await page.waitFor(30_000, () => !!deep('[data-testid="model-sentiment-logreg"] [data-testid="cached"]'));
        await page.screenshot(join(SHOTS, `${engine}-offline-models.png`));
      } finally {
        await page.setOffline?.(false);
        server.down = false;
      }
      // The browser's own update check for the service worker (/sw.js) may reach the server. A
      // page that believes it is online also asks for the registry and cards (network first),
      // and is answered from its offline copies when the server does not answer.
      const reached = server.requests.slice(before).map((r) => new URL(r.url, server.origin).pathname).filter((p) => p !== '/sw.js');
      const online = (p: string) => p === '/models/registry.json' || /^\/models\/[\w.-]+\.card\.json$/.test(p);
      expect(reached.filter((p) => !online(p))).toEqual([]);
      if (!partial) expect(reached).toEqual([]);
    });
  });
});
