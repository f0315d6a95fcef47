/**
 * `ml-predict publish` into temporary copies of the demo's registry: a new version and an alias
 * move; publishing again (only the alias moves); other bytes under a published version are
 * refused and leave the folder byte-identical; a card for other bytes, a card for another
 * version, a registry that is not JSON or not a registry; a publish killed after the model, after
 * the card and before the registry's rename leaves the old registry valid, and the next publish
 * takes over its lock; a registry created from nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCard, type ModelCard } from '../../lib/model/card.js';
import { ProtoWriter } from '../../lib/model/protobuf.js';
import { registryFromDocument, validateRegistry, type RegistryDocument } from '../../lib/model/registry.js';
import { fileEntry } from '../../lib/cli/naming.js';
import { stableJson } from '../../lib/cli/json.js';
import { cleanup, cli, MODELS, registryCopy, spawnCli, tempDir } from './helpers.js';

afterAll(cleanup);

const original = new Uint8Array(readFileSync(join(MODELS, 'breast-cancer-1.0.0.onnx')));
/** The same graph with another doc_string appended (protobuf keeps the last): other bytes, same predictions. */
const variant = new Uint8Array([...original, ...new ProtoWriter().string(6, 'breast-cancer 1.1.0').finish()]);
const committedCard = JSON.parse(readFileSync(join(MODELS, 'breast-cancer-1.0.0.card.json'), 'utf8')) as ModelCard;

