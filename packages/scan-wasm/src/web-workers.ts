/**
 * The browser's helper threads for the kernel: Web Workers that instantiate the same compiled
 * module on the same shared WebAssembly.Memory and run the channel ranges they are sent (what
 * src/node.ts does with worker_threads). Sharing the memory needs SharedArrayBuffer, so a page
 * (or worker) that is cross-origin isolated; `threadsUnavailableReason` says when it is not.
 */
import { defaultThreads, requestReply, type Helper } from './kernel.js';

/** The body of each worker: the first message brings the module and memory, each later one a range to run. */
const WORKER_SOURCE = `
let kernel;
onmessage = (e) => {
  try {
    if (kernel) kernel.scan(...e.data);
    else kernel = new WebAssembly.Instance(e.data.module, { env: { memory: e.data.memory } }).exports;
    postMessage(null);
  } catch (err) {
    postMessage(String((err && err.message) || err));
  }
};
`;

/** Why this environment cannot give the kernel more than one thread, or undefined when it can. */
export function threadsUnavailableReason(): string | undefined {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so there is no SharedArrayBuffer to share the kernel\'s memory with Web Workers';
  }
  if (typeof Worker !== 'function') return 'this environment has no Web Workers';
  return undefined;
}

/** Threads the kernel takes by default here: min(4, logical cores) where it can share memory, else 1; and why, in words. */
export function defaultBrowserThreads(): { threads: number; reason: string } {
  const unavailable = threadsUnavailableReason();
  if (unavailable) return { threads: 1, reason: `one thread: ${unavailable}` };
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const threads = defaultThreads(cores);
  return { threads, reason: `${threads === 1 ? 'one thread' : `${threads} threads over channels`} (cross-origin isolated: Web Workers on one shared memory; ${cores} logical cores)` };
}

function startWorker(url: string, module: WebAssembly.Module, memory: WebAssembly.Memory): { helper: Helper; ready: Promise<void> } {
  const worker = new Worker(url);
  const channel = requestReply((message) => worker.postMessage(message));
  worker.onmessage = (e: MessageEvent<string | null>) => channel.reply(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    channel.fail(new Error(`scan kernel worker: ${e.message || 'failed to start'}`));
  };
  return {
    ready: channel.send({ module, memory }),
    helper: { run: (args) => channel.send(args), close: async () => worker.terminate() },
  };
}

/** Starts `count` Web Workers on `memory` (a shared one); resolves once each has instantiated the module. */
export async function startWebWorkers(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Helper[]> {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const started = Array.from({ length: count }, () => startWorker(url, module, memory));
  try {
    await Promise.all(started.map((s) => s.ready));
  } catch (e) {
    await Promise.all(started.map((s) => s.helper.close()));
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  return started.map((s) => s.helper);
}
