/** Drift monitoring wired through the runtime worker, on the real breast-cancer model and its card. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../lib/index.js';
import { openRegistry } from '../../lib/registry.js';
import { rejection } from '../helpers.js';

let rows: number[][];
let std: number[];

beforeAll(async () => {
  const text = await (await fetch('/tools/datasets/breast_cancer.csv')).text();
  rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').slice(0, 30).map(Number));
  std = Array.from({ length: 30 }, (_, c) => {
    const col = rows.map((r) => r[c]!);
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    return Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
  });
});

async function monitored(): Promise<Model> {
  const registry = await openRegistry('/models/registry.json');
  const model = await registry.load('breast-cancer', { backend: 'wasm' });
  await model.monitor({ seed: 7 });
  return model;
}

describe('drift monitoring in the worker', () => {
  it('live rows like the training data raise no drift; one feature shifted by 2 std is flagged', async () => {
    const model = await monitored();
    const sample = rows.filter((_, i) => i % 3 === 0); // 190 rows of the data
    await model.predict({ features: sample });
    const calm = await model.driftReport();
    expect(calm.observed).toBe(sample.length);
    expect(calm.datasetDrift).toBe(false);
    expect(calm.features).toHaveLength(30);
    expect(calm.features.every((f) => f.test === 'ks')).toBe(true);
    expect(calm.labels?.currentSize).toBe(sample.length);

    await model.monitor({ seed: 7 }); // restart: a fresh reservoir
    const shifted = sample.map((r) => r.map((v, c) => (c === 0 ? v + 2 * std[0]! : v)));
    for (let i = 0; i < shifted.length; i += 50) await model.predict({ features: shifted.slice(i, i + 50) });
    const report = await model.driftReport();
    const drifted = report.features.filter((f) => f.drifted).map((f) => f.name);
    expect(drifted).toContain('mean radius');
    expect(report.datasetDrift).toBe(false);
    await model.dispose();
  });

  it('shifting half the features flags dataset drift', async () => {
    const model = await monitored();
    const shifted = rows.slice(0, 200).map((r) => r.map((v, c) => (c % 2 === 0 ? v + 2 * std[c]! : v)));
    await model.predict({ features: shifted });
    const report = await model.driftReport();
    expect(report.datasetDrift).toBe(true);
    expect(report.driftedShare).toBeGreaterThanOrEqual(0.5);
    await model.dispose();
  });

  it('a model without a features or columns card cannot be monitored, and says why', async () => {
    const registry = await openRegistry('/models/registry.json');
    const model = await registry.load('sentiment-logreg', { backend: 'wasm' });
    const err = await rejection(model.monitor());
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/"features" or "columns" input.*"text"/);
    expect((await rejection(model.driftReport())).message).toMatch(/not monitored/);
    await model.dispose();
  });
});

describe('compareModels', () => {
  it('two versions of the sentiment model on the same sentences: agreement, probability gaps, latency', async () => {
    const { compareModels } = await import('../../lib/evaluate/index.js');
    const registry = await openRegistry('/models/registry.json');
    const [a, b] = await Promise.all([
      registry.load('sentiment-logreg', { version: '1.0.0', backend: 'wasm' }),
      registry.load('sentiment-logreg', { version: '1.1.0', backend: 'wasm' }),
    ]);
    const texts = ['A wonderful film, beautifully acted.', 'Boring and awful.', 'I loved every minute.', 'A waste of time.', 'Not great, not terrible.'];
    const same = await compareModels(a, a, texts);
    expect(same).toMatchObject({ kind: 'classification', inputs: 5, agreed: 5, agreement: 1, meanAbsProbabilityDiff: 0 });
    const report = await compareModels(a, b, texts);
    expect(report.inputs).toBe(5);
    expect(report.agreement).toBeGreaterThanOrEqual(0.6);
    expect(report.meanAbsProbabilityDiff).toBeGreaterThan(0);
    expect(report.latency.a.count).toBe(5);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});
