/**
 * What a typed array really is, asked of the engine, never of the value: its class comes from
 * its internal [[TypedArrayName]] (the %TypedArray%.prototype[Symbol.toStringTag] getter, taken
 * once at load), its length and buffer from the prototype's own getters. A caller's own
 * `constructor`, `length`, `buffer` or `Symbol.toStringTag` properties change nothing, and none
 * of these runs a caller's code. A Proxy is not a typed array here (it has no internal slots).
 */
import type { TypedArray } from '../types.js';

const TypedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;
const getter = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TypedArrayPrototype, key)!.get!;
const tagOf = getter(Symbol.toStringTag) as (this: unknown) => string | undefined;
const lengthOf = getter('length') as (this: TypedArray) => number;
const bufferOf = getter('buffer') as (this: TypedArray) => ArrayBufferLike;
const setOn = (TypedArrayPrototype as { set(this: TypedArray, source: TypedArray): void }).set;
const sliceOf = ArrayBuffer.prototype.slice;
const detachedOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get as ((this: ArrayBuffer) => boolean) | undefined;

/** The typed array classes by their [[TypedArrayName]]. */
export const TYPED_ARRAY_CLASS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
} as const;
export type TypedArrayName = keyof typeof TYPED_ARRAY_CLASS;

/** The class name of a real typed array of one of our classes ("Float32Array"), else undefined. Never throws. */
export function typedArrayName(value: unknown): TypedArrayName | undefined {
  const tag = tagOf.call(value);
  return tag !== undefined && Object.hasOwn(TYPED_ARRAY_CLASS, tag) ? (tag as TypedArrayName) : undefined;
}

/** The class name of any real typed array, ours or not ("Float16Array", "Uint8ClampedArray"), for messages. */
export function anyTypedArrayName(value: unknown): string | undefined {
  return tagOf.call(value);
}

/** Element count of a real typed array (0 once its buffer is detached). */
export function typedLength(array: TypedArray): number {
  return lengthOf.call(array);
}

/** The buffer under a real typed array (an ArrayBuffer or a SharedArrayBuffer). */
export function typedBuffer(array: TypedArray): ArrayBufferLike {
  return bufferOf.call(array);
}

/** Copies the elements of real typed array `source` into real typed array `target` from index 0. */
export function copyElements(target: TypedArray, source: TypedArray): void {
  setOn.call(target, source);
}

/** True when `buffer` was transferred away (its bytes are gone); a SharedArrayBuffer never is. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (!(buffer instanceof ArrayBuffer)) return false;
  if (detachedOf) return detachedOf.call(buffer);
  if (buffer.byteLength !== 0) return false;
  // Engines without ArrayBuffer.prototype.detached: only a detached buffer refuses slice().
  try {
    sliceOf.call(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}
