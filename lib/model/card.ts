/**
 * Model card: the JSON document beside a model (`name.card.json`) that tells a form, a CSV job
 * and a drift check what the model expects and what it gives (its types: card-types.ts).
 * `validateCard` checks a parsed card field by field; `checkCardMatches` refuses a card that
 * describes other bytes; `checkCardInputs` a "columns" card that cannot feed the model's inputs.
 */
import { MlPredictError, oneOf, quote } from '../errors.js';
import { CARD_TASKS, type CardTask, type Feature, type ModelCard } from './card-types.js';

export * from './card-types.js';

// ---------------------------------------------------------------------------------------------
// Validation

type Obj = Record<string, unknown>;

class CardChecker {
  constructor(private readonly label: string) {}

  fail(path: string, expected: string, found: unknown, missing = false): never {
    const what = missing ? 'nothing (the field is missing)' : describe(found);
    throw new MlPredictError('CARD_INVALID', `${this.label}: field "${path}" must be ${expected}; found ${what}.`, {
      field: path,
      expected,
    });
  }

  obj(parent: Obj, key: string, path: string, optional = false): Obj | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'an object', v, v === undefined);
    return v as Obj;
  }

  str(parent: Obj, key: string, path: string, optional = false): string | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || (v.length === 0 && !optional)) this.fail(path, 'a non-empty string', v, v === undefined);
    return v;
  }

  num(parent: Obj, key: string, path: string, optional = false): number | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'a finite number', v, v === undefined);
    return v;
  }

  int(parent: Obj, key: string, path: string, optional = false, min = 0): number | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(path, `an integer ≥ ${min}`, v, v === undefined);
    return v;
  }

  bool(parent: Obj, key: string, path: string, optional = false): boolean | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'boolean') this.fail(path, 'true or false', v, v === undefined);
    return v;
  }

  oneOf<T extends string>(parent: Obj, key: string, path: string, values: readonly T[], optional = false): T | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(path, `one of ${values.map((s) => JSON.stringify(s)).join(', ')}`, v, v === undefined);
    }
    return v as T;
  }

  numbers(parent: Obj, key: string, path: string, optional = false, length?: number, maxLength?: number): number[] | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    const expected = `an array of ${length ?? (maxLength !== undefined ? `at most ${maxLength}` : 'finite')} numbers`;
    if (!Array.isArray(v)) this.fail(path, expected, v, v === undefined);
    if (length !== undefined && v.length !== length) this.fail(path, expected, `an array of ${v.length} values`);
    if (maxLength !== undefined && v.length > maxLength) this.fail(path, expected, `an array of ${v.length} values`);
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${path}[${i}]`, 'a finite number', x);
    });
    return v as number[];
  }

  strings(parent: Obj, key: string, path: string, optional = false): string[] | undefined {
    const v = parent[key];
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) this.fail(path, 'an array of strings', v, v === undefined);
    v.forEach((x, i) => {
      if (typeof x !== 'string') this.fail(`${path}[${i}]`, 'a string', x);
    });
    return v as string[];
  }

  file(parent: Obj, key: string, path: string, optional = false): void {
    const f = this.obj(parent, key, path, optional);
    if (!f) return;
    this.str(f, 'file', `${path}.file`);
    const sha = f.sha256;
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
      this.fail(`${path}.sha256`, 'a sha256 digest as 64 lower-case hex characters', sha, sha === undefined);
    }
    this.int(f, 'bytes', `${path}.bytes`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string' && v.startsWith('an array of ')) return v;
  if (Array.isArray(v)) return `an array (${quote(v)})`;
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object (${quote(v)})`;
  return `${quote(v)} (${typeof v})`;
}

