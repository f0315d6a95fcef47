/**
 * `ml-predict publish model.onnx --registry registry.json --name x --version 1.2.0`: adds a
 * version to a static registry (lib/model/registry.ts's format), copying the model and its card
 * beside the registry as `<name>-<version>.onnx` and `<name>-<version>.card.json`, and moves
 * aliases. Versions are immutable: other bytes (or another card) under a published version are
 * refused and nothing is written. The card must describe these bytes. Writes are atomic and in
 * an order that keeps the registry valid at every instant: model file, card file, then the
 * registry (validated before and after), under a lock file.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkCardMatches, validateCard, type ModelCard } from '../model/card.js';
import { registryFromDocument, validateRegistry, type RegistryDocument, type RegistryModel } from '../model/registry.js';
import { bool, list, parseArgs, str, type CommandSpec } from './args.js';
import { defaultCardPath } from './card.js';
import { cliError, EXIT, usageError } from './errors.js';
import { exists, lock, readBytes, writeAtomic } from './files.js';
import { stableJson } from './json.js';
import { cardFile, modelFile, sha256Hex, sriOf } from './naming.js';
import type { Io } from './progress.js';
import { openSession, prepareGraph } from './runtime.js';

export const PUBLISH_SPEC: CommandSpec = {
  name: 'publish',
  summary:
    'Publishes a model version into a registry.json: copies the model and its card beside the registry as NAME-VERSION.onnx and NAME-VERSION.card.json, adds the version and moves the aliases you name. Published versions never change: other bytes or another card under a published version are refused. The card must describe the model file (its sha256 and size); the model must load on onnxruntime-web\'s wasm build. The registry is validated before it is written and again after, and every file is written atomically, the registry last, so an interrupted publish leaves the old registry valid.',
  positionals: [{ name: 'MODEL', help: 'The .onnx file.' }],
  flags: [
    { name: 'registry', value: 'FILE', help: 'The registry.json to publish into (required); created when it does not exist.' },
    { name: 'card', value: 'FILE', help: 'The model card (default: MODEL with .card.json for .onnx, as ml-predict card writes it).' },
    { name: 'name', value: 'NAME', help: "The model's name in the registry (default: the card's; if given, the card's must be the same)." },
    { name: 'version', value: 'VERSION', help: "The version (default: the card's; if given, the card's must be the same)." },
    { name: 'alias', value: 'ALIAS', help: 'Point this alias (e.g. stable, candidate) at the version; comma-separated or repeated. A new model gets "stable" too.', repeat: true },
    { name: 'title', value: 'TEXT', help: 'Title of a new model in the registry (default: its name).' },
    { name: 'description', value: 'TEXT', help: "Description of a new model in the registry (default: the card's)." },
    { name: 'default', help: "Make this model the registry's default." },
  ],
  details: ['Example: ml-predict publish model.onnx --registry public/models/registry.json --alias candidate'],
};

const q = JSON.stringify;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** Test hook: ML_PREDICT_TEST_CRASH=after-model|after-card|before-registry-rename kills the process there (SIGKILL). */
function crashPoint(io: Io, at: string): void {
  if (io.env.ML_PREDICT_TEST_CRASH === at) process.kill(process.pid, 'SIGKILL');
}

function parseJson(text: string, file: string, what: 'card' | 'registry'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const code = what === 'card' ? 'CARD_INVALID' : 'REGISTRY_INVALID';
    throw cliError(what === 'card' ? EXIT.card : EXIT.registry, code, `${q(file)} is not valid JSON (${(e as Error).message}); a ${what} is a JSON object. It starts with ${q(text.slice(0, 40))}.`, { file });
  }
}

function readRegistry(file: string): { doc: RegistryDocument; created: boolean } {
  if (!exists(file)) return { doc: { default: '', models: {} }, created: true };
  const text = new TextDecoder().decode(readBytes(file));
  if (text.trim() === '') throw cliError(EXIT.registry, 'REGISTRY_INVALID', `${q(file)} is empty; a registry is a JSON object { "default": …, "models": { … } }.`, { file });
  return { doc: validateRegistry(parseJson(text, file, 'registry'), file), created: false };
}

export interface PublishOptions {
  model: string;
  registry: string;
  card?: string;
  name?: string;
  version?: string;
  aliases?: string[];
  title?: string;
  description?: string;
  makeDefault?: boolean;
}

export interface PublishResult {
  name: string;
  version: string;
  /** False when this version was published already with these bytes and card (only aliases moved). */
  added: boolean;
  aliases: Record<string, string>;
  files: string[];
  registryCreated: boolean;
}

