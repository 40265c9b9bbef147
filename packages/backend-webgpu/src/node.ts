/**
 * The Node entry (package.json `exports` condition `node`): the same backend on onnxruntime-web's
 * plain wasm build. Device `wasm` works; `webgpu` reports that it needs a browser. The WebGPU
 * build (asyncify wasm) stalls Node's event loop after its first session (timers stop firing and
 * the process never exits; seen with onnxruntime-web 1.30 on Node 20), so Node never loads it.
 */
import { ORT_WASM_FILES, registerBackend } from '@dpmambair/core';
import { createOnnxWebBackend } from './backend.js';

/** The wasm file each device loads (from onnxruntime-web/dist); defined once, in core's onnx/runtime.ts. */
export { ORT_WASM_FILES } from '@dpmambair/core';
export { ORT_VERSION, createOnnxWebBackend, type WebBackendOptions, type OnnxWebBackend, type OrtBuild, type WebDevice } from './backend.js';

const web = createOnnxWebBackend(
  { wasm: { load: () => import('onnxruntime-web/wasm'), wasmFile: ORT_WASM_FILES.wasm } },
  { webgpu: 'WebGPU is not available: this is the Node build of @dpmambair/backend-webgpu (onnxruntime-web/wasm); WebGPU runs in browsers and workers. In Node use wasm, or cpu/cuda from @dpmambair/backend-cuda' },
);

/** Serves `wasm` (and explains that `webgpu` needs a browser); registered with core's registry on import. */
export const onnxWebBackend = web.backend;
export const configure = web.configure;

registerBackend(onnxWebBackend);
