import { describe, expect, it } from 'vitest';
import { inspectOnnx } from '../../lib/model/onnx-check.js';
import { readGraph } from '../../lib/model/onnx-graph.js';
import { inputsAllowingMissing, rewriteZipMap } from '../../lib/model/zipmap.js';
import { writeModel, type GraphDef, type NodeDef } from '../../tools/onnx/writer.js';
import { linearClassifierModel, sigmoidModel, zipmapModel } from '../fixtures/models.js';
import { decisionTree, imputerPipeline, logisticRegression } from '../fixtures/skl2onnx.js';
import { thrown } from '../helpers.js';

const zipmapNode = (attributes: NodeDef['attributes'], outputs = ['p']): NodeDef => ({ op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['x'], outputs, attributes });
const seqOfMaps = { sequence: { map: { key: 'string' as const, value: { tensor: 'float' as const } } } };

function graphModel(graph: Omit<GraphDef, 'name'>, opsets: Record<string, number> = { '': 17, 'ai.onnx.ml': 3 }): Uint8Array {
  return writeModel({ opsets, graph: { name: 'g', ...graph } });
}

/** x float [N, 2] → ZipMap(labels) → p, as the only output. */
function bareZipMap(attributes: NodeDef['attributes'], opsets?: Record<string, number>, extra: Partial<GraphDef> = {}): Uint8Array {
  return graphModel(
    {
      inputs: [{ name: 'x', type: { tensor: 'float', shape: [null, 2] } }],
      outputs: [{ name: 'p', type: seqOfMaps }],
      nodes: [zipmapNode(attributes)],
      ...extra,
    },
    opsets,
  );
}

