/**
 * The kernels of this package, keyed by device and op. Backends look their kernels up here instead
 * of choosing an implementation themselves, so which devices run our kernel is written down once.
 * Each package entry (index.ts for browsers, node.ts for Node) builds its own registry with its own
 * way of starting the kernel (one thread, or worker threads); nothing is registered at import time
 * beyond building that object, and nothing is probed until a backend asks.
 */
import type { Device, OpName } from '@dpmambair/core';
import { createSyncScanKernel, kernelUnsupportedReason, type ScanKernel, type ScanKernelOptions, type SyncScanKernel } from './kernel.js';

interface KernelEntryBase {
  readonly device: Device;
  readonly op: OpName;
  /** What runs, in words, for a backend's info and logs. */
  readonly description: string;
  /** Why this environment cannot run the kernel (e.g. no WebAssembly SIMD), or undefined when it can. */
  unsupportedReason(): string | undefined;
}

/** A kernel the caller awaits: a host op between ONNX segments (core's compileSegmented, through kernelHostOps). */
export interface AsyncKernelEntry extends KernelEntryBase {
  readonly mode: 'async';
  create(options?: ScanKernelOptions): Promise<ScanKernel>;
}

/** A kernel on the calling thread, for callers that cannot await (tfjs kernel functions). */
export interface SyncKernelEntry extends KernelEntryBase {
  readonly mode: 'sync';
  create(): SyncScanKernel;
}

export type KernelEntry = AsyncKernelEntry | SyncKernelEntry;

export class KernelRegistry {
  private readonly entries = new Map<string, KernelEntry>();

  /** Adds a kernel; a second one for the same device and op is refused (one implementation per pair). */
  register(entry: KernelEntry): void {
    const key = `${entry.device}/${entry.op}`;
    const taken = this.entries.get(key);
    if (taken) throw new Error(`scan-wasm: a kernel for op '${entry.op}' on device '${entry.device}' is already registered (${taken.description})`);
    this.entries.set(key, entry);
  }

  /** The kernel for `op` on `device`, or undefined when this package has none (the backend keeps its own). */
  find(device: Device, op: OpName): KernelEntry | undefined {
    return this.entries.get(`${device}/${op}`);
  }

  /** The awaited kernel for `op` on `device`; throws naming the pair when there is none of that kind. */
  async(device: Device, op: OpName): AsyncKernelEntry {
    return this.expect(device, op, 'async');
  }

  /** The synchronous kernel for `op` on `device`; throws naming the pair when there is none of that kind. */
  sync(device: Device, op: OpName): SyncKernelEntry {
    return this.expect(device, op, 'sync');
  }

  /** Every registered kernel, in registration order. */
  list(): KernelEntry[] {
    return [...this.entries.values()];
  }

  private expect<M extends KernelEntry['mode']>(device: Device, op: OpName, mode: M): Extract<KernelEntry, { mode: M }> {
    const entry = this.find(device, op);
    if (!entry) throw new Error(`scan-wasm: no kernel for op '${op}' on device '${device}' (registered: ${this.list().map((e) => `${e.device}/${e.op}`).join(', ') || 'none'})`);
    if (entry.mode !== mode) throw new Error(`scan-wasm: the kernel for op '${op}' on device '${device}' is ${entry.mode}, not ${mode}`);
    return entry as Extract<KernelEntry, { mode: M }>;
  }
}

/**
 * This package's kernels: the selective scan on every CPU device. onnxruntime's `cpu` (Node) and
 * `wasm` run it between ONNX segments, awaited (`createScanKernel` of the entry: worker threads in
 * Node, Web Workers in cross-origin-isolated pages, one thread elsewhere); tfjs's `tf-cpu` and `tf-wasm` call it synchronously inside a tfjs
 * kernel. GPU devices are absent on purpose: they keep their GPU kernels.
 */
export function builtinKernels(createScanKernel: (options?: ScanKernelOptions) => Promise<ScanKernel>, threads: string): KernelRegistry {
  const registry = new KernelRegistry();
  for (const device of ['cpu', 'wasm'] as const) {
    registry.register({
      device, op: 'selectiveScan', mode: 'async', unsupportedReason: kernelUnsupportedReason, create: createScanKernel,
      description: `our WebAssembly SIMD selective-scan kernel (@dpmambair/scan-wasm, ${threads}) between ONNX segments`,
    });
  }
  for (const device of ['tf-cpu', 'tf-wasm'] as const) {
    registry.register({
      device, op: 'selectiveScan', mode: 'sync', unsupportedReason: kernelUnsupportedReason, create: createSyncScanKernel,
      description: 'our WebAssembly SIMD selective-scan kernel (@dpmambair/scan-wasm, one thread) inside a tfjs kernel',
    });
  }
  return registry;
}
