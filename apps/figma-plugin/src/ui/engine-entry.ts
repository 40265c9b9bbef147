/**
 * Entry of the engine bundle. In a worker it serves the engine over the worker's port; loaded as
 * a plain script in the iframe (WebGPU, or when workers are unavailable) it exposes the Engine.
 */
import { Engine, serve } from './engine.js';

declare const WorkerGlobalScope: { new (): unknown } | undefined;

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  serve(self as unknown as Parameters<typeof serve>[0]);
} else {
  (globalThis as { __dpmambairEngine?: unknown }).__dpmambairEngine = { Engine };
}
