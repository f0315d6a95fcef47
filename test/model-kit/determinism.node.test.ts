/** `npm run models` run twice (separate processes, a subset of models) writes identical bytes. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];

async function build(only: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'ml-predict-models-'));
  dirs.push(out);
  await promisify(execFile)(process.execPath, ['tools/models.mjs', '--only', only, '--out', out], { cwd: root });
  return out;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('npm run models', () => {
  it('gives byte-identical files when run twice', async () => {
    const only = 'sentiment-tree,breast-cancer,house-price,iris,titanic';
    const [a, b] = [await build(only), await build(only)];
    const files = readdirSync(a).sort();
    expect(files).toEqual([
      'breast-cancer-1.0.0.card.json',
      'breast-cancer-1.0.0.onnx',
      'house-price-1.0.0.card.json',
      'house-price-1.0.0.onnx',
      'iris-1.0.0.card.json',
      'iris-1.0.0.onnx',
      'registry.json',
      'sentiment-tree-1.0.0.card.json',
      'sentiment-tree-1.0.0.onnx',
      'titanic-1.0.0.card.json',
      'titanic-1.0.0.onnx',
      'titanic-1.0.0.train.csv',
    ]);
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    // and the same bytes as the committed models
    for (const f of files.filter((f) => f !== 'registry.json')) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(root, 'public', 'models', f))), `${f} vs public/models`).toBe(true);
    }
  }, 120_000);
});
