/**
 * 500+ hostile models (hostile-models.ts, fixed seed): each load settles within 20 s with
 * MODEL_INVALID or UNSUPPORTED_MODEL (or loads, when a flip hit a weight: then a predict settles
 * too, with a result or a run-time code); never INTERNAL, never a raw error; every 25 cases the
 * known-good model still predicts right.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, type TensorInfo } from '../../lib/index.js';
import { hostileModels } from './hostile-models.js';
import { check, expectHealthy, Problems, SCALE, Tally } from './harness.js';

const DEMO = ['breast-cancer-1.0.0', 'iris-1.0.0', 'house-price-1.0.0', 'sentiment-logreg-1.0.0', 'sentiment-tree-1.0.0'];

/** An input for `info` with every dynamic dim 1: zeros of the right type. */
function anyInput(info: TensorInfo): unknown {
  const dims = info.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > 1e6) return { data: new Float32Array(1), dims: [1] };
  const data =
    info.type === 'string' ? Array.from({ length: size }, () => 'a')
    : info.type === 'int64' ? new BigInt64Array(size)
    : info.type === 'bool' || info.type === 'uint8' ? new Uint8Array(size)
    : info.type === 'int32' ? new Int32Array(size)
    : info.type === 'float64' ? new Float64Array(size)
    : new Float32Array(size).fill(0.5);
  return { data, dims };
}

describe('hostile models', () => {
  it(`${500 * SCALE}+ generated models: each settles with a documented code, the worker lives on`, async () => {
    await expectHealthy('nothing');
    const demo: Record<string, Uint8Array> = {};
    for (const name of DEMO) demo[name] = new Uint8Array(await (await fetch(`/models/${name}.onnx`)).arrayBuffer());
    const cases = hostileModels(demo, 20261207 + SCALE, 500 * SCALE);
    expect(cases.length).toBeGreaterThanOrEqual(500 * SCALE);
    const problems = new Problems();
    const loads = new Tally();
    const predicts = new Tally();
    for (const [i, c] of cases.entries()) {
      let model: Awaited<ReturnType<typeof loadModel>> | undefined;
      const loading = loadModel(c.bytes, { backend: 'wasm', cache: 'none', name: 'hostile' }).then((m) => (model = m));
      loads.add(c.category, await check(problems, c.label, loading, ['MODEL_INVALID', 'UNSUPPORTED_MODEL', 'OUT_OF_MEMORY']));
      if (model) {
        const feeds = Object.fromEntries(model.info.inputs.map((input) => [input.name, anyInput(input)]));
        predicts.add(c.category, await check(problems, `${c.label}: predict`, model.predict(feeds as never), ['RUN_FAILED', 'OUT_OF_MEMORY', 'INPUT_MISMATCH']));
        await model.dispose();
      }
      if (i % 25 === 24) await expectHealthy(c.label);
    }
    await expectHealthy('the last case');
    console.log(`hostile models: ${cases.length} loads\n${loads}\npredicts of the ones that loaded: ${predicts.total}\n${predicts}`);
    expect(problems.summary()).toEqual([]);
  }, 600_000);
});
