/**
 * ONNX models that fail or never end at run time (not at load), built with the repo's writer
 * for the run-error and abort tests of test/backend/ and test/worker/.
 */
import { writeModel } from '../../tools/onnx/writer.js';

/**
 * n int64 [] → Loop(n times: v = v × 0.5 + 1) → y float32 [1]. The trip count is an input, so
 * one model gives a call that ends at once (n = 3 → y = 1.75) or runs for ages (n = 2^62).
 */
export function loopModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'loop',
      inputs: [{ name: 'n', type: { tensor: 'int64', shape: [] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: [1] } }],
      initializers: [{ name: 'v0', type: 'float', dims: [1], values: [0] }],
      nodes: [
        {
          op: 'Loop',
          name: 'forever',
          inputs: ['n', '', 'v0'],
          outputs: ['y'],
          attributes: {
            body: {
              g: {
                name: 'body',
                inputs: [
                  { name: 'i', type: { tensor: 'int64', shape: [] } },
                  { name: 'c', type: { tensor: 'bool', shape: [] } },
                  { name: 'v', type: { tensor: 'float', shape: [1] } },
                ],
                outputs: [
                  { name: 'c_out', type: { tensor: 'bool', shape: [] } },
                  { name: 'v_out', type: { tensor: 'float', shape: [1] } },
                ],
                initializers: [
                  { name: 'half', type: 'float', dims: [1], values: [0.5] },
                  { name: 'one', type: 'float', dims: [1], values: [1] },
                ],
                nodes: [
                  { op: 'Identity', inputs: ['c'], outputs: ['c_out'] },
                  { op: 'Mul', inputs: ['v', 'half'], outputs: ['vh'] },
                  { op: 'Add', inputs: ['vh', 'one'], outputs: ['v_out'] },
                ],
              },
            },
          },
        },
      ],
    },
  });
}

/** The trip count input of loopModel(). */
export const trips = (n: bigint) => ({ n: { data: new BigInt64Array([n]), dims: [] } });
/** A trip count no run ever finishes. */
export const FOREVER = 2n ** 62n;

/** x float32 [n] → Tile(node "t", repeats [2^31]) → y: 8 GiB for one element, past onnxruntime's 4 GB. */
export function tileModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'tile',
      inputs: [{ name: 'x', type: { tensor: 'float', shape: ['n'] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['m'] } }],
      initializers: [{ name: 'repeats', type: 'int64', dims: [1], values: [2 ** 31] }],
      nodes: [{ op: 'Tile', name: 't', inputs: ['x', 'repeats'], outputs: ['y'] }],
    },
  });
}

/** x float32 [1] → Expand(node "e", to the shape input) → y. */
export function expandModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'expand',
      inputs: [
        { name: 'x', type: { tensor: 'float', shape: [1] } },
        { name: 'shape', type: { tensor: 'int64', shape: [2] } },
      ],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['a', 'b'] } }],
      nodes: [{ op: 'Expand', name: 'e', inputs: ['x', 'shape'], outputs: ['y'] }],
    },
  });
}

/** shape int64 [2] → ConstantOfShape(node "c", 1.0) → y float32. */
export function constantOfShapeModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'constant-of-shape',
      inputs: [{ name: 'shape', type: { tensor: 'int64', shape: [2] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['a', 'b'] } }],
      nodes: [
        {
          op: 'ConstantOfShape',
          name: 'c',
          inputs: ['shape'],
          outputs: ['y'],
          attributes: { value: { t: { name: 'value', type: 'float', dims: [1], values: [1] } } },
        },
      ],
    },
  });
}

/** x float32 [n] → Reshape(node "r", to the shape input) → y: impossible when the counts differ. */
export function reshapeModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'reshape',
      inputs: [
        { name: 'x', type: { tensor: 'float', shape: ['n'] } },
        { name: 'shape', type: { tensor: 'int64', shape: [2] } },
      ],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['a', 'b'] } }],
      nodes: [{ op: 'Reshape', name: 'r', inputs: ['x', 'shape'], outputs: ['y'] }],
    },
  });
}

/** int64 shape values as a feed. */
export const dims64 = (...values: number[]) => ({ data: BigInt64Array.from(values.map(BigInt)), dims: [values.length] });

/** shape int64 [2] → ConstantOfShape(node "c") → Add(node "a", itself) → y: two tensors of the shape, 4.8 GB for [1, 6e8] (bad_alloc). */
export function doubledModel(): Uint8Array {
  return writeModel({
    graph: {
      name: 'doubled',
      inputs: [{ name: 'shape', type: { tensor: 'int64', shape: [2] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', shape: ['a', 'b'] } }],
      nodes: [
        {
          op: 'ConstantOfShape',
          name: 'c',
          inputs: ['shape'],
          outputs: ['k'],
          attributes: { value: { t: { name: 'value', type: 'float', dims: [1], values: [1] } } },
        },
        { op: 'Add', name: 'a', inputs: ['k', 'k'], outputs: ['y'] },
      ],
    },
  });
}

export { sleep, within } from '../helpers.js';
