/**
 * A minimal protobuf encoder: what the ZipMap rewrite (zipmap.ts) and the ONNX writer of the
 * tools (tools/onnx/writer.ts) need: varints, length-delimited fields, packed floats, doubles
 * and int64s. Deterministic: the same calls give the same bytes.
 */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private small: number[] = [];
  private length = 0;

  private flushSmall(): void {
    if (this.small.length > 0) {
      this.parts.push(Uint8Array.from(this.small));
      this.small = [];
    }
  }

  private push(part: Uint8Array): void {
    this.flushSmall();
    this.parts.push(part);
    this.length += part.length;
  }

  private varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.small.push(Number(v & 0x7fn) | 0x80);
      this.length++;
      v >>= 7n;
    }
    this.small.push(Number(v));
    this.length++;
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.embed(field, inner);
  }

  /** A length-delimited field holding what `inner` wrote; its parts are taken as they are (no copy). */
  embed(field: number, inner: ProtoWriter): this {
    inner.flushSmall();
    this.tag(field, 2);
    this.varint(inner.length);
    return this.append(inner);
  }

  /** The fields another writer wrote, appended as they are (no copy). */
  append(other: ProtoWriter): this {
    other.flushSmall();
    for (const part of other.parts) this.push(part);
    return this;
  }

  /** Bytes that are already encoded fields, appended as they are (kept as a view until finish()). */
  raw(part: Uint8Array): this {
    if (part.length > 0) this.push(part);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, b);
  }

  packedDoubles(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 8);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
    return this.bytes(field, b);
  }

  packedInts(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]!);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flushSmall();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}
