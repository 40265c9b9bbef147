/** Browser entry for this package's own conformance run: the backend, with the ORT wasm served from /ort/. */
import { configure, onnxWebBackend } from '../index.js';

export const backend = onnxWebBackend;

export function setup(origin: string): void {
  configure({ wasmPaths: `${origin}/ort/` });
}
