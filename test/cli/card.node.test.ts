/**
 * `ml-predict card` on real files. The card of the demo's breast-cancer model made from the
 * dataset CSV (scikit-learn's layout, --holdout 0.2 as the kit splits it) has the committed
 * card's features, reference statistics, label counts and metrics; the titanic pipeline's (one
 * input per column, an imputed age) the committed titanic card's; a ZipMap classifier's labels
 * come from ZipMap; an imputer pipeline's empty cells are missing values. Bad CSVs (missing,
 * extra and renamed columns, text in a numeric column, empty files, short rows, empty cells the
 * model cannot take, unknown labels) are one line naming the file, row and column, exit 5, and
 * write nothing; a large CSV prints progress.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCard, type ModelCard } from '../../lib/model/card.js';
import { BREAST_CANCER_FEATURES, IRIS_FEATURES, loadIris, IRIS_CLASSES } from '../../tools/kit/data.js';
import { imputerPipeline, logisticRegression } from '../fixtures/skl2onnx.js';
import { BREAST_CANCER_CSV, cleanup, cli, MODELS, tempDir } from './helpers.js';

afterAll(cleanup);

const committed = (file: string) => JSON.parse(readFileSync(join(MODELS, file), 'utf8')) as ModelCard;
const features = (card: ModelCard) => (card.input.kind === 'features' || card.input.kind === 'columns' ? card.input.features : []);
const TITANIC_CSV = readFileSync(join(MODELS, 'titanic-1.0.0.train.csv'), 'utf8');

/** Writes `text` as `name` in a new folder; returns its path. */
function file(name: string, text: string | Uint8Array): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** Runs `card` and returns the written card, or fails with the command's output. */
async function card(args: string[]): Promise<{ card: ModelCard; stdout: string; stderr: string }> {
  const out = join(tempDir(), 'out.card.json');
  const r = await cli(['card', ...args, '--out', out]);
  if (r.code !== 0) throw new Error(`ml-predict card exited ${r.code}: ${r.stderr}`);
  return { card: validateCard(JSON.parse(readFileSync(out, 'utf8')), out), stdout: r.stdout, stderr: r.stderr };
}

describe('ml-predict card: cards that match the committed ones', { timeout: 60_000 }, () => {
  it("breast cancer from the dataset CSV: the committed card's features, reference statistics, label counts, metrics and examples", async () => {
    const names = file('names.txt', `${BREAST_CANCER_FEATURES.join('\n')}\n`);
    const { card: made, stdout } = await card([join(MODELS, 'breast-cancer-1.0.0.onnx'), '--data', BREAST_CANCER_CSV, '--columns', `@${names}`, '--holdout', '0.2', '--name', 'breast-cancer']);
    const kit = committed('breast-cancer-1.0.0.card.json');
    expect(made.input).toEqual({ kind: 'features', tensor: 'features', features: features(kit) });
    expect(made.reference!.features).toEqual(kit.reference!.features);
    expect({ rows: made.reference!.rows, labels: made.reference!.labels }).toEqual({ rows: 456, labels: kit.reference!.labels });
    expect(made.metrics).toEqual(kit.metrics);
    expect(made.outputs).toMatchObject({ label: 'label', probabilities: 'probabilities', labels: ['malignant', 'benign'] });
    // The first three held-out rows, each with the model's own prediction (here the true label too).
    expect(made.examples).toEqual(kit.examples);
    expect(made.model).toEqual(kit.model);
    expect(made.data).toMatchObject({ rows: 569, split: 'stratified 80/20, seed 42: 456 train, 113 test' });
    expect(stdout).toContain('breast-cancer 1.0.0, binary-classification, 30 features, reference of 456 rows; accuracy 0.9823');
  });

  it("titanic from its training CSV: one input per column, the committed card's features and reference (categories, missing ages)", async () => {
    const { card: made } = await card([join(MODELS, 'titanic-1.0.0.onnx'), '--data', join(MODELS, 'titanic-1.0.0.train.csv'), '--label', 'survived', '--labels', 'died,survived']);
    const kit = committed('titanic-1.0.0.card.json');
    const bare = (c: ModelCard) => features(c).map((f) => Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'description' && k !== 'unit')));
    expect(made.input.kind).toBe('columns');
    expect(bare(made)).toEqual(bare(kit));
    expect(made.reference).toMatchObject({ rows: kit.reference!.rows, features: kit.reference!.features, categories: kit.reference!.categories, labels: kit.reference!.labels });
    expect(made.name).toBe('titanic');
    // Without --holdout the metrics are measured on the training rows, and named so.
    expect(Object.keys(made.metrics!)).toEqual(['trainAccuracy', 'trainMacroF1', 'trainLogLoss', 'trainRows']);
    expect(made.examples![2]).toMatchObject({ pclass: '3', sex: 'male', embarked: 'S', age: null, fare: 4.2757, sibsp: 0 });
  });

  it('a ZipMap classifier: probabilities from the ZipMap output, labels from its classlabels, string labels in the CSV', async () => {
    const iris = loadIris();
    const csv = [[...IRIS_FEATURES, 'species'].join(','), ...iris.x.map((x, i) => [...x, IRIS_CLASSES[iris.y[i]!]].join(','))].join('\n');
    const { card: made } = await card([file('iris.onnx', logisticRegression(true)), '--data', file('iris.csv', csv), '--label', 'species']);
    expect(made.task).toBe('multiclass-classification');
    expect(made.outputs).toMatchObject({ probabilities: 'output_probability', label: 'output_label', labels: ['setosa', 'versicolor', 'virginica'] });
    expect(made.reference!.labels).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
    expect(made.examples!.map((e) => (e as { label: string }).label).every((l) => IRIS_CLASSES.includes(l))).toBe(true);
  });

  it('an imputer pipeline: empty cells are missing values (feature.missing, reference missing counts)', async () => {
    const csv = 'a,b,c,y\n1,2,3,0\n,2.5,3.5,1\n2,,4,0\n1.5,3,,1\n';
    const { card: made } = await card([file('imputer.onnx', imputerPipeline(true)), '--data', file('imputer.csv', csv), '--label', 'y']);
    expect(features(made)).toEqual([
      { name: 'a', type: 'number', min: 1, max: 2, missing: true },
      { name: 'b', type: 'number', min: 2, max: 3, missing: true },
      { name: 'c', type: 'number', min: 3, max: 4, missing: true },
    ]);
    expect(made.reference!.features.a).toMatchObject({ missing: 1, min: 1, max: 2 });
    expect(made.outputs.labels).toEqual(['0', '1']);
  });
});

