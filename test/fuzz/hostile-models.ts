/**
 * Hostile model bytes, generated from a fixed seed: random bytes, each demo model truncated at
 * many offsets, bit flips and byte overwrites, absurd protobuf lengths, and structurally broken
 * graphs written with tools/onnx/writer.ts (no graph, no inputs, dangling names, unknown ops,
 * domains and opsets, initializers whose dims do not match their data). Pure: no browser API.
 */
import { mulberry32 } from '../../lib/evaluate/random.js';
import { writeModel, type ModelDef } from '../../tools/onnx/writer.js';

export interface HostileModel {
  /** What was done, for the failure message: "iris truncated at 812". */
  label: string;
  category: 'random' | 'truncated' | 'bit-flip' | 'overwrite' | 'protobuf-length' | 'structure';
  bytes: Uint8Array;
}

/** A varint (protobuf base-128) of `value`, up to 2^53. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const sigmoid = (extra: Partial<ModelDef['graph']> = {}, model: Partial<ModelDef> = {}): Uint8Array =>
  writeModel({
    ...model,
    graph: {
      name: 'g',
      nodes: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', type: { tensor: 'float', shape: ['N', 4] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['N', 4] } }],
      ...extra,
    },
  });

/** Graphs that parse as protobuf but are not models onnxruntime can run. */
function structural(): HostileModel[] {
  const s = (label: string, bytes: Uint8Array): HostileModel => ({ label, category: 'structure', bytes });
  const list: HostileModel[] = [
    s('no nodes, output never produced', sigmoid({ nodes: [] })),
    s('no inputs, the node reads a missing name', sigmoid({ inputs: [] })),
    s('no outputs', sigmoid({ outputs: [] })),
    s('node reads a dangling name', sigmoid({ nodes: [{ op: 'Sigmoid', inputs: ['nowhere'], outputs: ['y'] }] })),
    s('unknown op in ai.onnx', sigmoid({ nodes: [{ op: 'NoSuchOp', inputs: ['x'], outputs: ['y'] }] })),
    s('unknown domain', sigmoid({ nodes: [{ op: 'Sigmoid', domain: 'com.example.nowhere', inputs: ['x'], outputs: ['y'] }] }, { opsets: { '': 17, 'com.example.nowhere': 1 } })),
    s('opset 1000', sigmoid({}, { opsets: { '': 1000 } })),
    s('opset 0', sigmoid({}, { opsets: { '': 0 } })),
    s('ir version 0', sigmoid({}, { irVersion: 0 })),
    s('ir version 99', sigmoid({}, { irVersion: 99 })),
    s('two nodes write one name', sigmoid({ nodes: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['y'] }, { op: 'Relu', inputs: ['x'], outputs: ['y'] }] })),
    s('a cycle', sigmoid({ nodes: [{ op: 'Add', inputs: ['x', 'z'], outputs: ['y'] }, { op: 'Relu', inputs: ['y'], outputs: ['z'] }] })),
    s('wrong arity (Add with one input)', sigmoid({ nodes: [{ op: 'Add', inputs: ['x'], outputs: ['y'] }] })),
    s('type mismatch (Add float + int64 initializer)', sigmoid({ nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }], initializers: [{ name: 'k', type: 'int64', dims: [1], values: [1n] }] })),
    s('initializer dims claim 1e9 elements, data has 4', sigmoid({ nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }], initializers: [{ name: 'k', type: 'float', dims: [1_000_000_000], values: [1, 2, 3, 4] }] })),
    s('initializer with a negative dim', sigmoid({ nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }], initializers: [{ name: 'k', type: 'float', dims: [-4], values: [1, 2, 3, 4] }] })),
    s('a string input fed to Sigmoid', sigmoid({ inputs: [{ name: 'x', type: { tensor: 'string', shape: ['N', 4] } }] })),
    s('input declared as a map', sigmoid({ inputs: [{ name: 'x', type: { map: { key: 'int64', value: { tensor: 'float' } } } }] })),
    s('Reshape to an impossible constant shape', sigmoid({ nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }], initializers: [{ name: 'shape', type: 'int64', dims: [2], values: [7n, 13n] }] })),
    s('Conv with a bad kernel attribute', sigmoid({ nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: { kernel_shape: { ints: [0, -1] } } }], initializers: [{ name: 'w', type: 'float', dims: [1, 1, 1, 1], values: [1] }] })),
  ];
  return list;
}

/**
 * At least `count` hostile models from `seed`, from `models` (name → the bytes of a model that
 * loads): every category is represented in proportion.
 */
export function hostileModels(models: Record<string, Uint8Array>, seed: number, count = 500): HostileModel[] {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const out: HostileModel[] = [...structural()];
  const names = Object.keys(models);
  const per = Math.ceil((count - out.length) / 5);

  for (let i = 0; i < per; i++) {
    const length = [0, 1, 7, 64, 1000, 65_536][i % 6]! + int(16);
    out.push({ label: `${length} random bytes`, category: 'random', bytes: Uint8Array.from({ length }, () => int(256)) });
  }
  for (let i = 0; i < per; i++) {
    const name = names[i % names.length]!;
    const bytes = models[name]!;
    const at = i < names.length ? bytes.length - 1 : int(bytes.length);
    out.push({ label: `${name} truncated at ${at} of ${bytes.length}`, category: 'truncated', bytes: bytes.slice(0, at) });
  }
  for (let i = 0; i < per; i++) {
    const name = names[i % names.length]!;
    const bytes = models[name]!.slice();
    const flips = 1 + int(8);
    const at: number[] = [];
    for (let f = 0; f < flips; f++) {
      const p = int(bytes.length);
      bytes[p]! ^= 1 << int(8);
      at.push(p);
    }
    out.push({ label: `${name} with bits flipped at ${at.join(', ')}`, category: 'bit-flip', bytes });
  }
  for (let i = 0; i < per; i++) {
    const name = names[i % names.length]!;
    const bytes = models[name]!.slice();
    const start = int(bytes.length);
    const run = 1 + int(64);
    const value = [0x00, 0xff, int(256)][i % 3]!;
    bytes.fill(value, start, start + run);
    out.push({ label: `${name} with ${run} bytes from ${start} set to ${value}`, category: 'overwrite', bytes });
  }
  for (let i = 0; i < per; i++) {
    // A ModelProto field (graph = 7, or a string field) whose length prefix is absurd.
    const field = [7, 2, 3, 8, 14][i % 5]!;
    const length = [2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 1e12, 2 ** 30][int(5)]!;
    const body = Uint8Array.from({ length: int(32) }, () => int(256));
    const bytes = Uint8Array.from([0x08, 0x08, (field << 3) | 2, ...varint(length), ...body]);
    out.push({ label: `field ${field} claims ${length} bytes, has ${body.length}`, category: 'protobuf-length', bytes });
  }
  return out;
}
