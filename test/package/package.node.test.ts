/**
 * The package as a user installs it: the built dist/ (rebuilt when a source is newer) packed with
 * `npm pack`, then
 * - publint finds nothing to report about package.json and the packed files;
 * - arethetypeswrong finds no problem for any subpath under the resolutions an ES-module-only
 *   package supports (its "esm-only" profile: node16 from ES modules, and bundlers);
 * - every entry is tree-shaken: one value imported from an entry bundles none of the code of the
 *   concerns it does not need, and `import { loadModel }` stays within its 13.5 KB min+gzip budget;
 * - the root has at most 25 value exports, no entry exports a statistics internal or a wire type.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, ROOT, ensureBuild, moduleEntries } from './build.js';

const TIMEOUT = 120_000;
let packDir: string;
let tarball: Uint8Array;

beforeAll(() => {
  ensureBuild();
  packDir = mkdtempSync(join(tmpdir(), 'ml-predict-pack-'));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  tarball = new Uint8Array(readFileSync(join(packDir, packed!.filename)));
}, TIMEOUT);
afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

describe('the published package', () => {
  it('publint reports nothing (no error, warning or suggestion)', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const { messages, pkg } = await publint({ pack: { tarball: tarball.buffer as ArrayBuffer }, level: 'suggestion', strict: true });
    expect(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg) ?? ''}`)).toEqual([]);
  }, TIMEOUT);

  it('arethetypeswrong finds no problem for any subpath (esm-only profile: node16 from ESM, bundler)', async () => {
    const { checkPackage, createPackageFromTarballData } = await import('@arethetypeswrong/core');
    const { problemAffectsResolutionKind } = await import('@arethetypeswrong/core/problems');
    const result = await checkPackage(createPackageFromTarballData(tarball));
    if (!('problems' in result)) throw new Error(`arethetypeswrong found no types in the package (${JSON.stringify(result.types)}).`);
    expect(Object.keys(result.entrypoints).sort()).toEqual(Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports).sort());
    const problems = result.problems.filter((p) => (['node16-esm', 'bundler'] as const).some((kind) => problemAffectsResolutionKind(p, kind, result)));
    expect(problems.map((p) => JSON.stringify(p))).toEqual([]);
  }, TIMEOUT);
});

/** Code loaded with import() is fetched on first use, in a chunk of its own: left out, as in .size-limit.js. */
const lazyChunksExternal: Plugin = {
  name: 'lazy-chunks-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/** Bundles `import { name } from entry` (minified, ESM, onnxruntime-web left out); returns the files whose code is in it and its gzip size. */
async function bundle(entry: string, name: string): Promise<{ files: string[]; gzip: number }> {
  const result = await build({
    stdin: { contents: `export { ${name} } from './${entry}';`, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    platform: 'browser',
    outfile: 'bundle.js',
    metafile: true,
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    plugins: [lazyChunksExternal],
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const files = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { files, gzip: gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length };
}

/** Per entry: one value a user imports, and the code (dist/ paths, package folders) that must not come with it. */
const SHAKEN: { entry: string; value: string; without: string[] }[] = [
  {
    entry: 'dist/index.js',
    value: 'loadModel',
    without: ['dist/registry.js', 'dist/model/registry.js', 'dist/model/card.js', 'dist/update/', 'dist/evaluate/', 'dist/batch/', 'dist/tasks/', 'dist/element/', 'node_modules/papaparse/', 'node_modules/lit'],
  },
  { entry: 'dist/registry.js', value: 'openRegistry', without: ['dist/update/', 'dist/evaluate/', 'dist/batch/', 'dist/element/', 'dist/tasks/audio.js', 'dist/tasks/ocr.js'] },
  { entry: 'dist/registry.js', value: 'validateCard', without: ['dist/model/load.js', 'dist/worker/', 'dist/update/', 'dist/evaluate/', 'dist/batch/'] },
  {
    entry: 'dist/evaluate/index.js',
    value: 'compareModels',
    without: ['dist/evaluate/drift.js', 'dist/evaluate/stats.js', 'dist/evaluate/distances.js', 'dist/model/load.js', 'dist/worker/', 'dist/batch/', 'dist/update/'],
  },
  { entry: 'dist/evaluate/index.js', value: 'driftReport', without: ['dist/evaluate/agreement.js', 'dist/model/load.js', 'dist/worker/', 'dist/batch/', 'dist/update/'] },
  { entry: 'dist/batch/index.js', value: 'createBatchJob', without: ['dist/evaluate/', 'dist/update/', 'dist/element/', 'dist/tasks/audio.js', 'dist/tasks/ocr.js'] },
  { entry: 'dist/tasks/text.js', value: 'textToTensor', without: ['dist/model/', 'dist/worker/', 'dist/tasks/audio.js', 'dist/tasks/ocr.js'] },
  { entry: 'dist/tasks/audio.js', value: 'detectSpeech', without: ['dist/model/', 'dist/worker/', 'dist/tasks/text.js', 'dist/tasks/ocr.js'] },
  { entry: 'dist/tasks/ocr.js', value: 'recognizeText', without: ['dist/model/', 'dist/worker/', 'dist/tasks/text.js', 'dist/tasks/audio.js'] },
];

describe('tree-shaking', () => {
  it.each(SHAKEN)('import { $value } from $entry bundles none of $without', async ({ entry, value, without }) => {
    const { files } = await bundle(entry, value);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => without.some((prefix) => file.startsWith(prefix)))).toEqual([]);
  }, TIMEOUT);

  it("import { loadModel } from 'ml-predict' is at most 13.5 KB min+gzip (onnxruntime-web and import() chunks left out)", async () => {
    const { gzip } = await bundle('dist/index.js', 'loadModel');
    expect(gzip).toBeLessThanOrEqual(13_500);
  }, TIMEOUT);
});

/** Every name (values and types) a built declaration file exports, through its re-exports; with `ownOnly`, those it declares itself. */
function exportedNames(program: ts.Program, file: string, ownOnly = false): { values: string[]; types: string[] } {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not in the program.`);
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (ownOnly && !target.declarations?.some((d) => d.getSourceFile() === source)) continue;
    if (target.flags & ts.SymbolFlags.Value) values.push(symbol.name);
    else types.push(symbol.name);
  }
  return { values, types };
}

/** Statistics functions and renamed vague names: internal, exported from no entry. */
const INTERNAL = [
  'ksTwoSample',
  'chiSquaredTest',
  'zTestProportions',
  'gammaP',
  'gammaQ',
  'logGamma',
  'kolmogorovSf',
  'chiSquaredSf',
  'normalTwoSided',
  'jensenShannon',
  'jensenShannonDistance',
  'jensenShannonCounts',
  'wasserstein1',
  'wassersteinNormed',
  'populationStd',
  'decide',
  'SILERO_AUDIO',
  'PPOCR_IMAGE',
  'PrefetchReply',
];

describe('what each entry exports', () => {
  const entries = moduleEntries();
  let program: ts.Program;
  let wire: string[];
  beforeAll(() => {
    ensureBuild();
    const protocols = ['worker/protocol.d.ts', 'batch/protocol.d.ts'].map((f) => join(DIST, f));
    program = ts.createProgram([...entries.map((e) => join(ROOT, e.types)), ...protocols], { noEmit: true, skipLibCheck: true, types: [] });
    // The messages between a page and its workers: no entry exports them (PrefetchResult is prefetchModel()'s result).
    wire = protocols.flatMap((file) => {
      const { values, types } = exportedNames(program, file, true);
      return [...values, ...types];
    });
  }, TIMEOUT);

  it('the root has at most 25 value exports, and the module has exactly the values its declarations list', async () => {
    const root = exportedNames(program, join(ROOT, 'dist/index.d.ts'));
    expect(root.values.length, root.values.join(', ')).toBeLessThanOrEqual(25);
    const runtime = Object.keys(await import(pathToFileURL(join(DIST, 'index.js')).href));
    expect(runtime.sort()).toEqual([...root.values].sort());
  });

  it('no entry exports a statistics internal, an old vague name or a wire type', () => {
    expect(wire.length).toBeGreaterThan(0);
    const offending = entries.flatMap(({ subpath, types }) => {
      const { values, types: typeNames } = exportedNames(program, join(ROOT, types));
      return [...values, ...typeNames].filter((name) => INTERNAL.includes(name) || (wire.includes(name) && name !== 'PrefetchResult')).map((name) => `${subpath}: ${name}`);
    });
    expect(offending).toEqual([]);
  });
});
