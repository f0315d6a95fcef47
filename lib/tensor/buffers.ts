/**
 * Input buffers reused from call to call. Every predict sends the worker copies of its inputs
 * (transferred, not cloned), and the worker sends each buffer back with its reply; the next
 * input of the same byte size is copied into it. A fresh ArrayBuffer pays a page fault for each
 * 4 KB page on first write; a reused one does not, so a copy into it costs only the copy.
 *
 * Main thread only. Holds at most 4 buffers of one size and 64 MiB in all, and lets go of every
 * buffer after 10 s without a call.
 */
import type { Tensor, TypedArray } from '../types.js';
import { copyElements, TYPED_ARRAY_CLASS, typedArrayName, typedLength } from './brand.js';

const MAX_BYTES = 64 * 2 ** 20;
const PER_SIZE = 4;
const IDLE_MS = 10_000;

const free = new Map<number, ArrayBuffer[]>();
let held = 0;
let lastUse = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

function touch(): void {
  lastUse = Date.now();
  if (timer !== undefined) return;
  const check = () => {
    const idle = Date.now() - lastUse;
    if (idle >= IDLE_MS) releaseBuffers();
    else timer = setTimeout(check, IDLE_MS - idle);
  };
  timer = setTimeout(check, IDLE_MS);
}

/** An ArrayBuffer of exactly `bytes` bytes: a returned one when there is one, else a new one. */
export function takeBuffer(bytes: number): ArrayBuffer {
  const list = free.get(bytes);
  const buffer = list?.pop();
  if (buffer) {
    held -= bytes;
    if (list!.length === 0) free.delete(bytes);
    touch();
    return buffer;
  }
  return new ArrayBuffer(bytes);
}

type Ctor<T extends TypedArray> = new (buffer: ArrayBuffer, byteOffset: number, length: number) => T;

/** A typed array like `Ctor` of `length` elements on a reused buffer (its contents are stale). */
export function takeArray<T extends TypedArray>(ctor: Ctor<T> & { BYTES_PER_ELEMENT: number }, length: number): T {
  return new ctor(takeBuffer(length * ctor.BYTES_PER_ELEMENT), 0, length);
}

/**
 * A copy of real typed array `data` (only its own elements, for a view; any buffer, shared ones
 * included) on a buffer that can be transferred. Its class is the array's own, read from the
 * engine (brand.ts): a caller's `constructor` property is never used.
 */
export function copyForTransfer<T extends TypedArray>(data: T): T {
  const name = typedArrayName(data);
  if (name === undefined) throw new TypeError('copyForTransfer takes a typed array');
  const copy = takeArray(TYPED_ARRAY_CLASS[name] as unknown as Ctor<T> & { BYTES_PER_ELEMENT: number }, typedLength(data));
  copyElements(copy, data);
  return copy;
}

/** Buffers a worker sent back: kept for the next call (detached or shared ones are skipped). */
export function recycle(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) {
    const bytes = buffer.byteLength;
    // A detached buffer has 0 bytes; an empty one saves nothing.
    if (!(buffer instanceof ArrayBuffer) || bytes === 0 || held + bytes > MAX_BYTES) continue;
    const list = free.get(bytes) ?? [];
    if (list.length >= PER_SIZE || list.includes(buffer)) continue;
    list.push(buffer);
    free.set(bytes, list);
    held += bytes;
    touch();
  }
}

/** Bytes held for reuse now. */
export function heldBytes(): number {
  return held;
}

/** Lets go of every buffer held for reuse. */
export function releaseBuffers(): void {
  free.clear();
  held = 0;
  clearTimeout(timer);
  timer = undefined;
}

/** Gives back the buffers of the feeds that checkFeeds converted (`owned`), once nothing reads them. */
export function recycleOwned(feeds: Record<string, Tensor>, owned: ReadonlySet<string>): void {
  recycle(Object.entries(feeds).flatMap(([name, t]) => (owned.has(name) && !Array.isArray(t.data) ? [(t.data as TypedArray).buffer as ArrayBuffer] : [])));
}
