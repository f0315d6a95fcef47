/**
 * The registry in a real browser: open public/models/registry.json, load models by name through
 * the runtime worker with their card and integrity, predict, read friendly predictions; and the
 * errors for an unknown name, malformed JSON, a card for other bytes and a wrong sha256.
 */
import { describe, expect, it } from 'vitest';
import { interpretRows, openRegistry, type ClassificationResult, type RegressionResult } from '../../lib/registry.js';
import { textToTensor } from '../../lib/tasks/text.js';
import { putFile, rejection } from '../helpers.js';

const REGISTRY = '/models/registry.json';

async function registryJson(): Promise<{ default: string; models: Record<string, { versions: Record<string, { url: string; card: string; sha256: string; bytes: number }> }> }> {
  return (await (await fetch(REGISTRY)).json()) as never;
}

/** A copy of the registry on the test server, with model and card URLs pointing back at /models/. */
async function putRegistry(name: string, edit: (r: Awaited<ReturnType<typeof registryJson>>) => void): Promise<string> {
  const r = await registryJson();
  for (const m of Object.values(r.models)) {
    for (const v of Object.values(m.versions)) {
      v.url = new URL(v.url, new URL(REGISTRY, location.href)).href;
      v.card = new URL(v.card, new URL(REGISTRY, location.href)).href;
    }
  }
  edit(r);
  return putFile(name, JSON.stringify(r), 'application/json');
}

describe('openRegistry', () => {
  it('lists the models and the default', async () => {
    const registry = await openRegistry(REGISTRY);
    expect(registry.defaultName).toBe('sentiment-logreg');
    expect(registry.names).toEqual(['sentiment-logreg', 'sentiment-svm', 'sentiment-tree', 'breast-cancer', 'house-price', 'iris', 'digits', 'titanic', 'silero-vad', 'paddleocr-rec']);
    const entry = registry.get('sentiment-logreg');
    expect(entry.versionList).toEqual(['1.0.0', '1.1.0']);
    expect(entry.stable).toBe('1.0.0');
    const r = registry.resolve('sentiment-logreg', '1.0.0');
    expect(r.url).toBe(new URL('/models/sentiment-logreg-1.0.0.onnx', location.href).href);
    expect(r.integrity).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(registry.resolve('iris', 'stable').version).toBe('1.0.0');
  });

  it('loads the default model (stable version) through the worker with its card and predicts', async () => {
    const registry = await openRegistry(REGISTRY);
    const model = await registry.load(undefined, { backend: 'wasm', cache: 'none' });
    expect(model.info.name).toBe('sentiment-logreg');
    expect(model.info.version).toBe('1.0.0');
    expect(model.info.card?.name).toBe('sentiment-logreg');
    expect(model.info.card?.version).toBe('1.0.0');
    expect(model.info.inputs).toEqual([{ name: 'tokens', type: 'string', dims: ['N', 'T'] }]);
    const card = model.info.card!;
    const pre = card.input.kind === 'text' ? card.input.preprocessing : undefined;
    const out = await model.predict({ tokens: textToTensor(['A wonderful, moving film. I loved it.', 'Boring, awful and a waste of time.'], pre) });
    const { results } = await model.predictValues('A wonderful, moving film. I loved it.');
    expect((results[0] as ClassificationResult).label).toBe('positive');
    const rows = interpretRows(card, out) as ClassificationResult[];
    expect(rows.map((r) => r.label)).toEqual(['positive', 'negative']);
    for (const r of rows) expect(r.probabilities.negative! + r.probabilities.positive!).toBeCloseTo(1, 5);
    await model.dispose();
  });

  it('loads a model by name and version, and a regressor gives values', async () => {
    const registry = await openRegistry(REGISTRY);
    const old = await registry.load('sentiment-logreg', { version: '1.0.0', backend: 'wasm', cache: 'none' });
    expect(old.info.version).toBe('1.0.0');
    expect(old.info.card?.version).toBe('1.0.0');
    await old.dispose();
    const house = await registry.load('house-price', { backend: 'wasm', cache: 'none' });
    const card = house.info.card!;
    const example = (card.examples as { features: number[]; value: number }[])[0]!;
    const [row] = interpretRows(card, await house.predict({ features: [example.features] })) as RegressionResult[];
    expect(row!.unit).toBe('1000 USD (1970)');
    expect(Math.abs(row!.value - example.value)).toBeLessThan(10);
    await house.dispose();
  });

  it('an unknown name lists the names there are', async () => {
    const registry = await openRegistry(REGISTRY);
    let error: unknown;
    try {
      registry.get('sentiment');
    } catch (e) {
      error = e;
    }
    expect((error as { code: string }).code).toBe('UNKNOWN_MODEL');
    expect((error as Error).message).toBe(
      `Unknown model "sentiment" in registry "${new URL(REGISTRY, location.href).href}". Expected one of: "sentiment-logreg", "sentiment-svm", "sentiment-tree", "breast-cancer", "house-price", "iris", "digits", "titanic", "silero-vad", "paddleocr-rec".`,
    );
    const e = await rejection(registry.load('nope'));
    expect(e.code).toBe('UNKNOWN_MODEL');
    const v = await rejection(registry.load('iris', { version: '2.0.0' }));
    expect(v.code).toBe('UNKNOWN_MODEL');
    expect(v.message).toContain('Model "iris" has no version "2.0.0"');
    expect(v.message).toContain('Expected one of: "1.0.0", "stable".');
  });

  it('malformed registry JSON → REGISTRY_INVALID; a missing registry → FETCH_FAILED', async () => {
    const url = await putFile('bad-registry.json', '{ "default": "x", ', 'application/json');
    const e = await rejection(openRegistry(url));
    expect(e.code).toBe('REGISTRY_INVALID');
    expect(e.message).toContain('is not valid JSON');
    const fields = await putFile('fields-registry.json', JSON.stringify({ default: 'a', models: { a: { title: 't', task: 'regression', description: 'd', versions: {} } } }), 'application/json');
    const f = await rejection(openRegistry(fields));
    expect(f.code).toBe('REGISTRY_INVALID');
    expect(f.message).toContain('field "models["a"].versions" must be an object with at least one version');
    const missing = await rejection(openRegistry('/__test/files/none.json'));
    expect(missing.code).toBe('FETCH_FAILED');
    expect(missing.message).toContain('HTTP 404');
  });

  it('refuses a card that describes other bytes than the registry lists', async () => {
    const url = await putRegistry('card-mismatch-registry.json', (r) => {
      r.models['iris']!.versions['1.0.0']!.bytes += 1;
    });
    const registry = await openRegistry(url);
    const e = await rejection(registry.load('iris', { backend: 'wasm', cache: 'none' }));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toContain('is for other bytes: its model.bytes is');
  });

  it('a registry sha256 that does not match the model bytes → INTEGRITY_MISMATCH', async () => {
    const url = await putRegistry('integrity-registry.json', (r) => {
      r.models['iris']!.versions['1.0.0']!.sha256 = '0'.repeat(64);
    });
    const registry = await openRegistry(url);
    const e = await rejection(registry.load('iris', { backend: 'wasm', cache: 'none', card: false }));
    expect(e.code).toBe('INTEGRITY_MISMATCH');
  });
});
