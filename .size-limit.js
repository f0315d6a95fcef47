// Size budgets, min+gzip, checked by `npm run size` (after `npm run build` and
// `npm run demo:build`) and reported by `npm run bench` (case P5). onnxruntime-web is a peer
// dependency, so size-limit leaves it out of every bundle. 1 KB = 1,000 bytes here. Each budget
// is the size measured when it was set, plus about 10 %, so that growth is noticed. The core was
// 8.5 KB until inputs were read into checked snapshots and running calls became stoppable
// (issue 22: +3.8 KB); its budget then moved from the old 10 KB target to 13.5 KB. Each entry is measured on its own, with the code of the
// entries it imports (ml-predict/registry loads models through the core, for instance).
// Code the library loads with import() (card, batch and evaluation code, onnxruntime-web) is
// fetched on first use, in chunks of its own: left out here, so each size is what loads up
// front. (size-limit's esbuild bundles without code splitting and would inline it.)
const lazyChunksExternal = {
  name: 'lazy-chunks-external',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};
const esm = (config) => ({ ...config, format: 'esm', plugins: [...(config.plugins ?? []), lazyChunksExternal] });

export default [
  {
    name: 'core: import { loadModel } (main thread, without onnxruntime-web)',
    path: 'dist/index.js',
    import: '{ loadModel }',
    gzip: true,
    limit: '13.5 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'core: every export of ml-predict (main thread, without onnxruntime-web)',
    path: 'dist/index.js',
    import: '*',
    gzip: true,
    limit: '15.5 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: "registry: import { openRegistry } from 'ml-predict/registry' (with the core it loads models through)",
    path: 'dist/registry.js',
    import: '{ openRegistry }',
    gzip: true,
    limit: '18 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: "registry: every export of ml-predict/registry (managed models and cards too)",
    path: 'dist/registry.js',
    import: '*',
    gzip: true,
    limit: '25 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: "batch: every export of ml-predict/batch (with the core and the registry)",
    path: 'dist/batch/index.js',
    import: '*',
    gzip: true,
    limit: '33.5 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'evaluate: every export of ml-predict/evaluate',
    path: 'dist/evaluate/index.js',
    import: '*',
    gzip: true,
    limit: '8 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'tasks: ml-predict/tasks/text',
    path: 'dist/tasks/text.js',
    import: '*',
    gzip: true,
    limit: '1.25 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'tasks: ml-predict/tasks/audio',
    path: 'dist/tasks/audio.js',
    import: '*',
    gzip: true,
    limit: '3 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'tasks: ml-predict/tasks/ocr',
    path: 'dist/tasks/ocr.js',
    import: '*',
    gzip: true,
    limit: '2.4 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'runtime worker script (without onnxruntime-web)',
    path: 'dist/worker/runtime.js',
    gzip: true,
    limit: '21 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: 'batch worker script (CSV reading, without onnxruntime-web)',
    path: 'dist/batch/batch-worker.js',
    gzip: true,
    limit: '17.5 KB',
    modifyEsbuildConfig: esm,
  },
  {
    name: "element: import 'ml-predict/ml-predict.js' (with lit)",
    path: 'dist/element/define.js',
    gzip: true,
    limit: '34 KB',
    modifyEsbuildConfig: esm,
  },
  {
    // What renders the app; worker scripts (the runtime worker, the batch worker) and
    // onnxruntime-web load when they are used.
    name: 'demo app shell: HTML + JS + CSS (without worker scripts and onnxruntime-web)',
    path: [
      'demo-dist/index.html',
      'demo-dist/assets/*.js',
      'demo-dist/assets/*.css',
      '!demo-dist/assets/ort*',
      '!demo-dist/assets/runtime-*',
      '!demo-dist/assets/batch-worker-*',
    ],
    disablePlugins: ['@size-limit/esbuild'],
    gzip: true,
    limit: '85 KB',
  },
];
