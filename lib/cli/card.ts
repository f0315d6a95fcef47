/**
 * `ml-predict card model.onnx --data train.csv`: a model card from the model and its training
 * data. The model is loaded as `loadModel` would load it (runtime.ts), the CSV is read once for
 * the columns (table.ts) and fitted to the inputs (fit.ts), every row is predicted the way a
 * browser CSV job with the new card would predict it (predict.ts), and the card gets features,
 * reference statistics for drift (stats.ts, the model kit's), metrics against the label column,
 * examples with the model's own predictions, and the model file's sha256 and size. The card
 * must pass validateCard; it is written atomically.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkCardInputs, validateCard, type CardInput, type CategoryStats, type FeatureStats, type ModelCard } from '../model/card.js';
import { bool, list, num, parseArgs, str, type CommandSpec } from './args.js';
import { EXIT, fileError, usageError } from './errors.js';
import { writeAtomic, readBytes } from './files.js';
import { categoriesOf, featuresOf, labelColumn, planInputs, planOutputs, type InputPlan, type OutputPlan } from './fit.js';
import { stableJson } from './json.js';
import { withModel, type CardDraft } from './naming.js';
import { predictTable, probabilitiesOf, type Predictions } from './predict.js';
import type { Io } from './progress.js';
import { openSession, prepareGraph } from './runtime.js';
import { split } from './split.js';
import { argmax, categoryStats, classificationMetrics, featureStats, labelCounts, regressionMetrics, round4, round7 } from './stats.js';
import { csvError, readTable, type Table } from './table.js';

export const CARD_SPEC: CommandSpec = {
  name: 'card',
  summary:
    'Writes a model card for an ONNX model from its training CSV: features with types, ranges or categories and defaults, output labels, reference statistics for drift checks, metrics against the label column, examples with the model\'s own predictions, and the model file\'s sha256 and size. Every row is predicted through the model first (onnxruntime-web\'s wasm build, as in the browser); columns that do not fit the model\'s inputs are refused, naming them.',
  positionals: [{ name: 'MODEL', help: 'The .onnx file.' }],
  flags: [
    { name: 'data', value: 'FILE', help: 'The training CSV (required): a header row naming the columns, then one row per example.' },
    { name: 'label', value: 'COLUMN', help: 'The column with the true label or value: left out of the features, used for metrics and the reference label counts.' },
    { name: 'labels', value: 'A,B,…', help: 'Names of the classes, in the order of the model\'s probabilities (default: ZipMap\'s class labels, else the class indices).' },
    { name: 'task', value: 'TASK', help: 'binary-classification, multiclass-classification or regression (default: from the outputs).' },
    { name: 'name', value: 'NAME', help: 'The model\'s name (default: the file name without .onnx and a -VERSION ending).' },
    { name: 'version', value: 'VERSION', help: 'Its semantic version (default: the file name\'s -VERSION ending, else 1.0.0).' },
    { name: 'description', value: 'TEXT', help: 'What the model does, for people.' },
    { name: 'license', value: 'TEXT', help: 'The model\'s license (default "unspecified").' },
    { name: 'drop', value: 'COLUMNS', help: 'Columns to leave out (comma-separated).', repeat: true },
    { name: 'columns', value: 'NAMES|@FILE', help: 'Names for the CSV\'s columns, in order (comma-separated, or @file with one per line): replaces the header row\'s, and names scikit-learn\'s dataset CSVs, whose header is "rows,features,class names".' },
    { name: 'no-header', help: 'The CSV has no header row (give the names with --columns).' },
    { name: 'holdout', value: 'FRACTION', help: 'Hold out this share of the rows (stratified by label, seeded): statistics from the rest, metrics and examples from these.' },
    { name: 'seed', value: 'N', help: 'Seed of the hold-out split and of the reference samples (default 42).' },
    { name: 'out', value: 'FILE', help: 'Where to write the card (default: MODEL with .card.json for .onnx).' },
    { name: 'quiet', help: 'No progress on stderr.' },
  ],
  details: [
    'Models: one input [N, features] takes every column but the label and the dropped ones, in file order; a model with one [N, 1] input per column (skl2onnx pipelines) takes each from the column of its name (string inputs are categories). Empty cells are missing values where the graph imputes them (an Imputer or IsNaN reads the input), an error elsewhere.',
    'Example: ml-predict card model.onnx --data train.csv --label species',
  ],
};

const q = JSON.stringify;

function namesFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('@')) return value.split(',').map((s) => s.trim());
  const file = value.slice(1);
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  } catch (e) {
    throw fileError(e, file, 'read');
  }
}

/** Name and version from the file name: `titanic-1.0.0.onnx` → titanic 1.0.0, `My Model.onnx` → my-model. */
function fromFileName(model: string): { name: string; version?: string } {
  const base = basename(model).replace(/\.onnx$/i, '');
  const m = /^(.+?)-(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)$/.exec(base);
  const name = (m ? m[1]! : base).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return { name: name || 'model', ...(m && { version: m[2]! }) };
}

