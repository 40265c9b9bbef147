/**
 * Browser entry for the offline case (a Figma plugin): the wasm arrives as bytes, and wasmPaths
 * points nowhere, so any attempt to fetch a wasm would fail.
 */
import { configure, onnxWebBackend } from '../index.js';

export const backend = onnxWebBackend;

export async function setup(origin: string): Promise<void> {
  const bytes = new Uint8Array(await (await fetch(`${origin}/ort/ort-wasm-simd-threaded.wasm`)).arrayBuffer());
  configure({ wasmBinary: bytes, wasmPaths: `${origin}/no-wasm-here/`, numThreads: 1 });
}
