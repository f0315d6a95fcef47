import { describe, expect, it } from 'vitest';
import { runError, sanitizeOrtMessage } from '../../lib/backend/session.js';

// Texts onnxruntime-web 1.30 (wasm) gave for the models of run-models.ts, as the worker caught them.
const ORT = 'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: ';
const TILE = `${ORT}Non-zero status code returned while running Tile node. Name:'t' Status Message: Tile output tensor would require more than 4294967295 bytes, which exceeds the supported maximum of 4294967295 bytes.`;
const TOO_LARGE = `${ORT}/mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/framework/op_kernel.cc:83 virtual OrtValue *onnxruntime::OpKernelContext::OutputMLValue(int, const TensorShape &) [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Tensor shape is too large\n`;
const OVERFLOW = `${ORT}/mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/common/safeint.h:17 static void SafeIntExceptionHandler<onnxruntime::OnnxRuntimeException>::SafeIntOnOverflow() Integer overflow\n`;
const NEGATIVE = `${ORT}/mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/framework/op_kernel.cc:83 virtual OrtValue *onnxruntime::OpKernelContext::OutputMLValue(int, const TensorShape &) [ONNXRuntimeError] : 1 : FAIL : tensor.cc:57 CalculateTensorStorageSize Tensor shape.Size() must be >= 0\n`;
const RESHAPE = `${ORT}/mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:93 onnxruntime::ReshapeHelper::ReshapeHelper(const TensorShape &, TensorShapeVector &, bool) input_shape_size == requested_shape_size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{7}, requested shape:{3,5}\n`;
const BAD_ALLOC = 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc';

describe('run-time errors of onnxruntime', () => {
  it('sanitizeOrtMessage keeps what onnxruntime says and drops build paths, C++ signatures and status prefixes', () => {
    expect(sanitizeOrtMessage(TOO_LARGE)).toBe('Tensor shape is too large');
    expect(sanitizeOrtMessage(OVERFLOW)).toBe('Integer overflow');
    expect(sanitizeOrtMessage(NEGATIVE)).toBe('Tensor shape.Size() must be >= 0');
    expect(sanitizeOrtMessage(RESHAPE)).toBe('The input tensor cannot be reshaped to the requested shape. Input shape:{7}, requested shape:{3,5}');
    expect(sanitizeOrtMessage(BAD_ALLOC)).toBe('std::bad_alloc');
    expect(sanitizeOrtMessage('something plain')).toBe('something plain');
    // Loads: the same wrapper after "Can't create a session."
    expect(
      sanitizeOrtMessage(
        "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/graph/graph.cc:1555 void onnxruntime::Graph::InitializeStateFromModelFileGraphProto() This is an invalid model. Graph output (y) does not exist in the graph.",
      ),
    ).toBe('This is an invalid model. Graph output (y) does not exist in the graph.');
    expect(sanitizeOrtMessage("Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: tensorprotoutils.cc:1422 GetSizeInBytesFromTensorProto Out of bounds dimensions in TypeProto_Tensor")).toBe(
      'Out of bounds dimensions in TypeProto_Tensor',
    );
  });

  it('runError: OUT_OF_MEMORY for memory and tensors too large, RUN_FAILED naming the node otherwise, never INTERNAL or a build path', () => {
    const cases: [string, string][] = [
      [TILE, 'OUT_OF_MEMORY'],
      [TOO_LARGE, 'OUT_OF_MEMORY'],
      [OVERFLOW, 'OUT_OF_MEMORY'],
      [BAD_ALLOC, 'OUT_OF_MEMORY'],
      ['RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded', 'OUT_OF_MEMORY'],
      ['Aborted(Cannot enlarge memory arrays to size 4294967296 bytes (OOM))', 'OUT_OF_MEMORY'],
      [NEGATIVE, 'RUN_FAILED'],
      [RESHAPE, 'RUN_FAILED'],
      [`${ORT}Non-zero status code returned while running Gather node. Name:'g' Status Message: indices element out of data bounds, idx=9 must be within the inclusive range [-3,2]`, 'RUN_FAILED'],
      [`${ORT}Got invalid dimensions for input: x for the following indices index: 1 Got: 3 Expected: 4`, 'INPUT_MISMATCH'],
    ];
    for (const [raw, code] of cases) {
      const err = runError('m', new Error(raw));
      expect([raw, err.code]).toEqual([raw, code]);
      expect(err.message).not.toMatch(/\.cc:|\.h:\d|\/mnt\/|ERROR_CODE|OrtRun|ONNXRuntimeError|onnxruntime::/);
      expect(err.message).toMatch(/^Model "m" /);
    }
    const tile = runError('m', new Error(TILE));
    expect(tile.message).toBe(
      'Model "m" ran out of memory in node "t" (Tile): Tile output tensor would require more than 4294967295 bytes, which exceeds the supported maximum of 4294967295 bytes. ' +
        "A tensor of the run is larger than WebAssembly's memory (4 GB at most) can hold; use smaller inputs or fewer rows per call.",
    );
    expect(tile.details).toEqual({ node: 't', op: 'Tile' });
    const gather = runError('m', new Error(`${ORT}Non-zero status code returned while running Gather node. Name:'g' Status Message: indices element out of data bounds`));
    expect(gather.message).toBe('Model "m" failed to run in node "g" (Gather): indices element out of data bounds.');
  });
});
