/**
 * The built package, consumed as a user would: `npm pack`, install the tarball into a fresh vite
 * app, build it, serve it with `vite preview`, and predict in Chromium — with every request on
 * the app's own origin (onnxruntime's wasm included). Also: importing the package and bundling
 * it leaves nothing behind (tree-shaken to nothing).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright';
import { CHROME_ARGS, findChrome } from '../tools/chrome.js';
import { sigmoidModel } from '../test/fixtures/models.js';

const root = resolve(import.meta.dirname, '..');
const app = mkdtempSync(join(tmpdir(), 'ml-predict-app-'));
let preview: ChildProcess | undefined;
let browser: Browser | undefined;
let origin = '';

function run(cmd: string, args: string[], cwd: string) {
  return execFileSync(cmd, args, { cwd, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', npm_config_loglevel: 'error' } });
}

const version = (pkg: string) => (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  run('npm', ['run', 'build'], root);
  const packed = run('npm', ['pack', '--pack-destination', app, '--json'], root);
  const tarball = (JSON.parse(packed) as { filename: string }[])[0]!.filename;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fixture-app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(app, tarball), `vite@${version('vite')}`, `onnxruntime-web@${version('onnxruntime-web')}`], app);
  mkdirSync(join(app, 'public'));
  writeFileSync(join(app, 'public', 'model.onnx'), sigmoidModel());
  writeFileSync(
    join(app, 'vite.config.js'),
    `import { mlPredict } from 'ml-predict/vite';\nexport default { plugins: [mlPredict()], build: { rollupOptions: { input: ['index.html', 'bare.html'] } } };\n`,
  );
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>loading</title><script type="module" src="/main.js"></script>');
  writeFileSync(
    join(app, 'main.js'),
    `import { loadModel } from 'ml-predict';
const model = await loadModel('/model.onnx', { backend: 'wasm', cache: 'none' });
const out = await model.predict({ x: [[1, 2, 3, 4], [0, 0, 0, 0]] });
document.title = 'done ' + JSON.stringify({ dims: out.y.dims, n: out.y.data.length, backend: model.info.backend.name, isolated: crossOriginIsolated });
`,
  );
  // A page that imports the package and uses nothing: the bundle must keep nothing of it.
  writeFileSync(join(app, 'bare.html'), '<!doctype html><title>bare</title><script type="module" src="/bare.js"></script>');
  writeFileSync(join(app, 'bare.js'), `import 'ml-predict';\ndocument.title = 'bare';\n`);
  run('npx', ['vite', 'build'], app);
  // vite's own script, not `npx vite`: killing npx would leave the server running after the tests.
  preview = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'preview', '--port', '0', '--strictPort', 'false', '--host', '127.0.0.1'], { cwd: app, stdio: 'pipe' });
  origin = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    preview!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // eslint-disable-next-line no-control-regex -- strip the terminal colours vite prints
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) resolveUrl(`http://127.0.0.1:${m[1]}`);
    });
    preview!.on('exit', (code) => reject(new Error(`vite preview exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  preview?.kill();
});

describe('the packed package in a vite app', () => {
  it('predicts, with every request on the app’s own origin (wasm included)', async () => {
    const page = await browser!.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('worker', (w) => w.url() && requests.push(w.url()));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.title.startsWith('done'), undefined, { timeout: 120_000 });
    const result = JSON.parse((await page.title()).slice(5)) as { dims: number[]; n: number; backend: string; isolated: boolean };
    expect(result).toEqual({ dims: [2, 2], n: 4, backend: 'wasm', isolated: true });
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(requests.some((u) => /\.wasm$/.test(new URL(u).pathname))).toBe(true);
    await page.close();
  });

  it('the build emits the worker and onnxruntime’s wasm as its own assets', () => {
    const assets = readdirSync(join(app, 'dist', 'assets'));
    expect(assets.some((f) => /^runtime-.*\.js$/.test(f))).toBe(true);
    expect(assets.some((f) => /^ort-wasm-simd-threaded.*\.wasm$/.test(f))).toBe(true);
    // A wasm-only app never ships the WebGPU build's 27 MB wasm… unless a backend asks for it at run time:
    // the webgpu build is a separate lazy chunk, fetched only when WebGPU is tried.
    const main = readdirSync(join(app, 'dist', 'assets')).filter((f) => /^index-.*\.js$/.test(f));
    for (const f of main) expect(readFileSync(join(app, 'dist', 'assets', f), 'utf8')).not.toMatch(/jsep|asyncify/);
  });

  it('importing the package without using it bundles to nothing of it', () => {
    const bare = readdirSync(join(app, 'dist', 'assets')).filter((f) => /^bare-.*\.js$/.test(f));
    expect(bare).toHaveLength(1);
    const code = readFileSync(join(app, 'dist', 'assets', bare[0]!), 'utf8');
    expect(code).not.toMatch(/Worker|ml-predict-runtime|comlink|indexedDB/);
    expect(code.length).toBeLessThan(400);
  });
});
