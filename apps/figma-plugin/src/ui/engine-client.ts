/**
 * Starts the engine where it can run and talks to it. WebGPU (when the iframe has a working
 * adapter) runs in the iframe itself; WASM runs in a Web Worker made from the engine's source
 * (a blob: URL), or in the iframe when workers are unavailable. Cancel aborts the restore's
 * AbortSignal; a worker that does not stop at the next tile within a moment is terminated.
 */
import type { RestoreProgress, RgbImage } from '@dpmambair/core';
import type { Engine, EngineAssets, EngineDevice, EngineInfo, EngineReply, EngineRequest, EngineResult } from './engine.js';

/** Which ORT wasm files an engine gets: the worker only runs 'wasm'; the iframe may run both. */
export type AssetsFor = readonly EngineDevice[];

export type DevicePreference = 'auto' | 'wasm';

export interface Started extends EngineInfo {
  /** Where the engine runs. */
  where: 'worker' | 'iframe';
  /** Why a faster option was not used, if it was not. */
  notes: string[];
}

export interface RestoreCall {
  tile: number;
  overlap: number;
  signal: AbortSignal;
  onProgress(p: RestoreProgress): void;
}

/** How long a worker gets to stop at a tile boundary after Cancel before it is terminated. */
export const ABORT_GRACE_MS = 1000;

const abortError = () => new DOMException('restore cancelled', 'AbortError');

/** Whether the iframe can use WebGPU: navigator.gpu exists and yields an adapter. Never throws. */
export async function webgpuAdapter(): Promise<{ ok: boolean; reason?: string }> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { ok: false, reason: 'no WebGPU in this window (navigator.gpu is missing)' };
  try {
    const adapter = await Promise.race([gpu.requestAdapter(), new Promise((r) => setTimeout(() => r(null), 3000))]);
    return adapter ? { ok: true } : { ok: false, reason: 'WebGPU has no adapter here' };
  } catch (e) {
    return { ok: false, reason: `WebGPU adapter request failed: ${(e as Error).message}` };
  }
}

export class EngineClient {
  private worker?: Worker;
  private workerReady?: Promise<EngineInfo>;
  private readonly inFrame = new Map<EngineDevice, Promise<{ engine: Engine; info: EngineInfo }>>();
  private inFrameDevice?: EngineDevice;
  private started?: Promise<Started>;
  private startedPref?: DevicePreference;
  private nextId = 1;
  /** What happened on cancels ('stopped at a tile boundary' / 'worker terminated'), for diagnostics and tests. */
  readonly events: string[] = [];
  private readonly pending = new Map<number, { resolve(r: EngineResult): void; reject(e: Error): void; onProgress(p: RestoreProgress): void; aborted?: () => void }>();

  constructor(
    private readonly engineSource: string,
    private readonly assets: (devices: AssetsFor) => EngineAssets,
    private readonly options: { forceInFrame?: boolean } = {},
  ) {}

  /** Starts (once) on the best device allowed by the preference. */
  start(pref: DevicePreference): Promise<Started> {
    if (this.started && this.startedPref === pref) return this.started;
    this.startedPref = pref;
    this.started = this.doStart(pref);
    this.started.catch(() => {
      this.started = undefined;
    });
    return this.started;
  }

  private async doStart(pref: DevicePreference): Promise<Started> {
    const notes: string[] = [];
    if (pref === 'auto') {
      const gpu = await webgpuAdapter();
      if (gpu.ok) {
        try {
          return { ...(await this.startInFrame('webgpu')), where: 'iframe', notes };
        } catch (e) {
          notes.push(`WebGPU failed (${(e as Error).message}); using WebAssembly`);
          this.inFrame.delete('webgpu');
        }
      } else {
        notes.push(`${gpu.reason}; using WebAssembly`);
      }
    }
    if (!this.options.forceInFrame) {
      try {
        return { ...(await this.startWorker()), where: 'worker', notes };
      } catch (e) {
        notes.push(`no worker (${(e as Error).message}); running in the plugin window`);
        this.dropWorker(false);
      }
    }
    return { ...(await this.startInFrame('wasm')), where: 'iframe', notes };
  }

