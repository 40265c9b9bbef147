/**
 * The selective-scan kernel (assembly/scan.ts, WebAssembly SIMD) behind a tensor API. Inputs are
 * copied into the module's linear memory, the scan runs over channel ranges on `threads` threads
 * (the calling thread plus helpers sharing one WebAssembly.Memory: Node worker_threads, or Web Workers
 * in a cross-origin-isolated page), and y is copied out.
 */
import type { HostOp, OpName, Tensor } from '@dpmambair/core';
import { KERNEL_WASM_SHARED, KERNEL_WASM_SINGLE } from './generated/kernel-wasm.js';

export interface ScanKernelOptions {
  /**
   * Threads over channels, the calling thread included. Default: in Node, min(4, available cores);
   * in a cross-origin-isolated page, min(4, navigator.hardwareConcurrency) (Web Workers); elsewhere 1.
   */
  threads?: number;
}

export interface ScanKernel {
  readonly threads: number;
  /**
   * x, delta (n, L, Di); A (Di, N); B, C (n, L, N); D (Di) -> y (n, L, Di). Calls run one at a time.
   * y is written into `out` where given (n * L * Di floats: a buffer the caller reuses, or x's or
   * delta's array when the caller has no further use for it, since inputs are copied in first),
   * else into a fresh array, whose page faults cost up to ~0.5 ns per element at small's shapes here
   * (benchmarks/results/scan.md).
   */
  scan(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, out?: Float32Array): Promise<Tensor>;
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

/** Threads the kernel takes by default where it can share memory: one per logical core, at most 4. */
export const defaultThreads = (cores: number) => Math.max(1, Math.min(4, cores));

/**
 * The protocol both kinds of helper thread speak (src/node.ts, src/web-workers.ts): one request at a
 * time, each answered with null (done) or an error message. A worker that fails between requests
 * fails the next one instead of leaving it waiting forever.
 */
export function requestReply(post: (message: unknown) => void) {
  let pending: { resolve(): void; reject(e: Error): void } | undefined;
  let broken: Error | undefined;
  const settle = (error?: Error) => {
    const p = pending;
    pending = undefined;
    if (!p) broken ??= error;
    else if (error) p.reject(error);
    else p.resolve();
  };
  return {
    send: (message: unknown) => (broken ? Promise.reject(broken) : new Promise<void>((resolve, reject) => {
      pending = { resolve, reject };
      post(message);
    })),
    /** The worker's answer to the request in flight. */
    reply: (error: string | null) => settle(error === null ? undefined : new Error(`scan kernel worker: ${error}`)),
    /** The worker itself failed. */
    fail: (error: Error) => settle(error),
  };
}

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

/** Sizes of one call: x, delta, y (batch, L, Di); A (Di, N); B, C (batch, L, N); D (Di). */
export interface ScanSizes { batch: number; L: number; Di: number; N: number }

/**
 * Where the h scratch of the channel range starting at d0 begins, in bytes from the first one. A
 * range [d0, d1) uses N rows of (d1 - d0) channels rounded up to 4 (assembly/scan.ts), so ranges
 * placed at d0 * (N + 4) floats leave at least 4 * 4 floats (64 bytes, a cache line) between them:
 * no two threads write the same line.
 */
const hScratch = (d0: number, N: number) => d0 * (N + 4) * 4;
const hScratchFloats = (Di: number, N: number) => Math.ceil(Di / 4) * 4 * (N + 4);

/** One instance of the module on one memory: lays out a call's operands and runs channel ranges on them. */
function instanceOn(module: WebAssembly.Module, memory: WebAssembly.Memory) {
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const base = (kernel.heapBase() + 63) & ~63;
  return {
    scan: kernel.scan,
    /** Copies the operands in (A transposed to (N, Di), times log2(e)); returns the kernel's arguments per channel range and a view of y. */
    stage(x: Float32Array, delta: Float32Array, A: Float32Array, B: Float32Array, C: Float32Array, D: Float32Array, { batch: n, L, Di, N }: ScanSizes) {
      // Layout: x, delta, y, B, C, AT, D, h (one scratch per channel range, see hScratch), each on a
      // 64-byte cache line boundary, so threads that write y side by side in a row share no line
      // where a range starts on a multiple of 16 channels.
      let end = base;
      const place = (floats: number) => { const at = end; end += (floats * 4 + 63) & ~63; return at; };
      const [xAt, dAt, yAt] = [place(n * L * Di), place(n * L * Di), place(n * L * Di)];
      const [bAt, cAt] = [place(n * L * N), place(n * L * N)];
      const [atAt, dSkipAt] = [place(Di * N), place(Di)];
      const hAt = place(hScratchFloats(Di, N));
      const pages = Math.ceil(end / PAGE);
      if (pages > MAX_PAGES) throw new Error(`selectiveScan kernel: ${Math.round(end / 2 ** 20)} MiB needed, the kernel's memory holds at most 2048 MiB: use smaller tiles`);
      const have = memory.buffer.byteLength / PAGE;
      if (pages > have) memory.grow(pages - have);
      const f32 = (at: number, len: number) => new Float32Array(memory.buffer, at, len);
      f32(xAt, n * L * Di).set(x);
      f32(dAt, n * L * Di).set(delta);
      f32(bAt, n * L * N).set(B);
      f32(cAt, n * L * N).set(C);
      f32(dSkipAt, Di).set(D);
      // A in base 2: the kernel computes exp(delta * A) as 2^(delta * A * log2(e)), which saves it four
      // operations per exp. Rounding A * log2(e) to float32 changes exp(delta * A) by up to
      // |delta * A| * 6e-8 relative, as much as rounding delta * A itself does.
      const AT = f32(atAt, Di * N);
      for (let d = 0; d < Di; d++) for (let s = 0; s < N; s++) AT[s * Di + d] = A[d * N + s] * Math.LOG2E;
      return {
        args: (d0: number, d1: number): Parameters<ScanExport> => [xAt, dAt, atAt, bAt, cAt, dSkipAt, yAt, hAt + hScratch(d0, N), n, L, Di, N, d0, d1],
        y: () => f32(yAt, n * L * Di),
      };
    },
  };
}

/** The kernel on `threads` threads; `startHelpers` provides the threads beyond the calling one. */
export async function createKernel(threads: number, startHelpers: StartHelpers): Promise<ScanKernel> {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`createScanKernel: threads must be a positive integer, got ${threads}`);
  const reason = kernelUnsupportedReason();
  if (reason) throw new Error(`selectiveScan kernel cannot run here: ${reason}`);

