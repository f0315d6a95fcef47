/**
 * `ml-predict inspect` on real files: the demo's models (text and --json), skl2onnx-style ZipMap
 * and imputer models, a model with external data, a model with an output no ZipMap makes, and
 * bad files (not ONNX, empty, missing, a folder), with their exit codes; the executable itself
 * (--help, a bad file) as its own process.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../../lib/cli/inspect.js';
import { ProtoWriter } from '../../lib/model/protobuf.js';
import { imputerPipeline, logisticRegression, withSequenceOutput } from '../fixtures/skl2onnx.js';
import { cleanup, cli, MODELS, spawnCli, tempDir } from './helpers.js';

afterAll(cleanup);

const registry = JSON.parse(readFileSync(join(MODELS, 'registry.json'), 'utf8')) as { models: Record<string, { versions: Record<string, { sha256: string; bytes: number }> }> };

async function report(file: string): Promise<InspectReport> {
  const r = await cli(['inspect', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as InspectReport;
}

function write(name: string, bytes: Uint8Array | string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, bytes);
  return file;
}

/** y = x + w, with w's data in weights.bin (ONNX external data). */
function externalDataModel(): Uint8Array {
  const value = (g: ProtoWriter, field: number, name: string) =>
    g.message(field, (v) => {
      v.string(1, name);
      v.message(2, (t) => t.message(1, (tensor) => tensor.int(1, 1).message(2, (s) => s.message(1, (d) => d.string(2, 'N')).message(1, (d) => d.int(1, 2)))));
    });
  return new ProtoWriter()
    .int(1, 8)
    .message(8, (o) => o.string(1, '').int(2, 17))
    .message(7, (g) => {
      g.message(1, (n) => n.string(1, 'x').string(1, 'w').string(2, 'y').string(4, 'Add'));
      g.string(2, 'external');
      g.message(5, (t) => {
        t.int(1, 1).int(1, 2).int(2, 1).string(8, 'w');
        t.message(13, (kv) => kv.string(1, 'location').string(2, 'weights.bin'));
        t.int(14, 1);
      });
      value(g, 11, 'x');
      value(g, 12, 'y');
    })
    .finish();
}

