/**
 * DPMambaIR on onnxruntime-web: the WebGPU execution provider (device `webgpu`) and WebAssembly
 * (device `wasm`), in browsers and web workers. Graphs compile to the same ONNX as backend-cuda
 * (core's emitOnnx); the selective scan is com.microsoft.LinearAttention, which has a WebGPU
 * kernel in onnxruntime-web's WebGPU build and a CPU kernel in every wasm.
 *
 * Each device loads its own onnxruntime-web build on first use (dynamic import): `webgpu` the
 * WebGPU build (native WebGPU EP, asyncify wasm, 27 MB), `wasm` the plain build (14 MB, which
 * also warms up faster). Point `configure({ wasmPaths })` at a folder serving ORT_WASM_FILES, or
 * hand over the bytes with `configure({ wasmBinaries })` (offline, bundled). Node resolves this
 * package to ./node.js instead.
 */
import { ORT_WASM_FILES, registerBackend } from '@dpmambair/core';
import { createOnnxWebBackend } from './backend.js';

/** The wasm file each device loads (from onnxruntime-web/dist); defined once, in core's onnx/runtime.ts. */
export { ORT_WASM_FILES } from '@dpmambair/core';
export { ORT_VERSION, createOnnxWebBackend, type WebBackendOptions, type OnnxWebBackend, type OrtBuild, type WebDevice } from './backend.js';

const web = createOnnxWebBackend({
  webgpu: { load: () => import('onnxruntime-web/webgpu'), wasmFile: ORT_WASM_FILES.webgpu },
  wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm },
});

/** Serves `webgpu` and `wasm`; registered with core's registry on import (priority 10). */
export const onnxWebBackend = web.backend;
export const configure = web.configure;

registerBackend(onnxWebBackend);