/** The card, checked: valid, for this name and version, describing these bytes. */
function checkedCard(o: PublishOptions, bytes: Uint8Array): { card: ModelCard; path: string } {
  const path = o.card ?? defaultCardPath(o.model);
  if (!o.card && !exists(path)) {
    throw cliError(EXIT.card, 'CARD_INVALID', `No card for ${q(o.model)}: ${q(path)} does not exist. Make one with "ml-predict card ${o.model} --data train.csv", or give --card.`, { file: path });
  }
  const card = validateCard(parseJson(new TextDecoder().decode(readBytes(path)), path, 'card'), path);
  const name = o.name ?? card.name;
  const version = o.version ?? card.version;
  if (card.name !== name || card.version !== version) {
    throw cliError(
      EXIT.card,
      'CARD_INVALID',
      `Card ${q(path)} is for ${q(card.name)} ${q(card.version)}, not ${q(name)} ${q(version)}: make the card with --name ${name} --version ${version} (ml-predict card), or publish under the card's name and version.`,
      { file: path },
    );
  }
  try {
    checkCardMatches(card, sha256Hex(bytes), bytes.length);
  } catch (e) {
    throw cliError(EXIT.card, 'CARD_INVALID', `Card ${q(path)} does not describe ${q(o.model)}: ${(e as Error).message}`, { file: path });
  }
  return { card, path };
}

export async function publish(o: PublishOptions, io: Io): Promise<PublishResult> {
  const bytes = readBytes(o.model);
  const graph = prepareGraph(bytes, basename(o.model));
  const { card } = checkedCard(o, bytes);
  const { name, version } = card;
  if (!NAME.test(name)) throw usageError(`Model name ${q(name)} cannot name files: use letters, digits, ".", "_" and "-", starting with a letter or digit.`);
  const aliases = o.aliases ?? [];
  for (const a of aliases) {
    if (!ALIAS.test(a) || /^\d+\.\d+\.\d+/.test(a)) throw usageError(`Alias ${q(a)} is not an alias name: letters, digits, ".", "_" and "-", starting with a letter (e.g. stable, candidate).`);
  }
  // The model must load where it will be served (the same checks and session as the browser's wasm backend).
  const session = await openSession(graph, name);
  await session.release();

  const registry = resolve(o.registry);
  const folder = dirname(registry);
  const release = lock(registry);
  try {
    const { doc, created } = readRegistry(registry);
    const sha256 = sha256Hex(bytes);
    const modelRel = modelFile(name, version);
    const cardRel = cardFile(name, version);
    const published: ModelCard = { ...card, model: { ...card.model, file: modelRel } };
    const cardText = stableJson(published);
    const entry = Object.hasOwn(doc.models, name) ? doc.models[name] : undefined;
    const existing = entry && Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
    if (entry && entry.task !== card.task) {
      throw cliError(EXIT.refused, 'REGISTRY_INVALID', `Model ${q(name)} is a ${entry.task} model in ${q(o.registry)}; the card says ${q(card.task)}. Publish it under another name.`, { file: o.registry });
    }
    let added = true;
    if (existing) {
      if (existing.sha256 !== sha256 || existing.bytes !== bytes.length) {
        throw cliError(
          EXIT.refused,
          'INVALID_ARGUMENT',
          `Version ${q(version)} of ${q(name)} is published in ${q(o.registry)} with other bytes (sha256 ${existing.sha256}, ${existing.bytes} bytes); ${q(o.model)} has sha256 ${sha256}, ${bytes.length} bytes. Published versions never change: publish these bytes as a new version (--version).`,
          { file: o.registry, version },
        );
      }
      const onDisk = join(folder, existing.card);
      const before = exists(onDisk) ? JSON.stringify(JSON.parse(new TextDecoder().decode(readBytes(onDisk))) as unknown) : undefined;
      if (before !== undefined && before !== JSON.stringify(JSON.parse(cardText) as unknown)) {
        throw cliError(EXIT.refused, 'INVALID_ARGUMENT', `Version ${q(version)} of ${q(name)} is published with another card (${q(existing.card)}); published versions never change: publish the new card with a new version (--version).`, { file: onDisk });
      }
      added = false;
    } else {
      for (const [rel, what] of [[modelRel, 'model'], [cardRel, 'card']] as const) {
        const user = Object.entries(doc.models).flatMap(([m, e]) => Object.entries(e.versions).filter(([, v]) => v.url === rel || v.card === rel).map(([v]) => `${m} ${v}`));
        if (user.length > 0) throw cliError(EXIT.refused, 'INVALID_ARGUMENT', `The ${what} file ${q(rel)} in ${q(folder)} belongs to ${user.join(', ')} in the registry; it cannot be replaced.`, { file: rel });
      }
    }
    const files: string[] = [];
    if (added) {
      // Files first: the registry points at them only once they are complete.
      writeAtomic(join(folder, modelRel), bytes);
      files.push(modelRel);
      crashPoint(io, 'after-model');
      writeAtomic(join(folder, cardRel), cardText);
      files.push(cardRel);
      crashPoint(io, 'after-card');
    }
    const next = structuredClone(doc);
    const model: RegistryModel = next.models[name] ?? { title: o.title ?? name, task: card.task, description: o.description ?? card.description, aliases: {}, versions: {} };
    next.models[name] = model;
    model.aliases ??= {};
    if (added) model.versions[version] = { url: modelRel, card: cardRel, sha256, bytes: bytes.length };
    for (const a of aliases) model.aliases[a] = version;
    if (!entry && !model.aliases.stable) model.aliases.stable = version;
    if (created || o.makeDefault) next.default = name;
    validateRegistry(next, o.registry);
    verifyVersion(next, registry, name, version, folder);
    writeAtomic(registry, stableJson(next), () => crashPoint(io, 'before-registry-rename'));
    // Read back what is on disk now: the whole registry must still validate.
    const written = validateRegistry(parseJson(new TextDecoder().decode(readBytes(registry)), o.registry, 'registry'), o.registry);
    warnMissingFiles(written, folder, io);
    return { name, version, added, aliases: { ...model.aliases }, files, registryCreated: created };
  } finally {
    release();
  }
}

