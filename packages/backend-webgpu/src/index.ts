/**
 * DPMambaIR on onnxruntime-web: the WebGPU execution provider (device `webgpu`) and WebAssembly
 * (device `wasm`), in browsers and web workers. Graphs compile to the same ONNX as backend-cuda
 * (core's emitOnnx); the selective scan is com.microsoft.LinearAttention, which has a WebGPU
 * kernel in onnxruntime-web's WebGPU build and a CPU kernel in every wasm.
 *
 * One onnxruntime-web build serves both devices here: `onnxruntime-web/webgpu` (native WebGPU EP,
 * asyncify wasm). Its wasm file is ORT_WASM_FILE; point `configure({ wasmPaths })` at a folder that
 * serves it, or hand over its bytes with `configure({ wasmBinary })` (offline, bundled). Node
 * resolves this package to ./node.js instead (the plain wasm build: see there).
 */
import { registerBackend } from '@dpmambair/core';
import * as ort from 'onnxruntime-web/webgpu';
import { createOnnxWebBackend } from './backend.js';

export { ORT_VERSION, createOnnxWebBackend, type WebBackendOptions, type OnnxWebBackend } from './backend.js';

/** The wasm binary this build loads (from onnxruntime-web/dist). */
export const ORT_WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm';

const web = createOnnxWebBackend(ort, ORT_WASM_FILE, 'browser');

/** Serves `webgpu` and `wasm`; registered with core's registry on import (priority 10). */
export const onnxWebBackend = web.backend;
export const configure = web.configure;

registerBackend(onnxWebBackend, 10);