  private loadEngineScript(): { Engine: new () => Engine } {
    const g = globalThis as { __dpmambairEngine?: { Engine: new () => Engine } };
    if (!g.__dpmambairEngine) {
      const script = document.createElement('script');
      script.textContent = this.engineSource;
      document.head.appendChild(script);
      script.remove();
    }
    if (!g.__dpmambairEngine) throw new Error('the engine script did not load');
    return g.__dpmambairEngine;
  }

  private async startInFrame(device: EngineDevice): Promise<EngineInfo> {
    let p = this.inFrame.get(device);
    if (!p) {
      p = (async () => {
        const { Engine } = this.loadEngineScript();
        const engine = new Engine();
        // Both wasm files: the backend takes its bytes once per page, and WebGPU may fall back to WASM here.
        return { engine, info: await engine.init(this.assets(['webgpu', 'wasm']), device) };
      })();
      this.inFrame.set(device, p);
    }
    const { info } = await p;
    this.inFrameDevice = device;
    return info;
  }

  private startWorker(): Promise<EngineInfo> {
    if (this.workerReady) return this.workerReady;
    const url = URL.createObjectURL(new Blob([this.engineSource], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'dpmambair-engine' });
    URL.revokeObjectURL(url);
    this.worker = worker;
    this.workerReady = new Promise<EngineInfo>((resolve, reject) => {
      worker.onerror = (e) => {
        e.preventDefault();
        const err = new Error(e.message || 'the engine worker failed');
        reject(err);
        this.failAll(err);
      };
      worker.onmessage = (e: MessageEvent<EngineReply>) => {
        const msg = e.data;
        if (msg.type === 'ready') return resolve(msg.info);
        if (msg.type === 'error' && msg.id === undefined) return reject(new Error(msg.message));
        this.onReply(msg);
      };
    });
    const init: EngineRequest = { type: 'init', assets: this.assets(['wasm']), device: 'wasm' };
    worker.postMessage(init);
    return this.workerReady;
  }

  private onReply(msg: EngineReply): void {
    if (!('id' in msg) || msg.id === undefined) return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') return p.onProgress(msg.progress);
    this.pending.delete(msg.id);
    if (msg.type === 'done') p.resolve(msg.result);
    else if (msg.type === 'aborted') {
      p.aborted?.();
      p.reject(abortError());
    } else if (msg.type === 'error') p.reject(new Error(msg.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Ends the worker; `restart` makes the next restore start an engine again (after a Cancel). */
  private dropWorker(restart = true): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.workerReady = undefined;
    if (restart) this.started = undefined;
  }

  async restore(image: RgbImage, call: RestoreCall): Promise<EngineResult> {
    const started = await this.start(this.startedPref ?? 'auto');
    if (call.signal.aborted) throw abortError();
    if (started.where === 'iframe') {
      const { engine } = await this.inFrame.get(this.inFrameDevice ?? started.device)!;
      return engine.restore(image, call);
    }
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<EngineResult>((resolve, reject) => {
      const entry = { resolve, reject, onProgress: call.onProgress, aborted: undefined as undefined | (() => void) };
      this.pending.set(id, entry);
      call.signal.addEventListener(
        'abort',
        () => {
          // Ask for a stop at the next tile; if the worker is deep in a tile, end it for good.
          const timer = setTimeout(() => {
            if (!this.pending.has(id)) return;
            this.pending.delete(id);
            this.dropWorker();
            this.events.push('worker terminated');
            reject(abortError());
          }, ABORT_GRACE_MS);
          entry.aborted = () => {
            clearTimeout(timer);
            this.events.push('stopped at a tile boundary');
          };
          worker.postMessage({ type: 'abort', id } satisfies EngineRequest);
        },
        { once: true },
      );
      const transfer: Transferable[] = [image.rgb.buffer as ArrayBuffer];
      if (image.alpha) transfer.push(image.alpha.buffer as ArrayBuffer);
      worker.postMessage({ type: 'restore', id, image, tile: call.tile, overlap: call.overlap } satisfies EngineRequest, transfer);
    });
  }
}
