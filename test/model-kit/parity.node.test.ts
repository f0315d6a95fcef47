/**
 * Every trained demo model: onnxruntime-web (its Node build) gives the TypeScript model's own
 * predictions on the whole held-out split; the held-out metrics clear their floors; the cards
 * validate and match their model bytes; and the committed public/models/ files are exactly what
 * the code builds (so the build is deterministic across processes, and nothing is stale).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCardMatches, validateCard } from '../../lib/model/card.js';
import { buildModels, outputFiles, staleFiles } from '../../tools/kit/build.js';
import { sha256Hex } from '../../tools/kit/card-util.js';
import type { BuiltModel } from '../../tools/kit/types.js';

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'public', 'models');

const FLOORS: Record<string, [metric: string, floor: number]> = {
  'sentiment-logreg': ['accuracy', 0.7],
  'breast-cancer': ['accuracy', 0.93],
  iris: ['accuracy', 0.9],
  digits: ['accuracy', 0.9],
  titanic: ['accuracy', 0.78],
  'house-price': ['r2', 0.6],
};

let built: BuiltModel[] = [];

beforeAll(() => {
  built = buildModels();
}, 120_000);

async function run(b: BuiltModel): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(b.onnx, { executionProviders: ['wasm'] });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(b.parity!.feeds)) {
    feeds[name] = f.type === 'string' ? new ort.Tensor('string', f.data as string[], f.dims) : new ort.Tensor('float32', f.data as Float32Array, f.dims);
  }
  const out = await session.run(feeds);
  await session.release();
  return out;
}

describe('trained demo models', () => {
  it('builds every model of the registry', () => {
    expect([...new Set(built.map((b) => b.name))]).toEqual([
      'sentiment-logreg',
      'sentiment-svm',
      'sentiment-tree',
      'breast-cancer',
      'house-price',
      'iris',
      'digits',
      'titanic',
      'silero-vad',
      'paddleocr-rec',
    ]);
    expect(built.filter((b) => b.name === 'sentiment-logreg').map((b) => b.version)).toEqual(['1.0.0', '1.1.0']);
  });

  const trained = () => built.filter((b) => b.parity);

  it('onnxruntime-web equals the TypeScript models on the whole test split', async () => {
    expect(trained().length).toBe(9);
    for (const b of trained()) {
      const out = await run(b);
      const e = b.parity!.expected;
      const where = `${b.name} ${b.version}`;
      if (e.label) {
        const label = out.label!;
        expect(label.type, where).toBe('int64');
        expect(Array.from(label.data as BigInt64Array, Number), where).toEqual(e.label);
      }
      if (e.probabilities) {
        const p = out.probabilities!.data as Float32Array;
        const k = e.probabilities[0]!.length;
        expect(out.probabilities!.dims, where).toEqual([e.probabilities.length, k]);
        let worst = 0;
        e.probabilities.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - p[i * k + j]!)))));
        expect(worst, `${where}: largest probability difference`).toBeLessThanOrEqual(1e-5);
      }
      if (e.value) {
        const v = out.value!.data as Float32Array;
        expect(out.value!.dims, where).toEqual([e.value.length, 1]);
        let worst = 0;
        e.value.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - v[i]!) / Math.max(Math.abs(x), 1e-6))));
        expect(worst, `${where}: largest relative difference`).toBeLessThanOrEqual(1e-4);
      }
    }
  }, 120_000);

  it('held-out metrics clear the floors', () => {
    for (const [name, [metric, floor]] of Object.entries(FLOORS)) {
      for (const b of built.filter((m) => m.name === name)) {
        expect(b.card.metrics?.[metric], `${name} ${b.version} ${metric}`).toBeGreaterThanOrEqual(floor);
      }
    }
  });

  it('cards validate and describe their own model bytes', () => {
    for (const b of built) {
      const card = validateCard(JSON.parse(JSON.stringify(b.card)), b.name);
      expect(card.name).toBe(b.name);
      expect(card.version).toBe(b.version);
      checkCardMatches(card, sha256Hex(b.onnx), b.onnx.length);
      for (const a of b.assets ?? []) expect(card.assets?.[a.name]).toEqual({ file: a.file, sha256: sha256Hex(a.bytes), bytes: a.bytes.length });
      if (card.reference) {
        for (const s of Object.values(card.reference.features)) {
          expect(s.quantiles).toHaveLength(101);
          expect(s.sample!.length).toBeGreaterThan(0);
          expect(s.sample!.length).toBeLessThanOrEqual(1000);
        }
      }
    }
  });

  it('the committed public/models/ files are byte for byte what the code builds', () => {
    const files = outputFiles(built);
    expect(staleFiles(MODELS_DIR, files)).toEqual([]);
    const registry = JSON.parse(readFileSync(join(MODELS_DIR, 'registry.json'), 'utf8')) as { default: string; models: Record<string, unknown> };
    expect(registry.default).toBe('sentiment-logreg');
  });
});
