/** Model-card validation, the card/model match check, friendly predictions, registry validation. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCardMatches, validateCard, type ModelCard } from '../../lib/model/card.js';
import { interpretRows } from '../../lib/model/interpret.js';
import { validateRegistry } from '../../lib/model/registry.js';
import { thrown as failure } from '../helpers.js';

const dir = join(import.meta.dirname, '..', '..', 'public', 'models');
const load = (file: string): ModelCard => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ModelCard;


/** A deep copy with one change at a dotted path (undefined deletes). */
function edit(card: ModelCard, path: string, value: unknown): unknown {
  const copy = structuredClone(card) as Record<string, unknown>;
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]!];
  else at[keys[keys.length - 1]!] = value;
  return copy;
}

describe('validateCard', () => {
  const cancer = load('breast-cancer-1.0.0.card.json');

  it('accepts every published card', () => {
    for (const file of ['breast-cancer-1.0.0', 'digits-1.0.0', 'house-price-1.0.0', 'iris-1.0.0', 'titanic-1.0.0', 'sentiment-logreg-1.0.0', 'sentiment-logreg-1.1.0', 'sentiment-svm-1.0.0', 'sentiment-tree-1.0.0', 'silero-vad-5.0.0', 'paddleocr-rec-4.0.0']) {
      expect(validateCard(load(`${file}.card.json`), file).name).toBe(file.replace(/-\d+\.\d+\.\d+$/, ''));
    }
  });

  it.each([
    ['name', undefined, '"name" must be a non-empty string; found nothing (the field is missing)'],
    ['version', 1, '"version" must be a non-empty string; found 1 (number)'],
    ['version', 'v1', '"version" must be a semantic version like "1.0.0"; found "v1" (string)'],
    ['task', 'clustering', '"task" must be one of "binary-classification", "multiclass-classification", "regression", "text-classification", "voice-activity-detection", "text-recognition", "other"; found "clustering"'],
    ['input.kind', 'table', '"input.kind" must be one of "features", "columns", "text", "image", "audio", "other"; found "table"'],
    ['input.features', [], '"input.features" must be a non-empty array of features'],
    ['outputs.labels', ['only'], '"outputs.labels" must be the names of at least 2 labels'],
    ['outputs.probabilities', undefined, '"outputs.probabilities" must be the name of the probability tensor'],
    ['model.sha256', 'abc', '"model.sha256" must be a sha256 digest as 64 lower-case hex characters; found "abc"'],
    ['model.bytes', -1, '"model.bytes" must be an integer ≥ 0; found -1 (number)'],
    ['model', undefined, '"model" must be an object; found nothing (the field is missing)'],
    ['license', 7, '"license" must be a non-empty string; found 7 (number)'],
    ['metrics.accuracy', 'high', '"metrics["accuracy"]" must be a finite number; found "high" (string)'],
  ])('names the field: %s = %j', (path, value, message) => {
    const e = failure(() => validateCard(edit(cancer, path, value), 'breast-cancer'));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toContain('Model card "breast-cancer": field ');
    expect(e.message).toContain(message);
  });

  it('checks nested features and reference statistics', () => {
    const features = structuredClone(cancer.input.kind === 'features' ? cancer.input.features : []);
    (features[3] as unknown as Record<string, unknown>).type = 'numeric';
    expect(failure(() => validateCard(edit(cancer, 'input.features', features))).message).toContain('"input.features[3].type" must be one of "number", "category"; found "numeric"');
    const stats = structuredClone(cancer.reference!.features['mean radius']!);
    stats.quantiles = stats.quantiles!.slice(0, 100);
    expect(failure(() => validateCard(edit(cancer, 'reference.features', { 'mean radius': stats }))).message).toContain(
      'field "reference.features["mean radius"].quantiles" must be an array of 101 numbers; found an array of 100 values',
    );
    expect(failure(() => validateCard(edit(cancer, 'reference.labels', { benign: 1.5 }))).message).toContain('"reference.labels["benign"]" must be an integer ≥ 0; found 1.5');
  });

  it('refuses what is not an object', () => {
    expect(failure(() => validateCard('{"name":"x"}')).message).toBe('Model card: field "(card)" must be a JSON object; found "{\\"name\\":\\"x\\"}" (string).');
    expect(failure(() => validateCard(null)).code).toBe('CARD_INVALID');
  });

  it('checks text preprocessing, image and audio inputs', () => {
    const text = load('sentiment-logreg-1.0.0.card.json');
    expect(failure(() => validateCard(edit(text, 'input.preprocessing.tokenPattern', '[a-'))).message).toContain('"input.preprocessing.tokenPattern" must be a valid regular expression');
    const ocr = load('paddleocr-rec-4.0.0.card.json');
    expect(failure(() => validateCard(edit(ocr, 'input.image.std', [0.5, 0, 0.5]))).message).toContain('"input.image.std[1]" must be a non-zero number; found 0');
    expect(failure(() => validateCard(edit(ocr, 'assets.keys.sha256', undefined))).message).toContain('"assets["keys"].sha256" must be a sha256 digest');
    const vad = load('silero-vad-5.0.0.card.json');
    expect(failure(() => validateCard(edit(vad, 'input.audio.sampleRate', 0))).message).toContain('"input.audio.sampleRate" must be an integer ≥ 1; found 0');
  });
});