/** The class names, in the order of the probabilities. */
function classNames(given: string[] | undefined, outputs: OutputPlan, table: Table, k: number, io: Io): string[] {
  const check = (names: string[], from: string) => {
    if (names.length !== k) throw usageError(`${from} names ${names.length} classes (${names.map((n) => q(n)).join(', ')}), but the model gives probabilities for ${k}.`);
    return names;
  };
  if (given) return check(given, '--labels');
  if (outputs.labels) return check(outputs.labels, "ZipMap's classlabels");
  if (table.sklearnLabels?.length === k) return table.sklearnLabels;
  const indices = Array.from({ length: k }, (_, i) => String(i));
  if (!io.quiet) io.err(`ml-predict: the labels are the class indices ${indices.map((n) => q(n)).join(', ')}: name them with --labels.\n`);
  return indices;
}

/** Each row's true class index (or value), from the label column. */
function truthOf(table: Table, labelIndex: number, outputs: OutputPlan, names: string[]): number[] {
  const c = table.columns[labelIndex]!;
  const out: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    const code = c.codes?.[r];
    const text = code === undefined ? undefined : code < 0 ? '' : c.distinct[code];
    if (text === '' || (text === undefined && Number.isNaN(c.numbers[r]))) {
      throw csvError(table.file, `row ${r + 1}, column ${q(c.name)} (the label) is empty; every training row needs its ${outputs.task === 'regression' ? 'value' : 'label'}.`, { row: r + 1, column: c.name });
    }
    if (outputs.task === 'regression') {
      if (Number.isNaN(c.numbers[r])) throw csvError(table.file, `row ${r + 1}, column ${q(c.name)} (the label): ${q(text)} is not a number; a regressor's label is its value.`, { row: r + 1, column: c.name });
      out.push(c.numbers[r]!);
      continue;
    }
    let i = text === undefined ? -1 : names.indexOf(text);
    const v = c.numbers[r]!;
    if (i < 0 && Number.isInteger(v) && v >= 0 && v < names.length) i = v;
    if (i < 0) {
      throw csvError(table.file, `row ${r + 1}, column ${q(c.name)} (the label): ${q(text ?? String(v))} is not a class; expected one of ${names.map((n) => q(n)).join(', ')} or a class index 0–${names.length - 1}.`, { row: r + 1, column: c.name });
    }
    out.push(i);
  }
  return out;
}

/** One example row: the fed values (as the card's input kind takes them) and the model's prediction. */
function exampleOf(table: Table, plan: InputPlan, card: { input: CardInput }, r: number, prediction: Record<string, unknown>): Record<string, unknown> {
  const cell = (i: number, category: boolean) => {
    const c = table.columns[i]!;
    if (category) return c.distinct[c.codes![r]!]!;
    const v = c.numbers[r]!;
    return Number.isNaN(v) ? null : v;
  };
  if (plan.kind === 'features') return { features: plan.columns.map((i) => cell(i, false)), ...prediction };
  const features = card.input.kind === 'columns' ? card.input.features : [];
  return { ...Object.fromEntries(plan.inputs.map((x, j) => [features[j]!.name, cell(x.column, x.tensor.type === 'string')])), ...prediction };
}

export interface CardOptions {
  model: string;
  data: string;
  label?: string;
  labels?: string[];
  task?: string;
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  drop?: string[];
  columns?: string[];
  noHeader?: boolean;
  holdout?: number;
  seed?: number;
}

