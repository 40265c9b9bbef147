/**
 * Entry of an engine bundle. The build makes two: 'wasm' (onnxruntime-web's plain WebAssembly
 * build: smaller and faster on the CPU) and 'webgpu' (its WebGPU build, asyncify wasm). In a
 * worker the bundle serves the engine over the worker's port; loaded as a plain script in the
 * iframe (WebGPU, or when workers are unavailable) it exposes the Engine class on a global.
 */
import { Engine, serve } from './engine.js';

declare const WorkerGlobalScope: { new (): unknown } | undefined;
/** 'wasm' or 'webgpu', set by the build. */
declare const __ENGINE_KIND__: string;

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  serve(self as unknown as Parameters<typeof serve>[0]);
} else {
  (globalThis as Record<string, unknown>)[`__dpmambairEngine_${__ENGINE_KIND__}`] = { Engine };
}
