import { ParamStore } from './params.js';

/**
 * safetensors: 8-byte little-endian header length, a JSON header
 * { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }, then the raw data.
 * We read and write float32 only; anything else fails naming the tensor.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): ParamStore {
  if (bytes.length < 8) throw new Error(`${source}: file is ${bytes.length} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    throw new Error(`${source}: header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length field (truncated or not safetensors)`);
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const store = new ParamStore();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') throw new Error(`${source}: tensor '${name}' has dtype ${info.dtype}; only F32 is supported`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4) throw new Error(`${source}: tensor '${name}' has ${end - begin} bytes for shape [${info.shape}]`);
    if (dataStart + end > bytes.length) throw new Error(`${source}: tensor '${name}' ends at byte ${dataStart + end}, past the end of the file (${bytes.length} bytes): truncated`);
    // Copy: the data may not be 4-byte aligned in the file.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    store.set(name, info.shape, data);
  }
  return store;
}

export function serializeSafetensors(store: ParamStore, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const names = store.names().sort();
  for (const name of names) {
    const bytes = store.get(name).length * 4;
    header[name] = { dtype: 'F32', shape: store.shape(name), data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep data 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const data = store.get(name);
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}
