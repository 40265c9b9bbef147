/**
 * A minimal writer for the subset of ONNX's protobuf schema we emit (onnx.proto, proto2).
 * Hand-written so that core stays dependency-free and works in browsers.
 */
const textEncoder = new TextEncoder();

class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, 2);
    this.varint(bytes.length);
    this.push(bytes);
  }

  bytesRaw(bytes: Uint8Array): void {
    this.push(bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/** A message is a list of fields; repeated fields are written unpacked, which every parser accepts. */
export type Field =
  | { f: number; int: number | bigint }
  | { f: number; float: number }
  | { f: number; str: string }
  | { f: number; raw: Uint8Array }
  | { f: number; msg: Field[] };

export function encodeMessage(fields: Field[]): Uint8Array {
  const w = new Writer();
  for (const field of fields) {
    if ('int' in field) {
      w.tag(field.f, 0);
      w.varint(field.int);
    } else if ('float' in field) {
      w.tag(field.f, 5);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, field.float, true);
      w.bytesRaw(b);
    } else if ('str' in field) {
      w.bytes(field.f, textEncoder.encode(field.str));
    } else if ('raw' in field) {
      w.bytes(field.f, field.raw);
    } else {
      w.bytes(field.f, encodeMessage(field.msg));
    }
  }
  return w.finish();
}
