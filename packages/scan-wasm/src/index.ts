/**
 * @dpmambair/scan-wasm: the Mamba-1 selective scan as one WebAssembly SIMD kernel, for every CPU
 * path (backends run it between the ONNX segments that core's graph partitioner makes). This entry
 * (browsers, workers, bundles) runs it on Web Workers where the page is cross-origin isolated and
 * on one thread elsewhere; Node resolves ./node.js, which uses worker_threads.
 */
import { createKernel, type ScanKernel, type ScanKernelOptions } from './kernel.js';
import { builtinKernels } from './registry.js';
import { defaultBrowserThreads, startWebWorkers, threadsUnavailableReason } from './web-workers.js';

export {
  channelRanges, createSyncScanKernel, kernelHostOps, kernelUnsupportedReason, type ScanKernel, type ScanKernelOptions, type ScanSizes, type SyncScanKernel,
} from './kernel.js';
export { KernelRegistry, type AsyncKernelEntry, type KernelEntry, type SyncKernelEntry } from './registry.js';
export { defaultBrowserThreads, threadsUnavailableReason } from './web-workers.js';

/** The kernel; `threads` defaults to min(4, navigator.hardwareConcurrency) where the page is cross-origin isolated, else 1. */
export function createScanKernel(options: ScanKernelOptions = {}): Promise<ScanKernel> {
  const threads = options.threads ?? defaultBrowserThreads().threads;
  const unavailable = threads > 1 ? threadsUnavailableReason() : undefined;
  if (unavailable) return Promise.reject(new Error(`createScanKernel: ${threads} threads cannot run here: ${unavailable}; use threads: 1`));
  return createKernel(threads, startWebWorkers);
}

/** This entry's kernels by device and op (backends look theirs up here); the description says how many threads and why. */
export const kernels = builtinKernels(createScanKernel, defaultBrowserThreads().reason);