function checkFeature(c: CardChecker, f: unknown, path: string, columns: boolean): void {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) c.fail(path, 'an object', f);
  const o = f as Obj;
  c.str(o, 'name', `${path}.name`);
  const type = c.oneOf(o, 'type', `${path}.type`, ['number', 'category'] as const);
  c.str(o, 'description', `${path}.description`, true);
  if (columns) {
    if (o.tensor !== undefined && (typeof o.tensor !== 'string' || o.tensor === '')) c.fail(`${path}.tensor`, 'a non-empty string (the model input this feature goes to)', o.tensor);
  } else if (o.tensor !== undefined) c.fail(`${path}.tensor`, 'absent (a feature names its own tensor only for input kind "columns"; "features" puts all in input.tensor)', o.tensor);
  if (type === 'number') {
    c.str(o, 'unit', `${path}.unit`, true);
    const min = c.num(o, 'min', `${path}.min`, true);
    const max = c.num(o, 'max', `${path}.max`, true);
    if (min !== undefined && max !== undefined && min > max) c.fail(`${path}.max`, `a number ≥ min (${min})`, max);
    c.num(o, 'default', `${path}.default`, true);
    c.bool(o, 'missing', `${path}.missing`, true);
  } else {
    const cats = c.strings(o, 'categories', `${path}.categories`)!;
    if (cats.length === 0) c.fail(`${path}.categories`, 'a non-empty array of strings', cats);
    const twice = cats.find((x, i) => cats.indexOf(x) !== i);
    if (twice !== undefined) c.fail(`${path}.categories`, 'distinct categories', `${quote(twice)} listed twice`);
    const d = c.str(o, 'default', `${path}.default`, true);
    if (d !== undefined && !cats.includes(d)) c.fail(`${path}.default`, `one of the categories ${cats.map((x) => JSON.stringify(x)).join(', ')}`, d);
    if (o.missing !== undefined) c.fail(`${path}.missing`, 'absent (only numeric features allow missing values)', o.missing);
  }
}

/** Features of a "features" or "columns" input: a non-empty array, names distinct (and tensors, for "columns"). */
function checkFeatures(c: CardChecker, input: Obj, columns: boolean): void {
  const fs = input.features;
  if (!Array.isArray(fs) || fs.length === 0) c.fail('input.features', 'a non-empty array of features', fs, fs === undefined);
  fs.forEach((f, i) => checkFeature(c, f, `input.features[${i}]`, columns));
  const names = (fs as Obj[]).map((f) => f.name as string);
  const dupName = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dupName >= 0) c.fail(`input.features[${dupName}].name`, `a name no other feature has (feature ${names.indexOf(names[dupName]!)} is also named so)`, names[dupName]);
  if (!columns) return;
  const tensors = (fs as Obj[]).map((f) => (f.tensor as string | undefined) ?? (f.name as string));
  const dupTensor = tensors.findIndex((t, i) => tensors.indexOf(t) !== i);
  if (dupTensor >= 0) {
    c.fail(`input.features[${dupTensor}].tensor`, `a tensor no other feature goes to (feature ${quote(names[tensors.indexOf(tensors[dupTensor]!)])} goes to it too; each column is its own [N, 1] tensor)`, tensors[dupTensor]);
  }
}

