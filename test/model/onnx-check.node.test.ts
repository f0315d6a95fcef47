import { describe, expect, it } from 'vitest';
import { checkSupported, inspectOnnx } from '../../lib/model/onnx-check.js';
import { linearClassifierModel, sigmoidModel, zipmapModel } from '../fixtures/models.js';
import { thrown } from '../helpers.js';
import { writeModel } from '../../tools/onnx/writer.js';

describe('ONNX structure check', () => {
  it('reads domains, ops and output kinds', () => {
    const s = inspectOnnx(linearClassifierModel(), 'lc');
    expect(s.domains.sort()).toEqual(['', 'ai.onnx.ml']);
    expect(s.ops).toEqual(['LinearClassifier']);
    expect(s.nonTensorOutputs).toEqual([]);
    expect(inspectOnnx(sigmoidModel(), 's').ops).toEqual(['Add', 'MatMul', 'Sigmoid']);
    expect(inspectOnnx(sigmoidModel(), 's').outputs).toBe(1);
  });

  it('refuses a graph without outputs with MODEL_INVALID (onnxruntime would load it, then fail every run)', () => {
    const noOutputs = writeModel({
      graph: { name: 'g', nodes: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['y'] }], inputs: [{ name: 'x', type: { tensor: 'float', shape: [1] } }], outputs: [] },
    });
    const err = thrown(() => inspectOnnx(noOutputs, 'none'));
    expect([err.code, err.message]).toEqual(['MODEL_INVALID', expect.stringMatching(/graph has no outputs/)]);
  });

  it('rejects ZipMap outputs with the fix', () => {
    const s = inspectOnnx(zipmapModel(), 'z');
    expect(s.nonTensorOutputs).toEqual([{ name: 'output_probability', kind: 'sequence' }]);
    expect(thrown(() => checkSupported(s, 'z')).code).toBe('UNSUPPORTED_MODEL');
  });

  it('rejects empty, foreign and truncated bytes with MODEL_INVALID', () => {
    expect(thrown(() => inspectOnnx(new Uint8Array(), 'e')).message).toMatch(/empty/);
    expect(thrown(() => inspectOnnx(new TextEncoder().encode('{"json": true}'), 'j')).code).toBe('MODEL_INVALID');
    const bytes = sigmoidModel();
    for (const cut of [1, 10, Math.floor(bytes.length / 2), bytes.length - 3]) {
      expect(thrown(() => inspectOnnx(bytes.subarray(0, cut), 't')).code).toBe('MODEL_INVALID');
    }
  });
});

describe('ONNX writer', () => {
  it('is deterministic', () => {
    expect(sigmoidModel()).toEqual(sigmoidModel());
    expect(linearClassifierModel()).toEqual(linearClassifierModel());
  });
});
