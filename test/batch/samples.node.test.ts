/**
 * The demo's sample CSVs (public/samples/, written by tools/samples.ts): up to date with the
 * code, and each one has every input column its models' cards ask for.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { inputSpec, matchColumns } from '../../lib/batch/csv.js';
import type { ModelCard } from '../../lib/model/card.js';
import { buildSamples } from '../../tools/samples.js';

const ROOT = resolve(import.meta.dirname, '../..');
const registry = JSON.parse(readFileSync(resolve(ROOT, 'public/models/registry.json'), 'utf8')) as {
  models: Record<string, { aliases: { stable: string }; versions: Record<string, { card: string }> }>;
};

function card(name: string): ModelCard {
  const m = registry.models[name]!;
  return JSON.parse(readFileSync(resolve(ROOT, 'public/models', m.versions[m.aliases.stable]!.card), 'utf8')) as ModelCard;
}

describe('sample CSVs', () => {
  const samples = buildSamples();

  it('the committed files are what tools/samples.ts writes', () => {
    for (const s of samples) expect(readFileSync(resolve(ROOT, 'public/samples', s.file), 'utf8'), s.file).toBe(s.text);
    const index = JSON.parse(readFileSync(resolve(ROOT, 'public/samples/index.json'), 'utf8')) as { samples: Array<{ file: string }> };
    expect(index.samples.map((s) => s.file)).toEqual(samples.map((s) => s.file));
  });

  it('every sample has the columns of its models, and its stated number of rows', () => {
    expect(samples.flatMap((s) => s.models).sort()).toEqual(['breast-cancer', 'house-price', 'iris', 'iris', 'sentiment-logreg', 'sentiment-svm', 'sentiment-tree']);
    for (const s of samples) {
      const parsed = Papa.parse<string[]>(s.text, { skipEmptyLines: true });
      expect(parsed.data.length - 1, s.file).toBe(s.rows);
      for (const name of s.models) {
        const c = card(name);
        const types = { [c.input.tensor!]: c.input.kind === 'text' ? ('string' as const) : ('float32' as const) };
        expect(() => matchColumns(inputSpec(c, types, false), parsed.data[0]!), `${s.file} for ${name}`).not.toThrow();
      }
    }
  });
});
