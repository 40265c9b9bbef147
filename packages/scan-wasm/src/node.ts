/**
 * The Node entry (package.json `exports` condition `node`): the kernel on several threads, the
 * calling one plus worker_threads that instantiate the same module on one shared WebAssembly.Memory.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { createKernel, defaultThreads, requestReply, type Helper, type ScanKernel, type ScanKernelOptions } from './kernel.js';
import { builtinKernels } from './registry.js';

export {
  channelRanges, createSyncScanKernel, kernelHostOps, kernelUnsupportedReason, type ScanKernel, type ScanKernelOptions, type ScanSizes, type SyncScanKernel,
} from './kernel.js';
export { KernelRegistry, type AsyncKernelEntry, type KernelEntry, type SyncKernelEntry } from './registry.js';
// The browser entry's thread choice, exported here too so that both entries match their one set of types.
export { defaultBrowserThreads, threadsUnavailableReason } from './web-workers.js';

/** The body of each worker thread: instantiate the module on the shared memory, run the ranges it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { exports } = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
parentPort.on('message', (args) => {
  try { exports.scan(...args); parentPort.postMessage(null); }
  catch (e) { parentPort.postMessage(String(e && e.message || e)); }
});
`;

async function startWorkers(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Helper[]> {
  return Array.from({ length: count }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory } });
    const channel = requestReply((args) => {
      worker.ref(); // a helper with work in flight keeps the process alive, an idle one does not
      worker.postMessage(args);
    });
    worker.unref();
    worker.on('message', (error: string | null) => {
      worker.unref();
      channel.reply(error);
    });
    worker.on('error', (e) => channel.fail(e));
    return { run: (args) => channel.send(args), close: async () => { await worker.terminate(); } };
  });
}

/** The kernel; `threads` defaults to min(4, available cores). */
export function createScanKernel(options: ScanKernelOptions = {}): Promise<ScanKernel> {
  return createKernel(options.threads ?? defaultThreads(os.availableParallelism()), startWorkers);
}

/** This entry's kernels by device and op (backends look theirs up here). */
export const kernels = builtinKernels(createScanKernel, 'threads over channels');