describe('rewriteZipMap', () => {
  it('reads a ZipMap output as the probabilities tensor, with its string labels and the label output', () => {
    const bytes = logisticRegression();
    const { bytes: out, rewritten } = rewriteZipMap(bytes, 'lr');
    expect(rewritten).toEqual([{ output: 'output_probability', labels: ['setosa', 'versicolor', 'virginica'], label: 'output_label' }]);
    const summary = inspectOnnx(out, 'lr');
    expect(summary.nonTensorOutputs).toEqual([]);
    expect(summary.ops).toEqual(['Identity', 'LinearClassifier']);
    const g = readGraph(out, 'lr');
    expect(g.outputs.map((o) => [o.name, o.kind])).toEqual([['output_label', 'tensor'], ['output_probability', 'tensor']]);
    const identity = g.nodes.find((n) => n.outputs[0] === 'output_probability')!;
    expect([identity.op, identity.domain, identity.name, identity.inputs]).toEqual(['Identity', '', 'ZipMap', ['probabilities']]);
  });

  it('writes the output as float [unknown N, classes], as the twin exported without ZipMap declares it', () => {
    const twin = readGraph(logisticRegression(false), 't');
    const out = rewriteZipMap(logisticRegression(), 'lr').bytes;
    const field = (b: Uint8Array, name: string) => {
      const f = readGraph(b, name).outputs.find((o) => o.name === 'output_probability')!.field;
      return [...b.subarray(f.at, f.end)];
    };
    expect(field(out, 'lr')).toEqual(field(logisticRegression(false), 't'));
    expect(twin.outputs).toHaveLength(2);
  });

  it('reads classlabels_int64s written one field per value, packed, and negative', () => {
    expect(rewriteZipMap(decisionTree(), 'tree').rewritten).toEqual([{ output: 'output_probability', labels: ['1', '2', '3'], label: 'output_label' }]);
    expect(rewriteZipMap(bareZipMap({ classlabels_int64s: { ints: [-5n, 7n, 2n ** 40n] } }), 'neg').rewritten).toEqual([{ output: 'p', labels: ['-5', '7', String(2 ** 40)] }]);
    // The library's own fixture: the classifier's label output is a graph output itself.
    expect(rewriteZipMap(zipmapModel(), 'z').rewritten).toEqual([{ output: 'output_probability', labels: ['0', '1', '2'], label: 'label' }]);
  });

  it('gives back the very bytes, and no rewrite, for a model without ZipMap', () => {
    for (const bytes of [sigmoidModel(), linearClassifierModel(), logisticRegression(false), decisionTree(false), imputerPipeline(false)]) {
      const result = rewriteZipMap(bytes, 'm');
      expect(result.bytes).toBe(bytes);
      expect(result.rewritten).toEqual([]);
    }
  });

  it('copies the rest of the model as it is: a large initializer comes through byte for byte', () => {
    // A MatMul over an 800 KB initializer, and a ZipMap output beside its tensor output.
    const bytes = graphModel({
      inputs: [{ name: 'x', type: { tensor: 'float', shape: ['batch', 1000] } }, { name: 'q', type: { tensor: 'float', shape: [null, 2] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['batch', 200] } }, { name: 'p', type: seqOfMaps }],
      initializers: [{ name: 'W', type: 'float', dims: [1000, 200], values: new Float32Array(200_000).fill(0.25) }],
      nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }, { ...zipmapNode({ classlabels_strings: { strings: ['a', 'b'] } }), inputs: ['q'] }],
    });
    const out = rewriteZipMap(bytes, 'big').bytes;
    expect(Math.abs(out.length - bytes.length)).toBeLessThan(64);
    const init = readGraph(bytes, 'big').order.find((f) => f.field === 5)!;
    const initOut = readGraph(out, 'big').order.find((f) => f.field === 5)!;
    expect(init.end - init.at).toBeGreaterThan(800_000);
    expect(Buffer.from(out.subarray(initOut.at, initOut.end)).equals(Buffer.from(bytes.subarray(init.at, init.end)))).toBe(true);
  });

  it('drops value_info entries of the rewritten outputs and imports ai.onnx where the model does not', () => {
    const bytes = bareZipMap({ classlabels_strings: { strings: ['a', 'b'] } }, { 'ai.onnx.ml': 3 }, { valueInfo: [{ name: 'p', type: seqOfMaps }, { name: 'x', type: { tensor: 'float' } }] });
    expect(inspectOnnx(bytes, 'm').domains).toEqual(['ai.onnx.ml']);
    const out = rewriteZipMap(bytes, 'm').bytes;
    expect(inspectOnnx(out, 'm').domains).toEqual(['ai.onnx.ml', '']);
    expect(readGraph(out, 'm').valueInfo.map((v) => v.name)).toEqual(['x']);
  });

  it('refuses what it cannot read: UNSUPPORTED_MODEL with the fix, MODEL_INVALID for broken bytes or labels', () => {
    const unsupported = (bytes: Uint8Array) => {
      const e = thrown(() => rewriteZipMap(bytes, 'm'));
      expect(e.code).toBe('UNSUPPORTED_MODEL');
      expect(e.message).toMatch(/"zipmap": False/);
      return e;
    };
    // A sequence output that no ZipMap makes, beside a ZipMap that could be rewritten.
    const seq = graphModel({
      inputs: [{ name: 'x', type: { tensor: 'float', shape: [null, 2] } }],
      outputs: [{ name: 'p', type: seqOfMaps }, { name: 's', type: { sequence: { tensor: 'float' } } }],
      nodes: [zipmapNode({ classlabels_strings: { strings: ['a', 'b'] } }), { op: 'SequenceConstruct', inputs: ['x'], outputs: ['s'] }],
    });
    expect(unsupported(seq).message).toContain('"s" (sequence)');
    expect(unsupported(seq).message).not.toContain('"p"');
    // A ZipMap output that another node reads too.
    const read = graphModel({
      inputs: [{ name: 'x', type: { tensor: 'float', shape: [null, 2] } }],
      outputs: [{ name: 'p', type: seqOfMaps }, { name: 'n', type: { tensor: 'int64' } }],
      nodes: [zipmapNode({ classlabels_strings: { strings: ['a', 'b'] } }), { op: 'SequenceLength', inputs: ['p'], outputs: ['n'] }],
    });
    expect(unsupported(read).message).toContain('"p" (sequence)');
    // No ZipMap at all: the message of checkSupported.
    const noZipMap = graphModel({ inputs: [{ name: 'x', type: { tensor: 'float' } }], outputs: [{ name: 's', type: { sequence: { tensor: 'float' } } }], nodes: [{ op: 'SequenceConstruct', inputs: ['x'], outputs: ['s'] }] });
    expect(thrown(() => rewriteZipMap(noZipMap, 'm')).code).toBe('UNSUPPORTED_MODEL');

    const invalid = (bytes: Uint8Array, pattern: RegExp) => {
      const e = thrown(() => rewriteZipMap(bytes, 'm'));
      expect(e.code).toBe('MODEL_INVALID');
      expect(e.message).toMatch(pattern);
    };
    invalid(bareZipMap({}), /neither/);
    invalid(bareZipMap({ classlabels_strings: { strings: ['a'] }, classlabels_int64s: { ints: [1] } }), /both/);
    invalid(bareZipMap({ classlabels_strings: { strings: [] } }), /no class labels/);
    invalid(new TextEncoder().encode('{"not": "onnx"}'), /not a valid ONNX model/);
    const good = logisticRegression();
    for (const cut of [good.length - 1, Math.floor(good.length / 2), 40]) invalid(good.subarray(0, cut), /not a valid ONNX model/);
  });
});