function checkInput(c: CardChecker, card: Obj): void {
  const input = c.obj(card, 'input', 'input')!;
  const kind = c.oneOf(input, 'kind', 'input.kind', ['features', 'columns', 'text', 'image', 'audio', 'other'] as const);
  if (kind !== 'columns') c.str(input, 'tensor', 'input.tensor');
  else if (input.tensor !== undefined) c.fail('input.tensor', 'absent for input kind "columns" (each feature names its own tensor: features[i].tensor, default its name)', input.tensor);
  switch (kind) {
    case 'features':
      checkFeatures(c, input, false);
      break;
    case 'columns':
      checkFeatures(c, input, true);
      c.str(input, 'description', 'input.description', true);
      break;
    case 'text': {
      const p = c.obj(input, 'preprocessing', 'input.preprocessing')!;
      c.bool(p, 'lowercase', 'input.preprocessing.lowercase');
      const pattern = c.str(p, 'tokenPattern', 'input.preprocessing.tokenPattern')!;
      const flags = c.str(p, 'flags', 'input.preprocessing.flags', true);
      try {
        new RegExp(pattern, flags ?? 'gu');
      } catch (e) {
        c.fail('input.preprocessing.tokenPattern', `a valid regular expression (${(e as Error).message})`, pattern);
      }
      c.oneOf(p, 'shape', 'input.preprocessing.shape', ['row'] as const);
      c.str(p, 'pad', 'input.preprocessing.pad', true);
      break;
    }
    case 'image': {
      const p = c.obj(input, 'image', 'input.image')!;
      c.oneOf(p, 'layout', 'input.image.layout', ['flat', 'nchw'] as const);
      const channels = p.channels;
      if (channels !== 1 && channels !== 3) c.fail('input.image.channels', '1 or 3', channels, channels === undefined);
      c.int(p, 'height', 'input.image.height', false, 1);
      if (p.width !== null) c.int(p, 'width', 'input.image.width (or null for any width)', false, 1);
      c.num(p, 'scale', 'input.image.scale');
      c.numbers(p, 'mean', 'input.image.mean', false, channels as number);
      const std = c.numbers(p, 'std', 'input.image.std', false, channels as number)!;
      std.forEach((s, i) => {
        if (s === 0) c.fail(`input.image.std[${i}]`, 'a non-zero number', s);
      });
      c.oneOf(p, 'channelOrder', 'input.image.channelOrder', ['rgb', 'bgr'] as const, true);
      break;
    }
    case 'audio': {
      const p = c.obj(input, 'audio', 'input.audio')!;
      c.int(p, 'sampleRate', 'input.audio.sampleRate', false, 1);
      c.int(p, 'frameSamples', 'input.audio.frameSamples', false, 1);
      c.int(p, 'contextSamples', 'input.audio.contextSamples');
      const state = c.obj(p, 'state', 'input.audio.state', true);
      if (state) {
        c.str(state, 'tensor', 'input.audio.state.tensor');
        c.numbers(state, 'dims', 'input.audio.state.dims');
        c.str(state, 'output', 'input.audio.state.output');
      }
      c.str(p, 'sampleRateTensor', 'input.audio.sampleRateTensor', true);
      break;
    }
    case 'other':
      c.str(input, 'description', 'input.description');
      break;
  }
}

function checkOutputs(c: CardChecker, card: Obj, task: CardTask): void {
  const o = c.obj(card, 'outputs', 'outputs')!;
  for (const key of ['label', 'probabilities', 'value', 'unit', 'description'] as const) c.str(o, key, `outputs.${key}`, true);
  const labels = c.strings(o, 'labels', 'outputs.labels', true);
  c.num(o, 'threshold', 'outputs.threshold', true);
  const classifier = task === 'binary-classification' || task === 'multiclass-classification' || task === 'text-classification';
  if (classifier) {
    if (o.probabilities === undefined) c.fail('outputs.probabilities', `the name of the probability tensor (task ${JSON.stringify(task)})`, undefined, true);
    if (!labels || labels.length < 2) c.fail('outputs.labels', `the names of at least 2 labels (task ${JSON.stringify(task)})`, o.labels, o.labels === undefined);
  }
  if (task === 'regression' && o.value === undefined) c.fail('outputs.value', 'the name of the value tensor (task "regression")', undefined, true);
  const decoding = c.obj(o, 'decoding', 'outputs.decoding', true);
  if (decoding) {
    c.oneOf(decoding, 'kind', 'outputs.decoding.kind', ['ctc'] as const);
    c.int(decoding, 'blank', 'outputs.decoding.blank');
    c.str(decoding, 'keys', 'outputs.decoding.keys');
    c.bool(decoding, 'appendSpace', 'outputs.decoding.appendSpace');
  }
}

