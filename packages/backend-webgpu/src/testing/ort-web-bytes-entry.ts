/**
 * Browser entry for the offline case (a Figma plugin): the wasm arrives as bytes, and wasmPaths
 * points nowhere, so any attempt to fetch a wasm would fail.
 */
import { configure, ORT_WASM_FILES, onnxWebBackend } from '../index.js';

export const backend = onnxWebBackend;

export async function setup(origin: string): Promise<void> {
  const bytes = new Uint8Array(await (await fetch(`${origin}/ort/${ORT_WASM_FILES.wasm}`)).arrayBuffer());
  configure({ wasmBinaries: { [ORT_WASM_FILES.wasm]: bytes }, wasmPaths: `${origin}/no-wasm-here/`, numThreads: 1 });
}