/** Makes the card (nothing is written). */
export async function makeCard(o: CardOptions, io: Io): Promise<ModelCard> {
  const bytes = readBytes(o.model);
  const file = basename(o.model);
  const graph = prepareGraph(bytes, file);
  const table = await readTable(o.data, io, { columns: o.columns, noHeader: o.noHeader });
  const session = await openSession(graph, file);
  try {
    const plan = planInputs(table, session.inputs, { label: o.label, drop: o.drop });
    const outputs = planOutputs(session.outputs, graph.zipMaps, o.task);
    const everyRow = Array.from({ length: table.rows }, (_, i) => i);
    const features = featuresOf(table, plan, everyRow);
    const input: CardInput = plan.kind === 'features' ? { kind: 'features', tensor: plan.tensor.name, features } : { kind: 'columns', features };
    const named = fromFileName(o.model);
    const name = o.name ?? named.name;
    const version = o.version ?? named.version ?? '1.0.0';
    const draft = { name, version, task: outputs.task, description: '', input, outputs: {}, model: { file, sha256: '', bytes: 0 }, license: '' } as ModelCard;
    const predictions = await predictTable(table, draft, session, outputs, io);
    const classifier = outputs.task !== 'regression';
    const labelIndex = labelColumn(table, { label: o.label });
    const names = classifier ? classNames(o.labels, outputs, table, predictions.k, io) : undefined;
    const truth = labelIndex >= 0 ? truthOf(table, labelIndex, outputs, names ?? []) : undefined;
    const seed = o.seed ?? 42;
    const parts = o.holdout ? split(table.rows, o.holdout, seed, classifier ? truth : undefined) : { train: everyRow, test: everyRow };
    if (o.holdout && (parts.test.length === 0 || parts.train.length === 0)) {
      throw usageError(`--holdout ${o.holdout} of ${table.rows} rows leaves ${parts.train.length} training and ${parts.test.length} held-out rows; both need at least one.`);
    }
    const trainFeatures = featuresOf(table, plan, parts.train);
    input.features = trainFeatures;
    const predicted = (r: number) => (predictions.probabilities ? argmax(probabilitiesOf(predictions, r)) : -1);
    const reference = referenceOf(table, plan, parts.train, seed, o.holdout, truth, names, predicted);
    const metrics = truth ? metricsOf(truth, predictions, parts.test, classifier, Boolean(o.holdout), names?.length ?? 0) : undefined;
    const examples = parts.test.slice(0, 3).map((r) =>
      exampleOf(table, plan, { input }, r, classifier ? { label: names![predicted(r)] } : { value: round7(predictions.values![r]!) }),
    );
    const cardOutputs = classifier
      ? { ...(outputs.label && { label: outputs.label }), probabilities: outputs.probabilities!, labels: names!, description: `${outputs.probabilities}: float [N, ${names!.length}], a probability per label${outputs.label ? `; ${outputs.label}: ${outputs.labelKind}` : ''}.` }
      : { value: outputs.value!, description: `${outputs.value}: the predicted value.` };
    const heldOut = o.holdout ? `${classifier && truth ? 'stratified' : 'random'} ${Math.round((1 - o.holdout) * 100)}/${Math.round(o.holdout * 100)}, seed ${seed}: ${parts.train.length} train, ${parts.test.length} test` : undefined;
    const cardDraft: CardDraft = {
      name,
      version,
      task: outputs.task,
      description:
        o.description ??
        `${classifier ? `Predicts ${names!.map((n) => q(n)).join(' or ')}` : 'Predicts a value'} from ${features.length} feature${features.length === 1 ? '' : 's'} (${features.slice(0, 6).map((f) => f.name).join(', ')}${features.length > 6 ? ', …' : ''}). Card made by ml-predict card from ${basename(o.data)}.`,
      input,
      outputs: cardOutputs,
      ...(metrics && { metrics }),
      reference,
      examples,
      data: { name: basename(o.data), source: `${basename(o.data)}, given to ml-predict card`, license: 'unspecified', rows: table.rows, ...(heldOut && { split: heldOut }) },
      license: o.license ?? 'unspecified',
    };
    const card = withModel(cardDraft, bytes);
    validateCard(card, name);
    checkCardInputs(card, session.inputs);
    return card;
  } finally {
    await session.release();
  }
}