function checkReference(c: CardChecker, card: Obj): void {
  const r = c.obj(card, 'reference', 'reference', true);
  if (!r) return;
  c.int(r, 'rows', 'reference.rows', false, 1);
  const features = c.obj(r, 'features', 'reference.features')!;
  for (const [name, s] of Object.entries(features)) {
    const path = `reference.features[${JSON.stringify(name)}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) c.fail(path, 'an object of statistics', s);
    const st = s as Obj;
    for (const key of ['mean', 'std', 'min', 'max'] as const) c.num(st, key, `${path}.${key}`);
    c.numbers(st, 'quantiles', `${path}.quantiles`, true, 101);
    c.numbers(st, 'sample', `${path}.sample`, true, undefined, 1000);
    c.int(st, 'missing', `${path}.missing`, true);
  }
  const categories = c.obj(r, 'categories', 'reference.categories', true);
  for (const [name, s] of Object.entries(categories ?? {})) {
    const path = `reference.categories[${JSON.stringify(name)}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) c.fail(path, 'an object { counts, missing? }', s);
    const counts = c.obj(s as Obj, 'counts', `${path}.counts`)!;
    if (Object.keys(counts).length === 0) c.fail(`${path}.counts`, 'the count of training rows per category (at least one)', counts);
    for (const key of Object.keys(counts)) c.int(counts, key, `${path}.counts[${JSON.stringify(key)}]`);
    c.int(s as Obj, 'missing', `${path}.missing`, true);
    if (Object.hasOwn(features, name)) c.fail(path, `absent: ${quote(name)} is described in reference.features already (a feature is numeric or categorical, not both)`, s);
  }
  const labels = c.obj(r, 'labels', 'reference.labels', true);
  if (labels) for (const key of Object.keys(labels)) c.int(labels, key, `reference.labels[${JSON.stringify(key)}]`);
}

/**
 * Checks a parsed model card and returns it typed. Throws `MlPredictError('CARD_INVALID')`
 * naming the first bad field, what it must be and what was found.
 *
 * @param name where the card came from, for messages (a model name or URL)
 */
export function validateCard(json: unknown, name?: string): ModelCard {
  const label = `Model card${name ? ` ${quote(name)}` : ''}`;
  const c = new CardChecker(label);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) c.fail('(card)', 'a JSON object', json);
  const card = json as Obj;
  c.str(card, 'name', 'name');
  const version = c.str(card, 'version', 'version')!;
  if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) c.fail('version', 'a semantic version like "1.0.0"', version);
  const task = c.oneOf(card, 'task', 'task', CARD_TASKS)!;
  c.str(card, 'description', 'description');
  checkInput(c, card);
  checkOutputs(c, card, task);
  const metrics = c.obj(card, 'metrics', 'metrics', true);
  if (metrics) for (const key of Object.keys(metrics)) c.num(metrics, key, `metrics[${JSON.stringify(key)}]`);
  checkReference(c, card);
  if (card.examples !== undefined && !Array.isArray(card.examples)) c.fail('examples', 'an array', card.examples);
  c.file(card, 'model', 'model');
  const assets = c.obj(card, 'assets', 'assets', true);
  if (assets) for (const key of Object.keys(assets)) c.file(assets, key, `assets[${JSON.stringify(key)}]`);
  const data = c.obj(card, 'data', 'data', true);
  if (data) {
    c.str(data, 'name', 'data.name');
    c.str(data, 'source', 'data.source');
    c.str(data, 'license', 'data.license');
    c.int(data, 'rows', 'data.rows', true);
    c.str(data, 'split', 'data.split', true);
  }
  c.obj(card, 'training', 'training', true);
  c.str(card, 'license', 'license');
  c.str(card, 'source', 'source', true);
  return card as ModelCard;
}

