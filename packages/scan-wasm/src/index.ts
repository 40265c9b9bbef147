/**
 * @dpmambair/scan-wasm: the Mamba-1 selective scan as one WebAssembly SIMD kernel, for every CPU
 * path (backends run it between the ONNX segments that core's graph partitioner makes). This entry
 * (browsers, workers, bundles) runs it on one thread; Node resolves ./node.js, which adds threads.
 */
import { createKernel, type ScanKernel, type ScanKernelOptions } from './kernel.js';
import { builtinKernels } from './registry.js';

export {
  channelRanges, createSyncScanKernel, kernelHostOps, kernelUnsupportedReason, type ScanKernel, type ScanKernelOptions, type ScanSizes, type SyncScanKernel,
} from './kernel.js';
export { KernelRegistry, type AsyncKernelEntry, type KernelEntry, type SyncKernelEntry } from './registry.js';

/** The kernel on one thread (the only choice outside Node so far). */
export function createScanKernel(options: ScanKernelOptions = {}): Promise<ScanKernel> {
  return createKernel(options.threads ?? 1);
}

/** This entry's kernels by device and op (backends look theirs up here). */
export const kernels = builtinKernels(createScanKernel, 'one thread');