describe('ml-predict inspect', { timeout: 60_000 }, () => {
  it('the breast-cancer model as text: size, SRI sha256, inputs and outputs with dims, operators, what loadModel does', async () => {
    const file = join(MODELS, 'breast-cancer-1.0.0.onnx');
    const bytes = readFileSync(file);
    const r = await cli(['inspect', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const sri = `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
    expect(r.stdout).toContain(`sha256        ${sri}`);
    expect(r.stdout).toContain(`${bytes.length.toLocaleString('en-US')} bytes`);
    expect(r.stdout).toMatch(/inputs\n {2}features +float32 \[N, 30\]\n/);
    expect(r.stdout).toMatch(/outputs\n {2}label +int64 \[N\]\n {2}probabilities +float32 \[N, 2\]\n/);
    expect(r.stdout).toContain('opsets        ai.onnx 17, ai.onnx.ml 3');
    expect(r.stdout).toContain('ai.onnx.ml    LinearClassifier, Scaler');
    expect(r.stdout).toMatch(/webgpu +no kernel for ai\.onnx\.ml\.LinearClassifier, ai\.onnx\.ml\.Scaler/);
    expect(r.stdout).toMatch(/wasm +loads \(session in \d+ ms, onnxruntime-web 1\.\d+\.\d+/);
    expect(r.stdout).toContain('auto          wasm (the model uses ai.onnx.ml operators');
    expect(r.stdout).toContain('loadModel\n  loads it as it is\n  NaN is refused in every input');
  });

  it('--json on every demo model: the sha256 and size the registry lists, inputs and operators, a wasm session', async () => {
    for (const name of ['iris', 'house-price', 'sentiment-tree', 'silero-vad']) {
      const [version, v] = Object.entries(registry.models[name]!.versions)[0]!;
      const r = await report(join(MODELS, `${name}-${version}.onnx`));
      expect({ sha256: r.sha256, bytes: r.bytes }).toEqual({ sha256: v.sha256, bytes: v.bytes });
      expect(r.integrity).toBe(`sha256-${Buffer.from(v.sha256, 'hex').toString('base64')}`);
      expect(r.load).toMatchObject({ ok: true, backend: 'wasm' });
      expect(r.zipMap).toEqual([]);
      expect(r.externalData).toEqual([]);
      expect(r.operators.reduce((a, o) => a + o.nodes, 0)).toBeGreaterThan(0);
    }
    const vad = await report(join(MODELS, 'silero-vad-5.0.0.onnx'));
    expect(vad.inputs).toEqual([
      { name: 'input', type: 'float32', dims: [null, null] },
      { name: 'state', type: 'float32', dims: [2, null, 128] },
      { name: 'sr', type: 'int64', dims: [] },
    ]);
    // LSTM has no WebGPU kernel in onnxruntime-web's table; Constant is folded at load (noted, not counted).
    expect(vad.webgpu).toMatchObject({ missing: expect.arrayContaining([{ op: 'LSTM', domain: 'ai.onnx', nodes: 4 }]) });
  });

  it('ZipMap (skl2onnx default): read as the probabilities tensor, labels from classlabels_strings', async () => {
    const r = await report(write('iris-zipmap.onnx', logisticRegression(true)));
    expect(r.outputs.find((o) => o.name === 'output_probability')!.type).toBe('seq(map(string, float32))');
    expect(r.zipMap).toEqual([{ output: 'output_probability', labels: ['setosa', 'versicolor', 'virginica'], label: 'output_label' }]);
    expect(r.load.ok).toBe(true);
    expect(r.load.notes[0]).toBe(
      'ZipMap output "output_probability" is read as the tensor of probabilities that fed it (float32 [N, 3]); labels "setosa", "versicolor", "virginica"; "output_label" holds the predicted label.',
    );
  });

  it('an imputer pipeline: NaN accepted in the input the graph imputes', async () => {
    const r = await report(write('imputer.onnx', imputerPipeline(true)));
    expect(r.inputs).toEqual([{ name: 'float_input', type: 'float32', dims: [null, 3], missing: true }]);
    expect(r.load.notes).toContain('NaN is accepted as a missing value in input "float_input" (the graph imputes it); refused in the others.');
  });

  it('an output no ZipMap makes: the report, UNSUPPORTED_MODEL on one line, exit 4', async () => {
    const r = await cli(['inspect', write('sequence.onnx', withSequenceOutput())]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('refuses it: UNSUPPORTED_MODEL: Model "sequence.onnx" has outputs that are not tensors: "rows" (sequence).');
    expect(r.stderr.split('\n')).toEqual([expect.stringMatching(/^ml-predict: UNSUPPORTED_MODEL: Model "sequence\.onnx" has outputs that are not tensors/), '']);
  });

  it('external data: listed, and the load fails as it does in the browser (exit 4)', async () => {
    const r = await cli(['inspect', write('external.onnx', externalDataModel()), '--json']);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout) as InspectReport;
    expect(out.externalData).toEqual([{ tensor: 'w', location: 'weights.bin' }]);
    expect(out.load).toMatchObject({ ok: false, code: 'MODEL_INVALID' });
    expect(out.load.notes[0]).toContain('keep their data in other files ("weights.bin")');
  });

  it.each([
    ['not ONNX', 'notes.onnx', 'This is a text file, not a model.\n', 4, /^ml-predict: MODEL_INVALID: "notes\.onnx" is not a valid ONNX model \(34 bytes\)/],
    ['empty', 'empty.onnx', '', 4, /^ml-predict: MODEL_INVALID: "empty\.onnx" is not a valid ONNX model \(0 bytes\): the file is empty/],
  ])('a bad file (%s): one line naming it, exit 4', async (_, name, content, code, message) => {
    const r = await cli(['inspect', write(name, content)]);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing file and a folder: exit 3; an unknown flag: exit 2 listing the flags', async () => {
    const missing = await cli(['inspect', '/nonexistent/model.onnx']);
    expect([missing.code, missing.stderr]).toEqual([3, 'ml-predict: INVALID_ARGUMENT: Cannot read "/nonexistent/model.onnx": no such file.\n']);
    const folder = await cli(['inspect', tempDir()]);
    expect(folder.code).toBe(3);
    expect(folder.stderr).toContain('it is a folder, expected a file');
    const flag = await cli(['inspect', 'model.onnx', '--jsno']);
    expect([flag.code, flag.stderr]).toEqual([2, 'ml-predict: INVALID_ARGUMENT: Unknown flag "--jsno" for "ml-predict inspect". Expected one of: --json, --help. See "ml-predict inspect --help".\n']);
  });

  it('the executable: --help for the tool and the command (exit 0), a bad file (exit 4), no command (exit 2)', async () => {
    const help = await spawnCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ml-predict <command>/);
    for (const command of ['inspect', 'card', 'publish']) expect(help.stdout).toContain(`\n  ${command} `);
    expect(help.stdout).toContain('Exit codes:\n  0  done');
    const inspectHelp = await spawnCli(['inspect', '--help']);
    expect(inspectHelp.code).toBe(0);
    expect(inspectHelp.stdout).toContain('Usage: ml-predict inspect MODEL [flags]');
    expect(inspectHelp.stdout).toContain('--json');
    const bad = await spawnCli(['inspect', write('bad.onnx', 'nope')]);
    expect([bad.code, bad.stdout]).toEqual([4, '']);
    expect(bad.stderr).toMatch(/^ml-predict: MODEL_INVALID: "bad\.onnx" is not a valid ONNX model/);
    const none = await spawnCli([]);
    expect(none.code).toBe(2);
  });
});