/** The version resolves, and its files on disk are what the registry says (as a browser would check them). */
function verifyVersion(doc: RegistryDocument, registry: string, name: string, version: string, folder: string): void {
  const r = registryFromDocument(pathToFileURL(registry).href, doc).resolve(name, version);
  const entry = doc.models[name]!.versions[version]!;
  const model = readBytes(join(folder, entry.url));
  if (sha256Hex(model) !== r.sha256 || model.length !== r.bytes) {
    throw cliError(EXIT.refused, 'INVALID_ARGUMENT', `${q(entry.url)} in ${q(folder)} is not the bytes the registry lists for ${name} ${version}; nothing was changed in the registry.`);
  }
  const card = validateCard(JSON.parse(new TextDecoder().decode(readBytes(join(folder, entry.card)))) as unknown, entry.card);
  if (card.name !== name || card.version !== version) throw cliError(EXIT.card, 'CARD_INVALID', `${q(entry.card)} is for ${q(card.name)} ${q(card.version)}, not ${name} ${version}.`);
  checkCardMatches(card, r.sha256, r.bytes);
}

/** Versions (of any model) whose relative files are not beside the registry: a warning each, for the person to fix. */
function warnMissingFiles(doc: RegistryDocument, folder: string, io: Io): void {
  for (const [m, e] of Object.entries(doc.models)) {
    for (const [v, entry] of Object.entries(e.versions)) {
      for (const rel of [entry.url, entry.card]) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(rel) || rel.startsWith('/')) continue;
        if (!exists(join(folder, rel))) io.err(`ml-predict: warning: ${m} ${v} lists ${q(rel)}, which is not in ${q(folder)}.\n`);
      }
    }
  }
}

export async function publishCommand(argv: readonly string[], io: Io, help: (spec: CommandSpec) => string): Promise<number> {
  const p = parseArgs(PUBLISH_SPEC, argv);
  if (p.help) {
    io.out(help(PUBLISH_SPEC));
    return EXIT.ok;
  }
  const registry = str(p, 'registry');
  if (!registry) throw usageError('"ml-predict publish" needs the registry to publish into: --registry public/models/registry.json. See "ml-predict publish --help".');
  const model = p.positionals[0]!;
  const r = await publish(
    { model, registry, card: str(p, 'card'), name: str(p, 'name'), version: str(p, 'version'), aliases: list(p, 'alias'), title: str(p, 'title'), description: str(p, 'description'), makeDefault: bool(p, 'default') },
    io,
  );
  const aliases = Object.entries(r.aliases).map(([a, v]) => `${a} → ${v}`).join(', ');
  const what = r.added ? `Published ${r.name} ${r.version}` : `${r.name} ${r.version} was published already (same bytes and card)`;
  io.out(`${what} in ${registry}${r.registryCreated ? ' (new registry)' : ''}: ${r.files.length ? `wrote ${r.files.join(', ')}; ` : ''}integrity ${sriOf(readBytes(model))}; aliases ${aliases || 'none'}.\n`);
  return EXIT.ok;
}