const TITANIC = join(MODELS, 'titanic-1.0.0.onnx');
const lines = TITANIC_CSV.trimEnd().split('\r\n');
const edit = (f: (cells: string[], row: number) => string[]) => lines.map((l, i) => f(l.split(','), i).join(',')).join('\n') + '\n';

describe('ml-predict card: bad CSVs are one line naming the file, row and column (exit 5), and nothing is written', { timeout: 60_000 }, () => {
  it.each([
    ['a missing column', edit((c) => c.filter((_, j) => j !== 3)), ['--label', 'survived'], 'has no column for the model\'s input "age" (float32 [N, 1]). The model\'s inputs: "pclass", "sex", "embarked", "age", "fare", "sibsp".'],
    ['an extra column', edit((c, i) => [...c, i === 0 ? 'cabin' : 'C85']), ['--label', 'survived'], 'has column the model does not take: "cabin". The model\'s inputs: "pclass", "sex", "embarked", "age", "fare", "sibsp". Leave them out with --drop.'],
    ['a renamed column', edit((c, i) => (i === 0 ? c.map((h) => (h === 'fare' ? 'ticket_fare' : h)) : c)), ['--label', 'survived'], 'has no column for the model\'s input "fare" (float32 [N, 1]), and has column the model does not take: "ticket_fare". The model\'s inputs: "pclass", "sex", "embarked", "age", "fare", "sibsp". Leave them out with --drop.'],
    ['the label column not named', TITANIC_CSV, [], 'has column the model does not take: "survived". The model\'s inputs: "pclass", "sex", "embarked", "age", "fare", "sibsp". Name the label column with --label; leave other columns out with --drop.'],
    ['text in a numeric column', edit((c, i) => (i === 5 ? c.map((v, j) => (j === 4 ? 'abc' : v)) : c)), ['--label', 'survived'], 'row 5, column "fare": "abc" is not a number; the model\'s input "fare" is float32 [N, 1].'],
    ['an empty category', edit((c, i) => (i === 2 ? c.map((v, j) => (j === 1 ? '' : v)) : c)), ['--label', 'survived'], 'row 2, column "sex" is empty; the model\'s input "sex" is string [N, 1]: it takes a category in every row.'],
    ['a short row', edit((c, i) => (i === 3 ? c.slice(0, 6) : c)), ['--label', 'survived'], 'row 3 has 6 fields, expected 7 (one per column: "pclass", "sex", "embarked", "age", "fare", "sibsp", "survived").'],
    ['an unknown label', edit((c, i) => (i === 7 ? [...c.slice(0, 6), 'maybe'] : c)), ['--label', 'survived', '--labels', 'died,survived'], 'row 7, column "survived" (the label): "maybe" is not a class; expected one of "died", "survived" or a class index 0–1.'],
    ['an empty file', '', ['--label', 'survived'], 'is empty: expected a header row naming the columns, then one row per training example.'],
    ['a header without rows', `${lines[0]}\n`, ['--label', 'survived'], 'has a header ("pclass", "sex", "embarked", "age", "fare", "sibsp", "survived") but no data rows.'],
  ])('%s', async (_, csv, flags, message) => {
    const data = file('train.csv', csv);
    const out = join(tempDir(), 'never.card.json');
    const r = await cli(['card', TITANIC, '--data', data, ...flags, '--out', out]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ml-predict: CSV_INVALID: ${JSON.stringify(data)} ${message}\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('a single-input model: too many feature columns, and an empty cell where the graph imputes nothing', async () => {
    const header = [...BREAST_CANCER_FEATURES, 'target'].join(',');
    const rows = readFileSync(BREAST_CANCER_CSV, 'utf8').trimEnd().split(/\r?\n/).slice(1, 40);
    const model = join(MODELS, 'breast-cancer-1.0.0.onnx');
    const wide = await cli(['card', model, '--data', file('bc.csv', [header, ...rows].join('\n'))]);
    expect(wide.code).toBe(5);
    expect(wide.stderr).toMatch(/has 31 feature columns \("mean radius", .*"target"\), but the model's input "features" is float32 \[N, 30\]: 30 per row\. Name the label column with --label, or leave columns out with --drop\.\n$/);
    const holes = rows.map((r, i) => (i === 1 ? r.replace(/^[^,]*,[^,]*/, (m) => m.split(',')[0] + ',') : r));
    const empty = await cli(['card', model, '--data', file('bc.csv', [header, ...holes].join('\n')), '--label', 'target']);
    expect(empty.code).toBe(5);
    expect(empty.stderr).toContain('row 2, column "mean texture" is empty; the model\'s input "features" is float32 [N, 30]: no Imputer or IsNaN node in the graph reads it, so it takes no missing values.');
  });

  it('usage errors (exit 2): no --data, a bad --holdout, an unknown --task; a missing model file (exit 3)', async () => {
    expect(await cli(['card', TITANIC])).toMatchObject({ code: 2, stderr: expect.stringContaining('needs the training data: --data train.csv') });
    expect(await cli(['card', TITANIC, '--data', 'x.csv', '--holdout', '1.5'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Flag --holdout is "1.5"; expected a number from 0 to 1.') });
    const data = file('train.csv', TITANIC_CSV);
    expect(await cli(['card', TITANIC, '--data', data, '--label', 'survived', '--task', 'clustering'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--task is "clustering"') });
    expect(await cli(['card', '/nonexistent.onnx', '--data', data])).toMatchObject({ code: 3, stderr: 'ml-predict: INVALID_ARGUMENT: Cannot read "/nonexistent.onnx": no such file.\n' });
  });

  it('a CSV over 1 MiB: progress lines on stderr while reading and predicting', async () => {
    const body = lines.slice(1).join('\n');
    const copies = Math.ceil((1.2 * 1024 * 1024) / body.length);
    const big = file('big.csv', `${lines[0]}\n${Array.from({ length: copies }, () => body).join('\n')}\n`);
    const { stderr, card: made } = await card([TITANIC, '--data', big, '--label', 'survived', '--labels', 'died,survived']);
    const progress = stderr.split('\n').filter(Boolean);
    expect(progress.filter((l) => /^reading big\.csv: \d+ % \([\d,]+ rows\)$/.test(l)).length).toBeGreaterThanOrEqual(5);
    expect(progress).toContain(`reading big.csv: 100 % (${(713 * copies).toLocaleString('en-US')} rows) done`);
    expect(progress.some((l) => /^predicting big\.csv: \d+ % \([\d,]+ of [\d,]+ rows\)$/.test(l))).toBe(true);
    expect(made.reference!.rows).toBe(713 * copies);
  });
});
