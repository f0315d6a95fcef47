// Builds dist/browser/: the library and <ml-predict> for pages with no bundler, as plain ES
// modules that import each other by relative URL (no bare specifiers: import maps do not reach
// workers, and the runtime worker imports comlink, idb-keyval and onnxruntime-web).
//   ml-predict.js   defines <ml-predict> (lit bundled in)      <script type="module" src=".../ml-predict.js">
//   index.js        the root entry (loadModel, errors, cache management…)
//   registry.js, batch.js, evaluate.js, tasks-text.js, tasks-audio.js, tasks-ocr.js
//                   the other entries (ml-predict/registry, ml-predict/batch, …)
//   runtime.js      the runtime worker (found by host code through new URL('./runtime.js', import.meta.url))
//   batch-worker.js the batch jobs' CSV worker (found the same way)
//   ort/            onnxruntime-web's own files, unchanged: their threads and .wasm are found beside them
// Usage: node tools/build-browser.mjs [outDir]   (default dist/browser)
import { build } from 'rolldown';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'browser'));
const ort = join(root, 'node_modules', 'onnxruntime-web', 'dist');

// onnxruntime-web stays its own file: its wasm threads start workers from its own URL, which a
// bundled copy (renamed chunk) would break. These builds find their .wasm beside them.
const ortBuilds = { 'onnxruntime-web/wasm': 'ort.wasm.bundle.min.mjs', 'onnxruntime-web/webgpu': 'ort.webgpu.bundle.min.mjs' };
const ortWasm = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.wasm'];

rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: {
    'ml-predict': 'lib/element/define.ts',
    index: 'lib/index.ts',
    registry: 'lib/registry.ts',
    batch: 'lib/batch/index.ts',
    evaluate: 'lib/evaluate/index.ts',
    'tasks-text': 'lib/tasks/text.ts',
    'tasks-audio': 'lib/tasks/audio.ts',
    'tasks-ocr': 'lib/tasks/ocr.ts',
    runtime: 'lib/worker/runtime.ts',
    'batch-worker': 'lib/batch/batch-worker.ts',
  },
  external: Object.keys(ortBuilds),
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  resolve: { conditionNames: ['production', 'browser', 'import', 'default'] },
  output: {
    dir: out,
    format: 'esm',
    minify: true,
    sourcemap: true,
    entryFileNames: '[name].js',
    // Every chunk in one folder, so new URL('./runtime.js', import.meta.url) finds the worker from any of them.
    chunkFileNames: '[name]-[hash].js',
    paths: (id) => (ortBuilds[id] ? `./ort/${ortBuilds[id]}` : id),
  },
});
mkdirSync(join(out, 'ort'), { recursive: true });
for (const file of [...Object.values(ortBuilds), ...ortWasm]) copyFileSync(join(ort, file), join(out, 'ort', file));
console.log(`browser build in ${out}`);