describe('checkCardMatches', () => {
  const card = load('iris-1.0.0.card.json');
  const bytes = readFileSync(join(dir, 'iris-1.0.0.onnx'));

  it('accepts the model the card was written for', () => {
    expect(() => checkCardMatches(card, card.model.sha256.toUpperCase(), bytes.length)).not.toThrow();
  });

  it('refuses a card whose sha256 or size is not the model\'s', () => {
    const other = 'f'.repeat(64);
    const e = failure(() => checkCardMatches(card, other, bytes.length));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toBe(`Model card "iris" "1.0.0" is for other bytes: its model.sha256 is "${card.model.sha256}" but the model's sha256 is "${other}". Use the card published with this model file.`);
    expect(failure(() => checkCardMatches(card, card.model.sha256, bytes.length + 1)).message).toContain(`its model.bytes is ${bytes.length} but the model has ${bytes.length + 1} bytes`);
  });
});

describe('interpretRows (friendly predictions)', () => {
  it('gives label names with a probability per label for classifiers', () => {
    const card = load('iris-1.0.0.card.json');
    const rows = interpretRows(card, {
      label: { data: BigInt64Array.of(2n, 0n), dims: [2], type: 'int64' },
      probabilities: { data: Float32Array.of(0, 0.25, 0.75, 1, 0, 0), dims: [2, 3], type: 'float32' },
    });
    expect(rows).toEqual([
      { kind: 'classification', label: 'virginica', probabilities: { setosa: 0, versicolor: 0.25, virginica: 0.75 } },
      { kind: 'classification', label: 'setosa', probabilities: { setosa: 1, versicolor: 0, virginica: 0 } },
    ]);
  });

  it('gives values with their unit for regressors', () => {
    const card = load('house-price-1.0.0.card.json');
    expect(interpretRows(card, { value: { data: Float32Array.of(21.5), dims: [1, 1], type: 'float32' } })).toEqual([
      { kind: 'regression', value: 21.5, unit: '1000 USD (1970)' },
    ]);
  });

  it('says which output is missing', () => {
    const card = load('iris-1.0.0.card.json');
    const e = failure(() => interpretRows(card, { scores: { data: Float32Array.of(1), dims: [1], type: 'float32' } }));
    expect(e.code).toBe('CARD_INVALID');
    expect(e.message).toMatch(/output "(label|probabilities)" is not among/);
    expect(e.message).toMatch(/"scores"/);
  });
});

describe('validateRegistry', () => {
  const registry = JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')) as Record<string, unknown>;

  it('accepts the published registry', () => {
    const r = validateRegistry(registry);
    expect(Object.keys(r.models)).toContain('sentiment-logreg');
    expect(r.models['sentiment-logreg']!.aliases).toEqual({ stable: '1.0.0', candidate: '1.1.0' });
  });

  it('names the bad field', () => {
    const bad = structuredClone(registry) as { default: string; models: Record<string, { aliases: Record<string, string>; versions: Record<string, { sha256: string }> }> };
    bad.models['iris']!.versions['1.0.0']!.sha256 = 'nope';
    const e = failure(() => validateRegistry(bad, '/models/registry.json'));
    expect(e.code).toBe('REGISTRY_INVALID');
    expect(e.message).toBe('Registry "/models/registry.json": field "models["iris"].versions["1.0.0"].sha256" must be a sha256 digest as 64 lower-case hex characters; found "nope".');
    const alias = structuredClone(registry) as typeof bad;
    alias.models['iris']!.aliases.stable = '9.9.9';
    expect(failure(() => validateRegistry(alias)).message).toContain('field "models["iris"].aliases["stable"]" must be one of the versions "1.0.0"; found "9.9.9"');
    expect(failure(() => validateRegistry({ ...registry, default: 'nothing' })).message).toContain('field "default" must be the name of a listed model: "sentiment-logreg", "sentiment-svm"');
    expect(failure(() => validateRegistry([])).code).toBe('REGISTRY_INVALID');
  });
});
