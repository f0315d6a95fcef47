/**
 * Models as data, end to end: a plain site (the browser build of ml-predict, no bundler) serves a
 * registry that `ml-predict publish` writes. A page opens the breast-cancer model with
 * openManagedModel (policy 'auto') and predicts with 1.0.0; the CLI — the executable, as its own
 * process — publishes 1.1.0 as the candidate (the page's update check: still up to date), then
 * moves "stable" to it: the page's next check applies 1.1.0 and predicts with it. The site is
 * never rebuilt, the server never restarted. Chromium.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import { CHROME_ARGS, findChrome } from '../tools/chrome.js';
import { ProtoWriter } from '../lib/model/protobuf.js';
import { stableJson } from '../lib/cli/json.js';
import { fileEntry } from '../lib/cli/naming.js';
import type { ModelCard } from '../lib/model/card.js';
import { cleanup, MODELS, ROOT, spawnCli, tempDir, type Run } from '../test/cli/helpers.js';
import { servePlainSite, type SiteServer } from './helpers/plain-site.js';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>managed model</title><script type="module" src="./page.js"></script></head>
<body><main><h1>Breast cancer, from the registry</h1></main></body>
</html>
`;

// Inline scripts are refused by the site's CSP, so the page's code is a file too.
const PAGE_SCRIPT = `import { openManagedModel } from './ml-predict/registry.js';
const row = ${JSON.stringify((JSON.parse(readFileSync(join(MODELS, 'breast-cancer-1.0.0.card.json'), 'utf8')) as ModelCard).examples![0])}.features;
const predict = async () => {
  const p = await model.predict({ features: [row] });
  return { version: p.version, label: p.result?.label };
};
const model = await openManagedModel('./models/registry.json', 'breast-cancer', { policy: 'auto', backend: 'wasm' });
window.__first = await predict();
window.__check = async () => ({ check: await model.checkForUpdate(), prediction: await predict() });
`;

const original = new Uint8Array(readFileSync(join(MODELS, 'breast-cancer-1.0.0.onnx')));
/** Version 1.1.0: the same graph with another doc_string (protobuf keeps the last field): new bytes. */
const next = new Uint8Array([...original, ...new ProtoWriter().string(6, 'breast-cancer 1.1.0').finish()]);

let site: string;
let server: SiteServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

function expectOk(r: Run): Run {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r;
}

/** A release folder: the model and its card (as ml-predict card would leave them). */
function release(version: string, bytes: Uint8Array): string {
  const dir = tempDir('ml-predict-release-');
  const card = JSON.parse(readFileSync(join(MODELS, 'breast-cancer-1.0.0.card.json'), 'utf8')) as ModelCard;
  writeFileSync(join(dir, `breast-cancer-${version}.onnx`), bytes);
  writeFileSync(join(dir, `breast-cancer-${version}.card.json`), stableJson({ ...card, version, model: fileEntry(`breast-cancer-${version}.onnx`, bytes) }));
  return join(dir, `breast-cancer-${version}.onnx`);
}

beforeAll(async () => {
  site = tempDir('ml-predict-publish-site-');
  execFileSync(process.execPath, [join(ROOT, 'tools/build-browser.mjs'), join(site, 'ml-predict')], { cwd: ROOT, stdio: 'pipe' });
  mkdirSync(join(site, 'models'));
  writeFileSync(join(site, 'index.html'), PAGE);
  writeFileSync(join(site, 'page.js'), PAGE_SCRIPT);
  // The registry starts with 1.0.0, published by the CLI into a registry it creates.
  expectOk(await spawnCli(['publish', release('1.0.0', original), '--registry', join(site, 'models', 'registry.json')]));
  server = await servePlainSite(site, 'plugin');
  browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanup();
});

type Checked = { check: { status: string; version?: string }; prediction: { version: string; label?: string } };

describe('ml-predict publish → openManagedModel in the browser, without a rebuild', () => {
  it('serves 1.0.0; a candidate leaves it serving; moving "stable" to 1.1.0 is applied on the next check', async () => {
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => (window as unknown as { __first?: unknown }).__first !== undefined, undefined, { timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { __first: unknown }).__first)).toEqual({ version: '1.0.0', label: 'malignant' });

    const registry = join(site, 'models', 'registry.json');
    const candidate = expectOk(await spawnCli(['publish', release('1.1.0', next), '--registry', registry, '--alias', 'candidate']));
    expect(candidate.stdout).toContain('Published breast-cancer 1.1.0');
    const check = () => page.evaluate(() => (window as unknown as { __check: () => Promise<Checked> }).__check());
    expect(await check()).toEqual({ check: { status: 'up-to-date', version: '1.0.0' }, prediction: { version: '1.0.0', label: 'malignant' } });

    const stable = expectOk(await spawnCli(['publish', release('1.1.0', next), '--registry', registry, '--alias', 'stable']));
    expect(stable.stdout).toContain('aliases stable → 1.1.0, candidate → 1.1.0');
    expect(await check()).toEqual({ check: { status: 'applied', version: '1.1.0' }, prediction: { version: '1.1.0', label: 'malignant' } });
    // The files the page fetched are the ones the CLI wrote, under their versioned names.
    const fetched = server.requests.filter((r) => r.path.startsWith('/models/')).map((r) => `${r.path} ${r.status}`);
    expect(fetched).toEqual(expect.arrayContaining(['/models/breast-cancer-1.1.0.card.json 200', '/models/breast-cancer-1.1.0.onnx 200']));
    // Chromium asks for /favicon.ico, which the site has not: its 404 is the only failed request.
    expect(server.requests.filter((r) => r.status >= 400)).toEqual([{ path: '/favicon.ico', status: 404 }]);
    expect(problems.filter((p) => !p.startsWith('console: Failed to load resource: the server responded with a status of 404'))).toEqual([]);
  }, 300_000);
});