describe('inputsAllowingMissing', () => {
  it('names the inputs whose values reach an Imputer of NaN', () => {
    expect(inputsAllowingMissing(imputerPipeline())).toEqual(['float_input']);
    expect(inputsAllowingMissing(imputerPipeline(false))).toEqual(['float_input']);
    expect(inputsAllowingMissing(logisticRegression())).toEqual([]);
    expect(inputsAllowingMissing(sigmoidModel())).toEqual([]);
  });

  it('follows the data flow through Cast, Concat, Slice and Gather, and leaves other inputs out', () => {
    // age, fare float [N, 1]; sibsp int64 [N, 1]; sex string [N, 1] (one-hot, never imputed).
    const bytes = graphModel({
      inputs: [
        { name: 'age', type: { tensor: 'float', shape: [null, 1] } },
        { name: 'fare', type: { tensor: 'float', shape: [null, 1] } },
        { name: 'sibsp', type: { tensor: 'int64', shape: [null, 1] } },
        { name: 'sex', type: { tensor: 'string', shape: [null, 1] } },
      ],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: [null, 5] } }],
      initializers: [{ name: 'idx', type: 'int64', dims: [1], values: [0] }],
      nodes: [
        { op: 'Cast', inputs: ['sibsp'], outputs: ['sibsp_f'], attributes: { to: { i: 1 } } },
        { op: 'Gather', inputs: ['fare', 'idx'], outputs: ['fare_g'], attributes: { axis: { i: 1 } } },
        { op: 'Concat', inputs: ['age', 'fare_g'], outputs: ['num'], attributes: { axis: { i: 1 } } },
        { op: 'Imputer', domain: 'ai.onnx.ml', inputs: ['num'], outputs: ['num_i'], attributes: { imputed_value_floats: { floats: [30, 14] }, replaced_value_float: { f: Number.NaN } } },
        { op: 'OneHotEncoder', domain: 'ai.onnx.ml', inputs: ['sex'], outputs: ['sex_1h'], attributes: { cats_strings: { strings: ['female', 'male'] } } },
        { op: 'Concat', inputs: ['num_i', 'sibsp_f', 'sex_1h'], outputs: ['y'], attributes: { axis: { i: 1 } } },
      ],
    });
    expect(inputsAllowingMissing(bytes)).toEqual(['age', 'fare']);
  });

  it('counts IsNaN, and an Imputer only when the value it replaces is NaN', () => {
    const graph = (node: NodeDef) =>
      graphModel({
        inputs: [{ name: 'x', type: { tensor: 'float', shape: [null, 2] } }, { name: 'z', type: { tensor: 'float', shape: [null, 2] } }],
        outputs: [{ name: 'y', type: { tensor: 'float' } }, { name: 'w', type: { tensor: 'float' } }],
        nodes: [{ op: 'Slice', inputs: ['x'], outputs: ['xs'] }, { ...node, inputs: ['xs'] }, { op: 'Identity', inputs: ['z'], outputs: ['w'] }],
      });
    expect(inputsAllowingMissing(graph({ op: 'IsNaN', inputs: [], outputs: ['y'] }))).toEqual(['x']);
    const imputer = (f: number): NodeDef => ({ op: 'Imputer', domain: 'ai.onnx.ml', inputs: [], outputs: ['y'], attributes: { imputed_value_floats: { floats: [1, 2] }, replaced_value_float: { f } } });
    expect(inputsAllowingMissing(graph(imputer(Number.NaN)))).toEqual(['x']);
    expect(inputsAllowingMissing(graph(imputer(0)))).toEqual([]);
    expect(inputsAllowingMissing(graph({ op: 'Imputer', domain: 'ai.onnx.ml', inputs: [], outputs: ['y'], attributes: { imputed_value_floats: { floats: [1, 2] } } }))).toEqual([]);
    // An IsNaN of another domain is not ai.onnx's.
    expect(inputsAllowingMissing(graph({ op: 'IsNaN', domain: 'com.example', inputs: [], outputs: ['y'] }))).toEqual([]);
  });

  it('refuses bytes that are not ONNX with MODEL_INVALID', () => {
    expect(thrown(() => inputsAllowingMissing(imputerPipeline().subarray(0, 50))).code).toBe('MODEL_INVALID');
    expect(thrown(() => inputsAllowingMissing(new Uint8Array([0x0f, 1, 2]))).code).toBe('MODEL_INVALID');
  });
});
