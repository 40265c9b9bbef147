/**
 * The selective-scan kernel (assembly/scan.ts, WebAssembly SIMD) behind a tensor API. Inputs are
 * copied into the module's linear memory, the scan runs over channel ranges on `threads` threads
 * (the calling thread plus Node worker_threads sharing one WebAssembly.Memory), and y is copied out.
 */
import type { HostOp, OpName, Tensor } from '@dpmambair/core';
import { KERNEL_WASM_SHARED, KERNEL_WASM_SINGLE } from './generated/kernel-wasm.js';

export interface ScanKernelOptions {
  /**
   * Threads over channels, the calling thread included. Default: in Node, min(4, available cores);
   * elsewhere 1 (browser workers are not wired up yet; threads would need crossOriginIsolated).
   */
  threads?: number;
}

export interface ScanKernel {
  readonly threads: number;
  /** x, delta (n, L, Di); A (Di, N); B, C (n, L, N); D (Di) -> y (n, L, Di). Calls run one at a time. */
  scan(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor): Promise<Tensor>;
  /** Ends the worker threads. */
  dispose(): Promise<void>;
}

type ScanExport = (x: number, delta: number, AT: number, B: number, C: number, D: number, y: number, h: number,
  batch: number, L: number, Di: number, N: number, d0: number, d1: number) => void;
interface KernelExports { scan: ScanExport; heapBase(): number }

const PAGE = 65536;
const MAX_PAGES = 32768; // the kernel's declared maximum (2 GiB), see scripts/build-wasm.mjs

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** Why this environment cannot run the kernel, or undefined when it can (SIMD is the requirement). */
export function kernelUnsupportedReason(): string | undefined {
  if (typeof WebAssembly !== 'object') return 'WebAssembly is not available';
  if (!WebAssembly.validate(decode(KERNEL_WASM_SINGLE))) return 'this WebAssembly engine has no SIMD (v128)';
  return undefined;
}

/** Runs channel ranges on another thread over the same memory (Node: src/node.ts). */
export interface Helper { run(args: number[]): Promise<void>; close(): Promise<void> }
export type StartHelpers = (count: number, module: WebAssembly.Module, memory: WebAssembly.Memory) => Promise<Helper[]>;

function checkShapes(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor): [number, number, number, number] {
  if (x.shape.length !== 3) throw new Error(`selectiveScan kernel: x must be (n, L, Di), got [${x.shape}]`);
  const [n, L, Di] = x.shape;
  if (A.shape.length !== 2 || A.shape[0] !== Di) throw new Error(`selectiveScan kernel: A must be (${Di}, N), got [${A.shape}]`);
  const N = A.shape[1];
  const expect: [string, Tensor, number[]][] = [['delta', delta, [n, L, Di]], ['B', B, [n, L, N]], ['C', C, [n, L, N]], ['D', D, [Di]]];
  for (const [name, t, shape] of expect) {
    if (t.shape.join() !== shape.join()) throw new Error(`selectiveScan kernel: ${name} must be [${shape}], got [${t.shape}]`);
  }
  return [n, L, Di, N];
}

/** Splits Di channels into up to `parts` ranges that start at multiples of 4 (one SIMD vector). */
export function channelRanges(Di: number, parts: number): [number, number][] {
  const groups = Math.ceil(Di / 4);
  const ranges: [number, number][] = [];
  for (let k = 0; k < parts; k++) {
    const g0 = Math.floor((k * groups) / parts);
    const g1 = Math.floor(((k + 1) * groups) / parts);
    if (g1 > g0) ranges.push([g0 * 4, Math.min(Di, g1 * 4)]);
  }
  return ranges;
}

/** The kernel on `threads` threads; `startHelpers` provides the threads beyond the calling one. */
export async function createKernel(threads: number, startHelpers?: StartHelpers): Promise<ScanKernel> {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`createScanKernel: threads must be a positive integer, got ${threads}`);
  if (threads > 1 && !startHelpers) throw new Error('createScanKernel: several threads are only wired up in Node so far; use threads: 1');
  const reason = kernelUnsupportedReason();
  if (reason) throw new Error(`selectiveScan kernel cannot run here: ${reason}`);

  const shared = threads > 1;
  const module = await WebAssembly.compile(decode(shared ? KERNEL_WASM_SHARED : KERNEL_WASM_SINGLE));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const kernel = instance.exports as unknown as KernelExports;
  const base = (kernel.heapBase() + 15) & ~15;
  const helpers = shared ? await startHelpers!(threads - 1, module, memory) : [];
  let queue: Promise<unknown> = Promise.resolve();

  async function run(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor): Promise<Tensor> {
    const [n, L, Di, N] = checkShapes(x, delta, A, B, C, D);
    if (n * L * Di === 0) return { shape: [n, L, Di], data: new Float32Array(0) };
    // Layout: x, delta, y, B, C, AT, h, D, each 16-byte aligned.
    let end = base;
    const place = (floats: number) => { const at = end; end += (floats * 4 + 15) & ~15; return at; };
    const [xAt, dAt, yAt] = [place(n * L * Di), place(n * L * Di), place(n * L * Di)];
    const [bAt, cAt] = [place(n * L * N), place(n * L * N)];
    const [atAt, hAt, dSkipAt] = [place(Di * N), place(Di * N), place(Di)];
    const pages = Math.ceil(end / PAGE);
    if (pages > MAX_PAGES) throw new Error(`selectiveScan kernel: ${Math.round(end / 2 ** 20)} MiB needed, the kernel's memory holds at most 2048 MiB: use smaller tiles`);
    const have = memory.buffer.byteLength / PAGE;
    if (pages > have) memory.grow(pages - have);
    const f32 = (at: number, len: number) => new Float32Array(memory.buffer, at, len);
    f32(xAt, x.data.length).set(x.data);
    f32(dAt, delta.data.length).set(delta.data);
    f32(bAt, B.data.length).set(B.data);
    f32(cAt, C.data.length).set(C.data);
    f32(dSkipAt, Di).set(D.data);
    const AT = f32(atAt, Di * N);
    for (let d = 0; d < Di; d++) for (let s = 0; s < N; s++) AT[s * Di + d] = A.data[d * N + s];

    const args = (d0: number, d1: number) => [xAt, dAt, atAt, bAt, cAt, dSkipAt, yAt, hAt, n, L, Di, N, d0, d1];
    const [mine, ...theirs] = channelRanges(Di, threads);
    const others = theirs.map(([d0, d1], i) => helpers[i].run(args(d0, d1)));
    kernel.scan(...(args(...mine) as Parameters<ScanExport>));
    await Promise.all(others);
    return { shape: [n, L, Di], data: f32(yAt, n * L * Di).slice() };
  }

  return {
    threads,
    scan(...inputs) {
      const result = queue.then(() => run(...inputs));
      queue = result.catch(() => undefined);
      return result;
    },
    async dispose() {
      await queue;
      await Promise.all(helpers.map((h) => h.close()));
    },
  };
}

/** The kernel as host ops for core's compileSegmented: the graph is cut at each selectiveScan. */
export function kernelHostOps(kernel: ScanKernel): Partial<Record<OpName, HostOp>> {
  return { selectiveScan: async ([x, delta, A, B, C, D]) => [await kernel.scan(x, delta, A, B, C, D)] };
}