/**
 * Refuses a card that describes other bytes than the model's: its sha256 (hex) and byte count
 * must equal the model file's. Throws `MlPredictError('CARD_INVALID')`.
 */
export function checkCardMatches(card: ModelCard, sha256Hex: string, bytes: number): void {
  const where = `Model card ${quote(card.name)} ${quote(card.version)}`;
  const expected = String(sha256Hex).toLowerCase();
  if (card.model.sha256 !== expected) {
    throw new MlPredictError(
      'CARD_INVALID',
      `${where} is for other bytes: its model.sha256 is ${quote(card.model.sha256)} but the model's sha256 is ${quote(expected)}. Use the card published with this model file.`,
      { field: 'model.sha256', expected, found: card.model.sha256 },
    );
  }
  if (card.model.bytes !== bytes) {
    throw new MlPredictError(
      'CARD_INVALID',
      `${where} is for other bytes: its model.bytes is ${card.model.bytes} but the model has ${bytes} bytes.`,
      { field: 'model.bytes', expected: bytes, found: card.model.bytes },
    );
  }
}

/** The model input of a feature of a "columns" card: its `tensor`, else its name. */
export function featureTensor(feature: Feature): string {
  return feature.tensor ?? feature.name;
}

/** What checkCardInputs reads of a model input (a TensorInfo of `model.info.inputs`). */
export interface ModelInput {
  name: string;
  type: string;
  dims: ReadonlyArray<number | string | null>;
}

const NUMERIC_TYPES: readonly string[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];

/**
 * Refuses a "columns" card that cannot feed the model's inputs: each feature's tensor must be a
 * model input of rank 1 or 2 ([N] or [N, 1]) and of a fitting type (a number: a numeric type; a
 * category: string, or a numeric type that takes its index), and each model input must be some
 * feature's. Other input kinds are not checked here. Throws `MlPredictError('CARD_INVALID')`.
 */
export function checkCardInputs(card: ModelCard, inputs: readonly ModelInput[]): void {
  const input = card.input;
  if (input.kind !== 'columns') return;
  const where = `Model card ${quote(card.name)}`;
  const names = inputs.map((i) => i.name);
  const fail = (message: string, field: string): never => {
    throw new MlPredictError('CARD_INVALID', `${where}: ${message}`, { field, inputs: names });
  };
  input.features.forEach((f, i) => {
    const tensor = featureTensor(f);
    const field = `input.features[${i}]`;
    const info = inputs.find((t) => t.name === tensor);
    if (!info) fail(`feature ${quote(f.name)} goes to tensor ${quote(tensor)}, which is not among the model's inputs ${oneOf(names)}. Set the feature's "tensor" to one of them.`, `${field}.tensor`);
    const fits = f.type === 'number' ? NUMERIC_TYPES.includes(info!.type) : info!.type === 'string' || NUMERIC_TYPES.includes(info!.type);
    if (!fits) {
      fail(`${f.type === 'number' ? 'numeric' : 'categorical'} feature ${quote(f.name)} goes to input ${quote(tensor)} of type ${info!.type}; expected ${f.type === 'number' ? 'a numeric type' : 'string (or a numeric type for the category index)'}.`, `${field}.tensor`);
    }
    const d = info!.dims;
    if (d.length !== 1 && !(d.length === 2 && (d[1] === 1 || typeof d[1] !== 'number'))) {
      fail(`feature ${quote(f.name)} goes to input ${quote(tensor)} of dims [${d.map((x) => x ?? '?').join(', ')}]; a column is [N] or [N, 1].`, `${field}.tensor`);
    }
  });
  const fed = new Set(input.features.map(featureTensor));
  const unfed = names.filter((n) => !fed.has(n));
  if (unfed.length > 0) fail(`no feature goes to the model's input${unfed.length > 1 ? 's' : ''} ${oneOf(unfed)}; a "columns" card needs a feature for each input.`, 'input.features');
}
