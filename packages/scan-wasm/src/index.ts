/**
 * @dpmambair/scan-wasm: the Mamba-1 selective scan as one WebAssembly SIMD kernel, for every CPU
 * path (backends run it between the ONNX segments that core's graph partitioner makes).
 */
export { createScanKernel, kernelHostOps, kernelUnsupportedReason, channelRanges, type ScanKernel, type ScanKernelOptions } from './kernel.js';
