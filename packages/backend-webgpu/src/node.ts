/**
 * The Node entry (package.json `exports` condition `node`): the same backend on onnxruntime-web's
 * plain wasm build. Device `wasm` works; `webgpu` reports that it needs a browser. The WebGPU
 * build (asyncify wasm) stalls Node's event loop after its first session (timers stop firing and
 * the process never exits; seen with onnxruntime-web 1.30 on Node 20), so Node never loads it.
 */
import { registerBackend } from '@dpmambair/core';
import * as ort from 'onnxruntime-web/wasm';
import { createOnnxWebBackend } from './backend.js';

export { ORT_VERSION, createOnnxWebBackend, type WebBackendOptions, type OnnxWebBackend } from './backend.js';

/** The wasm binary this build loads (from onnxruntime-web/dist). */
export const ORT_WASM_FILE = 'ort-wasm-simd-threaded.wasm';

const web = createOnnxWebBackend(ort, ORT_WASM_FILE, 'node');

/** Serves `wasm` (and explains that `webgpu` needs a browser); registered with core's registry on import. */
export const onnxWebBackend = web.backend;
export const configure = web.configure;

registerBackend(onnxWebBackend, 10);
