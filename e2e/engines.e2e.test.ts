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
import { ROOT } from './helpers/demo.js';
import { buildPlainSite, servePlainSite, type SiteServer } from './helpers/plain-site.js';

const SHOTS = resolve(ROOT, 'e2e/screenshots/engines');
let site: string;

beforeAll(async () => {
  site = await buildPlainSite();
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
});