/** A folder with the variant model and its card for `version`; returns the model's path. */
function release(version: string, bytes = variant, cardBytes = bytes): string {
  const dir = tempDir('ml-predict-release-');
  const card: ModelCard = { ...committedCard, version, model: fileEntry(`breast-cancer-${version}.onnx`, cardBytes) };
  writeFileSync(join(dir, 'model.onnx'), bytes);
  writeFileSync(join(dir, 'model.card.json'), stableJson(card));
  return join(dir, 'model.onnx');
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')) as RegistryDocument;
/** Every file of a folder with its bytes, for before/after comparisons. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

describe('ml-predict publish', { timeout: 60_000 }, () => {
  it('a new version with --alias candidate: files beside the registry, the version added, stable unchanged; then --alias stable moves', async () => {
    const dir = registryCopy();
    const before = read(dir);
    const r = await cli(['publish', release('1.1.0'), '--registry', join(dir, 'registry.json'), '--alias', 'candidate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Published breast-cancer 1.1.0 in ');
    expect(r.stdout).toContain('wrote breast-cancer-1.1.0.onnx, breast-cancer-1.1.0.card.json');
    expect(r.stdout).toContain('aliases stable → 1.0.0, candidate → 1.1.0.');
    const after = validateRegistry(read(dir));
    expect(after.models['breast-cancer']!.versions['1.1.0']).toEqual({ url: 'breast-cancer-1.1.0.onnx', card: 'breast-cancer-1.1.0.card.json', sha256: fileEntry('', variant).sha256, bytes: variant.length });
    expect(after.models['breast-cancer']!.aliases).toEqual({ stable: '1.0.0', candidate: '1.1.0' });
    const { 'breast-cancer': _, ...othersAfter } = after.models;
    const { 'breast-cancer': __, ...othersBefore } = before.models;
    expect(othersAfter).toEqual(othersBefore);
    expect(new Uint8Array(readFileSync(join(dir, 'breast-cancer-1.1.0.onnx')))).toEqual(variant);
    const card = validateCard(JSON.parse(readFileSync(join(dir, 'breast-cancer-1.1.0.card.json'), 'utf8')));
    expect(card).toMatchObject({ name: 'breast-cancer', version: '1.1.0', model: { file: 'breast-cancer-1.1.0.onnx', bytes: variant.length } });
    expect(registryFromDocument('https://example.test/models/registry.json', after).resolve('breast-cancer', 'candidate').url).toBe('https://example.test/models/breast-cancer-1.1.0.onnx');
    expect(existsSync(join(dir, 'registry.json.lock'))).toBe(false);

    const files = snapshot(dir);
    const again = await cli(['publish', release('1.1.0'), '--registry', join(dir, 'registry.json'), '--alias', 'stable']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('breast-cancer 1.1.0 was published already (same bytes and card)');
    expect(read(dir).models['breast-cancer']!.aliases).toEqual({ stable: '1.1.0', candidate: '1.1.0' });
    const { 'registry.json': _r, ...rest } = snapshot(dir);
    const { 'registry.json': _s, ...restBefore } = files;
    expect(rest).toEqual(restBefore);
  });

  it('other bytes under a published version are refused (exit 8): the folder stays byte-identical', async () => {
    const dir = registryCopy();
    const files = snapshot(dir);
    const r = await cli(['publish', release('1.0.0'), '--registry', join(dir, 'registry.json'), '--alias', 'stable']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^ml-predict: INVALID_ARGUMENT: Version "1\.0\.0" of "breast-cancer" is published in ".*registry\.json" with other bytes \(sha256 709abe9b.*, 1102 bytes\); .* Published versions never change: publish these bytes as a new version \(--version\)\.\n$/);
    expect(snapshot(dir)).toEqual(files);
  });

  it.each([
    ['a card for other bytes', () => release('1.1.0', variant, original), 6, /^ml-predict: CARD_INVALID: Card ".*model\.card\.json" does not describe ".*model\.onnx": Model card "breast-cancer" "1\.1\.0" is for other bytes: its model\.sha256 is "709abe9b/],
    ['a card for another version than --version', () => release('1.1.0'), 6, /^ml-predict: CARD_INVALID: Card ".*model\.card\.json" is for "breast-cancer" "1\.1\.0", not "breast-cancer" "2\.0\.0"/, ['--version', '2.0.0']],
    ['a model that is not ONNX', () => {
      const model = release('1.1.0');
      writeFileSync(model, 'not a model');
      return model;
    }, 4, /^ml-predict: MODEL_INVALID: "model\.onnx" is not a valid ONNX model/],
  ] as const)('%s: its exit code, nothing written', async (_, make, code, message, extra: readonly string[] = []) => {
    const dir = registryCopy();
    const files = snapshot(dir);
    const r = await cli(['publish', make(), '--registry', join(dir, 'registry.json'), ...extra]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(snapshot(dir)).toEqual(files);
  });

  it('a registry that is not JSON, or not a registry: exit 7 naming it, nothing written', async () => {
    for (const [text, message] of [
      ['{ "default": "x", "models": {', /^ml-predict: REGISTRY_INVALID: ".*registry\.json" is not valid JSON \(.*\); a registry is a JSON object\. It starts with "\{ \\"default\\": \\"x\\", \\"models\\": \{"\.\n$/],
      ['{ "default": "x", "models": {} }', /^ml-predict: REGISTRY_INVALID: Registry ".*registry\.json": field "models" must be an object with at least one model; found \{\}\.\n$/],
      ['', /^ml-predict: REGISTRY_INVALID: ".*registry\.json" is empty; a registry is a JSON object/],
    ] as const) {
      const dir = tempDir();
      writeFileSync(join(dir, 'registry.json'), text);
      const r = await cli(['publish', release('1.1.0'), '--registry', join(dir, 'registry.json')]);
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(message);
      expect(readdirSync(dir)).toEqual(['registry.json']);
      expect(readFileSync(join(dir, 'registry.json'), 'utf8')).toBe(text);
    }
  });

  it('usage: no --registry (exit 2), no card beside the model (exit 6, how to make one)', async () => {
    expect(await cli(['publish', release('1.1.0')])).toMatchObject({ code: 2, stderr: expect.stringContaining('needs the registry to publish into: --registry') });
    const model = join(tempDir(), 'lonely.onnx');
    writeFileSync(model, variant);
    const r = await cli(['publish', model, '--registry', join(tempDir(), 'registry.json')]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`No card for ${JSON.stringify(model)}: ${JSON.stringify(model.replace(/\.onnx$/, '.card.json'))} does not exist. Make one with "ml-predict card ${model} --data train.csv", or give --card.`);
  });

  it('a publish killed after the model, after the card, or before renaming the registry leaves the old registry valid; the next one takes over the lock', async () => {
    for (const at of ['after-model', 'after-card', 'before-registry-rename']) {
      const dir = registryCopy();
      const registry = readFileSync(join(dir, 'registry.json'));
      const model = release('1.1.0');
      const killed = await spawnCli(['publish', model, '--registry', join(dir, 'registry.json'), '--alias', 'stable'], { ML_PREDICT_TEST_CRASH: at });
      expect({ at, signal: killed.signal, code: killed.code }).toEqual({ at, signal: 'SIGKILL', code: null });
      expect(readFileSync(join(dir, 'registry.json'))).toEqual(registry);
      expect(validateRegistry(read(dir)).models['breast-cancer']!.versions['1.1.0']).toBeUndefined();
      expect(existsSync(join(dir, 'registry.json.lock'))).toBe(true);
      if (at !== 'after-model') expect(existsSync(join(dir, 'breast-cancer-1.1.0.card.json'))).toBe(true);
      const next = await cli(['publish', model, '--registry', join(dir, 'registry.json'), '--alias', 'stable']);
      expect(next.code).toBe(0);
      expect(read(dir).models['breast-cancer']!.aliases.stable).toBe('1.1.0');
      expect(existsSync(join(dir, 'registry.json.lock'))).toBe(false);
    }
  });

  it('a registry that does not exist yet is created: the model is its default, "stable" points at the version', async () => {
    const dir = tempDir();
    const r = await cli(['publish', release('1.1.0'), '--registry', join(dir, 'registry.json'), '--title', 'My breast-cancer model']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(new registry)');
    const doc = validateRegistry(read(dir));
    expect(doc.default).toBe('breast-cancer');
    expect(doc.models['breast-cancer']).toMatchObject({ title: 'My breast-cancer model', task: 'binary-classification', aliases: { stable: '1.1.0' } });
    expect(readdirSync(dir).sort()).toEqual(['breast-cancer-1.1.0.card.json', 'breast-cancer-1.1.0.onnx', 'registry.json']);
  });
});