function referenceOf(
  table: Table,
  plan: InputPlan,
  train: readonly number[],
  seed: number,
  holdout: number | undefined,
  truth: number[] | undefined,
  names: string[] | undefined,
  predicted: (r: number) => number,
): NonNullable<ModelCard['reference']> {
  const fed = plan.kind === 'features' ? plan.columns.map((i) => ({ i, category: false })) : plan.inputs.map((x) => ({ i: x.column, category: x.tensor.type === 'string' }));
  const features: Record<string, FeatureStats> = {};
  const categories: Record<string, CategoryStats> = {};
  let j = 0;
  for (const { i, category } of fed) {
    const c = table.columns[i]!;
    if (category) {
      categories[c.name] = categoryStats(train.map((r) => c.distinct[c.codes![r]!]), categoriesOf(c));
    } else features[c.name] = featureStats(train.map((r) => c.numbers[r]!), seed + j++);
  }
  const regression = names === undefined;
  if (regression && truth) features['(target)'] = featureStats(train.map((r) => truth[r]!), seed, 'The target value of the training rows.');
  const what = `the ${train.length} training rows of ${basename(table.file)}${holdout ? ` (the rows outside the held-out ${Math.round(holdout * 100)} %)` : ''}`;
  const out: NonNullable<ModelCard['reference']> = {
    rows: train.length,
    description: `Statistics of ${what}, as the CSV gives them (before any preprocessing in the graph)${!regression && !truth ? "; label counts are the model's predictions" : ''}.`,
    features,
  };
  if (Object.keys(categories).length > 0) out.categories = categories;
  if (names) out.labels = labelCounts(train.map((r) => (truth ? truth[r]! : predicted(r))), names);
  return out;
}

function metricsOf(truth: number[], p: Predictions, rows: readonly number[], classifier: boolean, heldOut: boolean, k: number): Record<string, number> {
  const t = rows.map((r) => truth[r]!);
  const m: Record<string, number> = classifier
    ? classificationMetrics(t, rows.map((r) => probabilitiesOf(p, r)), k)
    : (() => {
        const r = regressionMetrics(t, rows.map((i) => p.values![i]!));
        return { r2: round4(r.r2), rmse: round4(r.rmse), mae: round4(r.mae), testRows: rows.length };
      })();
  if (heldOut) return m;
  // Measured on the training rows themselves: named so, never mistaken for held-out metrics.
  return Object.fromEntries(Object.entries(m).map(([key, v]) => (key === 'testRows' ? ['trainRows', v] : [`train${key[0]!.toUpperCase()}${key.slice(1)}`, v])));
}

/** Where the card goes by default: beside the model, `.onnx` → `.card.json`. */
export function defaultCardPath(model: string): string {
  return /\.onnx$/i.test(model) ? model.replace(/\.onnx$/i, '.card.json') : `${model}.card.json`;
}

export async function cardCommand(argv: readonly string[], io: Io, help: (spec: CommandSpec) => string): Promise<number> {
  const p = parseArgs(CARD_SPEC, argv);
  if (p.help) {
    io.out(help(CARD_SPEC));
    return EXIT.ok;
  }
  const data = str(p, 'data');
  if (!data) throw usageError('"ml-predict card" needs the training data: --data train.csv. See "ml-predict card --help".');
  const holdout = num(p, 'holdout', 0, 1);
  if (holdout !== undefined && (holdout <= 0 || holdout >= 1)) throw usageError(`Flag --holdout is ${holdout}; expected a share between 0 and 1, e.g. 0.2.`);
  const quietIo = bool(p, 'quiet') ? { ...io, quiet: true } : io;
  const card = await makeCard(
    {
      model: p.positionals[0]!,
      data,
      label: str(p, 'label'),
      labels: list(p, 'labels'),
      task: str(p, 'task'),
      name: str(p, 'name'),
      version: str(p, 'version'),
      description: str(p, 'description'),
      license: str(p, 'license'),
      drop: list(p, 'drop'),
      columns: namesFlag(str(p, 'columns')),
      noHeader: bool(p, 'no-header'),
      holdout,
      seed: num(p, 'seed', 0, 2 ** 32 - 1, true),
    },
    quietIo,
  );
  const out = str(p, 'out') ?? defaultCardPath(p.positionals[0]!);
  writeAtomic(out, stableJson(card));
  const m = card.metrics ? `; ${Object.entries(card.metrics).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  const n = card.input.kind === 'features' || card.input.kind === 'columns' ? card.input.features.length : 0;
  io.out(`Wrote ${out}: ${card.name} ${card.version}, ${card.task}, ${n} features, reference of ${card.reference!.rows} rows${m}.\n`);
  return EXIT.ok;
}
