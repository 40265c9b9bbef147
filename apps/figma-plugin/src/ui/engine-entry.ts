/**
 * Entry of the engine bundle (core + backend-webgpu + both onnxruntime-web builds, which the
 * backend loads per device: the plain WebAssembly build for 'wasm', the WebGPU build for 'webgpu').
 * In a worker it serves the engine over the worker's port; loaded as a plain script in the iframe
 * (WebGPU, or when workers are unavailable) it exposes the Engine class on a global.
 */
import { Engine, serve } from './engine.js';

declare const WorkerGlobalScope: { new (): unknown } | undefined;

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  serve(self as unknown as Parameters<typeof serve>[0]);
} else {
  (globalThis as { __dpmambairEngine?: unknown }).__dpmambairEngine = { Engine };
}
