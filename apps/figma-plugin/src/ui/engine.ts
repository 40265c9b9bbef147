/**
 * The restore engine: onnxruntime-web (through @dpmambair/backend-webgpu) with the wasm and the
 * model handed over as bytes, nothing fetched. Bundled on its own (dist: inlined in ui.html as
 * text) and started either in a Web Worker (WASM: the UI stays responsive and Cancel can stop a
 * tile midway) or in the iframe itself (WebGPU: a blob: worker in Figma's null-origin iframe is
 * not a secure context, so it has no navigator.gpu).
 */
import { configure, ORT_WASM_FILES } from '@dpmambair/backend-webgpu';
import {
  createSession,
  loadModel,
  parseManifest,
  parseSafetensors,
  prepareModel,
  restoreImage,
  type ModelSession,
  type PreparedModel,
  type RestoreProgress,
  type RgbImage,
} from '@dpmambair/core';

export type EngineDevice = 'webgpu' | 'wasm';

export interface EngineAssets {
  /**
   * The ORT wasm of each device that may run here, gzip-compressed: 'wasm' the plain build
   * (ort-wasm-simd-threaded.wasm), 'webgpu' the WebGPU build (ort-wasm-simd-threaded.asyncify.wasm).
   */
  wasmGz: Partial<Record<EngineDevice, Uint8Array>>;
  /** The weights' safetensors, gzip-compressed. */
  modelGz: Uint8Array;
  /** The weights' JSON manifest. */
  manifest: string;
}

export interface EngineInfo {
  device: EngineDevice;
  /** Milliseconds to unpack the wasm and model and compile both graphs. */
  loadMs: number;
  model: string;
}

export interface EngineRestoreOptions {
  tile: number;
  overlap: number;
  signal?: AbortSignal;
  onProgress?: (p: RestoreProgress) => void;
}

export interface EngineResult {
  image: RgbImage;
  /** The degradation embedding (1, E). */
  embedding: Float32Array;
}

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** backend-webgpu takes the wasm bytes once per page or worker, before its first use. */
let configured = false;

/** Gives the event loop a turn: progress paints and Cancel clicks get through between tiles. */
const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export class Engine {
  private session?: ModelSession;
  private info?: EngineInfo;

  /** Loads the wasm and the model and compiles both graphs for the device. Once per engine. */
  async init(assets: EngineAssets, device: EngineDevice): Promise<EngineInfo> {
    if (this.info) {
      if (this.info.device !== device) throw new Error(`engine already runs on ${this.info.device}`);
      return this.info;
    }
    const t0 = performance.now();
    const [wasm, safetensors] = await Promise.all([
      Promise.all(Object.entries(assets.wasmGz).map(async ([d, gz]) => [d, await gunzip(gz!)] as const)),
      gunzip(assets.modelGz),
    ]);
    if (!configured) {
      if (!wasm.some(([d]) => d === device)) throw new Error(`no ORT wasm for ${device} was given`);
      // Single-threaded: Figma's iframe is not cross-origin isolated (no SharedArrayBuffer).
      configure({ wasmBinaries: Object.fromEntries(wasm.map(([d, bytes]) => [ORT_WASM_FILES[d as EngineDevice], bytes])), numThreads: 1 });
      configured = true;
    }
    const model = await this.prepare(assets.manifest, safetensors);
    const { session } = await createSession(model, device);
    this.session = session;
    this.info = { device, loadMs: Math.round(performance.now() - t0), model: model.config.name };
    return this.info;
  }

  /**
   * The build checked the weights' sha256; core's loadModel checks it again where WebCrypto
   * exists (not in a worker of a null-origin iframe, which is not a secure context).
   */
  private async prepare(manifestText: string, safetensors: Uint8Array): Promise<PreparedModel> {
    if (globalThis.crypto?.subtle) return loadModel(manifestText, safetensors, 'embedded weights');
    const manifest = parseManifest(manifestText, 'embedded weights (json)');
    return prepareModel(manifest.config, parseSafetensors(safetensors, 'embedded weights'), manifest);
  }

  async restore(image: RgbImage, options: EngineRestoreOptions): Promise<EngineResult> {
    const session = this.session;
    if (!session) throw new Error('engine not initialised');
    let embedding: Float32Array | undefined;
    const watched: ModelSession = {
      device: session.device,
      model: session.model,
      async embed(crops) {
        const e = await session.embed(crops);
        embedding = e.data;
        return e;
      },
      async restore(x, e) {
        await yieldToEventLoop();
        return session.restore(x, e);
      },
      dispose: () => session.dispose(),
    };
    const out = await restoreImage(watched, image, { tile: options.tile, overlap: options.overlap, signal: options.signal, onProgress: options.onProgress });
    return { image: out, embedding: embedding ?? new Float32Array(0) };
  }
}

// ---- the worker protocol

export type EngineRequest =
  | { type: 'init'; assets: EngineAssets; device: EngineDevice }
  | { type: 'restore'; id: number; image: RgbImage; tile: number; overlap: number }
  | { type: 'abort'; id: number };

export type EngineReply =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'progress'; id: number; progress: RestoreProgress }
  | { type: 'done'; id: number; result: EngineResult }
  | { type: 'aborted'; id: number }
  | { type: 'error'; id?: number; message: string };

interface Port {
  postMessage(message: EngineReply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<EngineRequest>) => void): void;
}

/** Serves the engine over a worker's message port. */
export function serve(port: Port): void {
  const engine = new Engine();
  const running = new Map<number, AbortController>();
  port.addEventListener('message', async (e) => {
    const msg = e.data;
    if (msg.type === 'abort') {
      running.get(msg.id)?.abort();
      return;
    }
    if (msg.type === 'init') {
      try {
        port.postMessage({ type: 'ready', info: await engine.init(msg.assets, msg.device) });
      } catch (err) {
        port.postMessage({ type: 'error', message: (err as Error).message });
      }
      return;
    }
    const ctl = new AbortController();
    running.set(msg.id, ctl);
    try {
      const result = await engine.restore(msg.image, {
        tile: msg.tile,
        overlap: msg.overlap,
        signal: ctl.signal,
        onProgress: (progress) => port.postMessage({ type: 'progress', id: msg.id, progress }),
      });
      const transfer: Transferable[] = [result.image.rgb.buffer as ArrayBuffer];
      if (result.image.alpha) transfer.push(result.image.alpha.buffer as ArrayBuffer);
      port.postMessage({ type: 'done', id: msg.id, result }, transfer);
    } catch (err) {
      if (ctl.signal.aborted) port.postMessage({ type: 'aborted', id: msg.id });
      else port.postMessage({ type: 'error', id: msg.id, message: (err as Error).message });
    } finally {
      running.delete(msg.id);
    }
  });
}