  const shared = threads > 1;
  const module = await WebAssembly.compile(decode(shared ? KERNEL_WASM_SHARED : KERNEL_WASM_SINGLE));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
  const instance = instanceOn(module, memory);
  const helpers = shared ? await startHelpers(threads - 1, module, memory) : [];
  let queue: Promise<unknown> = Promise.resolve();

  async function run(x: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, out?: Float32Array): Promise<Tensor> {
    const [batch, L, Di, N] = checkShapes(x, delta, A, B, C, D);
    if (out && out.length !== batch * L * Di) throw new Error(`selectiveScan kernel: out must hold ${batch * L * Di} floats (y is [${batch},${L},${Di}]), got ${out.length}`);
    if (batch * L * Di === 0) return { shape: [batch, L, Di], data: out ?? new Float32Array(0) };
    const call = instance.stage(x.data, delta.data, A.data, B.data, C.data, D.data, { batch, L, Di, N });
    const [mine, ...theirs] = channelRanges(Di, threads);
    const others = theirs.map(([d0, d1], i) => helpers[i].run(call.args(d0, d1)));
    instance.scan(...call.args(...mine));
    await Promise.all(others);
    if (!out) return { shape: [batch, L, Di], data: call.y().slice() };
    out.set(call.y());
    return { shape: [batch, L, Di], data: out };
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

/** The kernel on the calling thread, synchronously: for callers that cannot wait (tfjs kernels). */
export interface SyncScanKernel {
  /** Writes y into `out`; operands as in ScanKernel.scan, as flat float32 arrays. */
  scanInto(x: Float32Array, delta: Float32Array, A: Float32Array, B: Float32Array, C: Float32Array, D: Float32Array, sizes: ScanSizes, out: Float32Array): void;
}

/** Compiles synchronously (the module is 2.5 KB, under browsers' limit for compiling on the main thread). */
export function createSyncScanKernel(): SyncScanKernel {
  const reason = kernelUnsupportedReason();
  if (reason) throw new Error(`selectiveScan kernel cannot run here: ${reason}`);
  const instance = instanceOn(new WebAssembly.Module(decode(KERNEL_WASM_SINGLE)), new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES }));
  return {
    scanInto(x, delta, A, B, C, D, sizes, out) {
      if (sizes.batch * sizes.L * sizes.Di === 0) return;
      const call = instance.stage(x, delta, A, B, C, D, sizes);
      instance.scan(...call.args(0, sizes.Di));
      out.set(call.y());
    },
  };
}

/** The kernel as host ops for core's compileSegmented: the graph is cut at each selectiveScan. */
export function kernelHostOps(kernel: ScanKernel): Partial<Record<OpName, HostOp>> {
  return {
    // y has delta's (and x's) shape: it goes into one of them where the runner says nothing reads it later.
    selectiveScan: async ([x, delta, A, B, C, D], _node, reusable) =>
      [await kernel.scan(x, delta, A, B, C, D, reusable[1] ? delta.data : reusable[0] ? x.data : undefined)],
  };
}
