/**
 * The onnxruntime-web backend, for any onnxruntime-web build (the entry points pick one: the
 * WebGPU build in browsers, the plain wasm build in Node).
 */
import { emitOnnx, GraphBuilder, ParamStore, type Backend, type CompiledGraph, type Device, type Tensor } from '@dpmambair/core';
import type * as Ort from 'onnxruntime-web';

/** The onnxruntime-web version this package is built and tested against. */
export const ORT_VERSION = '1.30.0';

export interface WebBackendOptions {
  /**
   * Where the ORT wasm is fetched from: a URL prefix (a folder serving ORT_WASM_FILE, ending in '/'),
   * or `{ wasm: url }` for the file itself. Default: next to onnxruntime-web's own module.
   */
  wasmPaths?: string | { wasm?: string | URL; mjs?: string | URL };
  /** The bytes of ORT_WASM_FILE: nothing is fetched (bundled or offline use). Wins over wasmPaths. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * WebAssembly threads. Default: 1 unless the page is cross-origin isolated (threads need
   * SharedArrayBuffer), then min(4, cores / 2). Plugin iframes (Figma) are not isolated: 1.
   */
  numThreads?: number;
}

export interface OnnxWebBackend {
  backend: Backend;
  /**
   * Sets where and how the ORT wasm loads. Call it before the first `init`/`compile` (the wasm is
   * instantiated once per page or worker); calling it later throws.
   */
  configure(options: WebBackendOptions): void;
}

/** The backend on one onnxruntime-web module (`wasmFile`: the .wasm that module loads). */
export function createOnnxWebBackend(ort: typeof Ort, wasmFile: string, environment: 'browser' | 'node'): OnnxWebBackend {
  const EXECUTION_PROVIDER: Partial<Record<Device, 'webgpu' | 'wasm'>> = { webgpu: 'webgpu', wasm: 'wasm' };

  let wasmStarted = false;

  /**
   * Sets where and how the ORT wasm loads. Call it before the first `init`/`compile` (the wasm is
   * instantiated once per page or worker); calling it later throws.
   */
  function configure(options: WebBackendOptions): void {
    if (wasmStarted) throw new Error('@dpmambair/backend-webgpu: configure() must be called before the first init() or compile(): the ORT wasm is already loaded');
    const wasm = ort.env.wasm;
    if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
    if (options.wasmBinary !== undefined) wasm.wasmBinary = options.wasmBinary instanceof Uint8Array ? options.wasmBinary : new Uint8Array(options.wasmBinary);
    if (options.numThreads !== undefined) {
      if (!(Number.isInteger(options.numThreads) && options.numThreads >= 1)) throw new Error(`configure: numThreads must be a positive integer, got ${options.numThreads}`);
      wasm.numThreads = options.numThreads;
    }
  }

  function defaultThreads(): number {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    if (!isolated) return 1;
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
    return Math.max(1, Math.min(4, Math.floor(cores / 2)));
  }

  /** A one-scan model (L = 2): proves the wasm loads, the EP starts and LinearAttention has a kernel. */
  function probeModel(): Uint8Array {
    const g = new GraphBuilder();
    const x = g.input('x', [1, 2, 1]);
    const y = g.selectiveScan(x, g.input('delta', [1, 2, 1]), g.param('A', [1, 1]), g.input('B', [1, 2, 1]), g.input('C', [1, 2, 1]), g.param('D', [1]));
    g.output('y', y);
    const params = new ParamStore();
    params.set('A', [1, 1], Float32Array.of(-1));
    params.set('D', [1], Float32Array.of(1));
    return emitOnnx(g.build(), params, 'probe');
  }

  async function webgpuAdapterCheck(): Promise<void> {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    if (!gpu) {
      const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
      throw new Error(`WebGPU is not available: navigator.gpu is undefined (${secure === false ? 'not a secure context: serve over https or localhost' : 'this browser or worker has no WebGPU'})`);
    }
    let adapter: unknown;
    try {
      adapter = await gpu.requestAdapter();
    } catch (e) {
      throw new Error(`WebGPU is not available: requestAdapter() failed: ${(e as Error).message}`);
    }
    if (!adapter) throw new Error('WebGPU is not available: navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU is disabled)');
  }

  async function createSession(model: Uint8Array, device: Device): Promise<Ort.InferenceSession> {
    const ep = EXECUTION_PROVIDER[device];
    if (!ep) throw new Error(`onnxruntime-web does not serve device '${device}' (it serves webgpu and wasm)`);
    if (!wasmStarted) {
      if (ort.env.wasm.numThreads === undefined || ort.env.wasm.numThreads === 0) ort.env.wasm.numThreads = defaultThreads();
      ort.env.wasm.proxy = false;
      wasmStarted = true;
    }
    return ort.InferenceSession.create(model, { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  }

  async function probe(device: Device): Promise<void> {
    if (!EXECUTION_PROVIDER[device]) throw new Error(`onnxruntime-web does not serve device '${device}' (it serves webgpu and wasm)`);
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available here');
    if (device === 'webgpu') {
      if (environment === 'node') {
        throw new Error('WebGPU is not available: this is the Node build of @dpmambair/backend-webgpu (onnxruntime-web/wasm); WebGPU runs in browsers and workers. In Node use wasm, or cpu/cuda from @dpmambair/backend-cuda');
      }
      await webgpuAdapterCheck();
    }
    let session: Ort.InferenceSession;
    try {
      session = await createSession(probeModel(), device);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      const where = ort.env.wasm.wasmBinary ? 'from the bytes given to configure({ wasmBinary })' : `from ${JSON.stringify(ort.env.wasm.wasmPaths ?? "onnxruntime-web's default location")}`;
      throw new Error(`onnxruntime-web ${device} failed to start (${wasmFile} ${where}; set configure({ wasmPaths }) or configure({ wasmBinary })): ${msg}`);
    }
    try {
      const one = (v: number) => new ort.Tensor('float32', Float32Array.of(v, v), [1, 2, 1]);
      await session.run({ x: one(1), delta: one(0.5), B: one(1), C: one(1) });
    } catch (e) {
      throw new Error(`onnxruntime-web ${device} started but could not run the selective scan (com.microsoft.LinearAttention): ${(e as Error).message.split('\n')[0]}`);
    } finally {
      await session.release();
    }
  }

  const initialised = new Map<Device, Promise<void>>();

  const toOrt = (t: Tensor) => new ort.Tensor('float32', t.data, t.shape);
  const fromOrt = (t: Ort.Tensor): Tensor => {
    if (t.type !== 'float32') throw new Error(`onnxruntime-web returned a ${t.type} tensor, expected float32`);
    return { shape: [...t.dims], data: t.data as Float32Array };
  };

  const backend: Backend = {
    name: 'onnxruntime-web',
    devices: ['webgpu', 'wasm'],
    init(device) {
      let p = initialised.get(device);
      if (!p) {
        p = probe(device);
        initialised.set(device, p);
      }
      return p;
    },
    async compile(graph, params, device): Promise<CompiledGraph> {
      await this.init(device);
      const session = await createSession(emitOnnx(graph, params), device);
      // One run at a time per session: onnxruntime-web rejects overlapping runs.
      let queue: Promise<unknown> = Promise.resolve();
      return {
        run(inputs) {
          const result = queue.then(async () => {
            const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, toOrt(t)]));
            const out = await session.run(feeds);
            return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrt(t)]));
          });
          queue = result.catch(() => undefined);
          return result;
        },
        async dispose() {
          await queue;
          await session.release();
        },
      };
    },
  };

  return { backend, configure };
}
