/**
 * The onnxruntime-web backend over one onnxruntime-web build per device, each loaded (dynamic
 * import) the first time its device is used. The browser entry uses the WebGPU build for `webgpu`
 * and the plain wasm build for `wasm`; the Node entry only the plain wasm build.
 */
import {
  compileSegmented, emitOnnx, emitOptionsFor, initOncePerDevice, ortCompiledGraph, ortSessionOptions, OrtProbeError, probeOrt,
  type Backend, type CompiledGraph, type Device, type EmitOptions, type Graph, type OrtRuntime, type OrtWasmFile,
} from '@dpmambair/core';
import { defaultBrowserThreads, kernelHostOps, kernels, type ScanKernel } from '@dpmambair/scan-wasm';
import type * as Ort from 'onnxruntime-web';

/** The onnxruntime-web version this package is built and tested against. */
export const ORT_VERSION = '1.30.0';

export type WebDevice = 'webgpu' | 'wasm';
type Bytes = ArrayBuffer | Uint8Array;
type OrtWasmPaths = string | { wasm?: string | URL; mjs?: string | URL };

export interface WebBackendOptions {
  /**
   * Where the ORT wasm files are fetched from. A string: a URL prefix (a folder ending in '/') that
   * serves ORT_WASM_FILES (each device loads its own file from it). Or per device, in
   * onnxruntime-web's own form: `{ wasm: 'https://…/', webgpu: { wasm: 'https://…/x.wasm' } }`.
   * Default: next to onnxruntime-web's module (fine in Node and in most bundlers' dev servers).
   */
  wasmPaths?: string | Partial<Record<WebDevice, OrtWasmPaths>>;
  /**
   * The wasm bytes themselves, by file name (ORT_WASM_FILES): nothing is fetched (bundled or offline
   * use, e.g. a Figma plugin). `{ 'ort-wasm-simd-threaded.wasm': bytes }` serves device `wasm`,
   * `'ort-wasm-simd-threaded.asyncify.wasm'` the WebGPU build. Wins over wasmPaths. The same option
   * as backend-tf's `configure({ wasmBinaries })`.
   */
  wasmBinaries?: Partial<Record<OrtWasmFile, Bytes>>;
  /**
   * @deprecated Use `wasmBinaries` (by file name). Bare bytes are device `wasm`'s file, or
   * `{ webgpu: bytes, wasm: bytes }` by device; `wasmBinaries` wins where both name a file.
   */
  wasmBinary?: Bytes | Partial<Record<WebDevice, Bytes>>;
  /**
   * WebAssembly threads, onnxruntime's and the scan kernel's. Default: 1 unless the page is
   * cross-origin isolated (threads need SharedArrayBuffer), then min(4, cores). Plugin iframes
   * (Figma) are not isolated: 1.
   */
  numThreads?: number;
  /**
   * How device `wasm` runs the selective scan. 'kernel' (default): our WebAssembly SIMD kernel
   * (@dpmambair/scan-wasm) between ONNX segments, on numThreads threads when set, else the kernel's
   * default: min(4, cores) in Node and in cross-origin-isolated pages (Web Workers), one thread
   * elsewhere. 'linearAttention': one ONNX model with com.microsoft.LinearAttention,
   * which onnxruntime runs scalar at these sizes; kept so both can be timed. `webgpu` always uses
   * LinearAttention (its WebGPU kernel).
   */
  scan?: 'kernel' | 'linearAttention';
  /**
   * How the ONNX models write a layerNorm beside toTokens/fromTokens (core's EmitOptions). Default:
   * core's emitOptionsFor(device), 'channels' on `wasm` (about 3x faster there than
   * LayerNormalization), 'op' on `webgpu`. Kept so both can be timed in one run.
   */
  layerNorm?: EmitOptions['layerNorm'];
}

/** One onnxruntime-web build: how to load it, and the .wasm file it fetches. */
export interface OrtBuild {
  load(): Promise<typeof Ort>;
  wasmFile: string;
}

export interface OnnxWebBackend {
  backend: Backend;
  /**
   * Sets where and how the ORT wasm loads. Call it before the first `init`/`compile` (each wasm is
   * instantiated once per page or worker); calling it later throws.
   */
  configure(options: WebBackendOptions): void;
}

const isBytes = (v: unknown): v is Bytes => v instanceof Uint8Array || v instanceof ArrayBuffer;
const toU8 = (b: Bytes) => (b instanceof Uint8Array ? b : new Uint8Array(b));

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

/**
 * The backend over `builds` (one onnxruntime-web build per device it serves). `unavailable` gives,
 * per device, a reason it can never work in this environment (e.g. webgpu in Node).
 */
export function createOnnxWebBackend(builds: Partial<Record<WebDevice, OrtBuild>>, unavailable: Partial<Record<WebDevice, string>> = {}): OnnxWebBackend {
  let options: WebBackendOptions = {};
  const loaded = new Map<WebDevice, Promise<typeof Ort>>();

  function configure(next: WebBackendOptions): void {
    if (loaded.size) throw new Error('@dpmambair/backend-webgpu: configure() must be called before the first init() or compile(): the ORT wasm is already loaded');
    if (next.numThreads !== undefined && !(Number.isInteger(next.numThreads) && next.numThreads >= 1)) {
      throw new Error(`configure: numThreads must be a positive integer, got ${next.numThreads}`);
    }
    if (next.scan !== undefined && next.scan !== 'kernel' && next.scan !== 'linearAttention') {
      throw new Error(`configure: scan must be 'kernel' or 'linearAttention', got ${JSON.stringify(next.scan)}`);
    }
    if (next.layerNorm !== undefined && next.layerNorm !== 'op' && next.layerNorm !== 'channels') {
      throw new Error(`configure: layerNorm must be 'op' or 'channels', got ${JSON.stringify(next.layerNorm)}`);
    }
    options = { ...options, ...next };
  }

  let kernel: Promise<ScanKernel> | undefined;
  /** One kernel per backend (calls run one at a time), made on the first graph with a scan. */
  const sharedKernel = () => (kernel ??= kernels.async('wasm', 'selectiveScan').create(options.numThreads ? { threads: options.numThreads } : {}));

  /** The bytes configure() gave for a device's wasm file, if any (wasmBinaries, else the deprecated wasmBinary). */
  function bytesFor(device: WebDevice): Bytes | undefined {
    const given = options.wasmBinaries?.[builds[device]!.wasmFile as OrtWasmFile];
    if (given) return given;
    const old = options.wasmBinary;
    return old === undefined ? undefined : isBytes(old) ? (device === 'wasm' ? old : undefined) : old[device];
  }

  function source(device: WebDevice): string {
    const file = builds[device]!.wasmFile;
    if (bytesFor(device)) return `${file} from the bytes given to configure({ wasmBinaries }), ORT's bundled .mjs glue`;
    const paths = options.wasmPaths;
    const p = typeof paths === 'string' ? paths : paths?.[device];
    return `${file} from ${p === undefined ? "onnxruntime-web's default location" : JSON.stringify(p)}`;
  }

  /** Loads the build of a device once and applies the options to its env. */
  function ortFor(device: WebDevice): Promise<typeof Ort> {
    let p = loaded.get(device);
    if (!p) {
      const build = builds[device]!;
      p = build.load().then((ort) => {
        const wasm = ort.env.wasm;
        const bytes = bytesFor(device);
        if (bytes) {
          // Bytes win: no wasmPaths then, which would also make ORT fetch its .mjs glue from there
          // instead of using the copy bundled into its module (seen with onnxruntime-web 1.30).
          wasm.wasmBinary = toU8(bytes);
        } else {
          const paths = options.wasmPaths;
          const p = typeof paths === 'string' ? paths : paths?.[device];
          if (p !== undefined) wasm.wasmPaths = p;
        }
        // The scan kernel's own choice: onnxruntime's segments and the kernel run one after the other, never together.
        wasm.numThreads = options.numThreads ?? defaultBrowserThreads().threads;
        wasm.proxy = false;
        return ort;
      });
      loaded.set(device, p);
    }
    return p;
  }

  const served = (device: Device): WebDevice => {
    if (device !== 'webgpu' && device !== 'wasm') throw new Error(`onnxruntime-web does not serve device '${device}' (it serves webgpu and wasm)`);
    if (unavailable[device]) throw new Error(unavailable[device]);
    if (!builds[device]) throw new Error(`no onnxruntime-web build for device '${device}' here`);
    return device;
  };

  async function probe(d: Device): Promise<void> {
    const device = served(d);
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available here');
    if (device === 'webgpu') await webgpuAdapterCheck();
    try {
      await probeOrt(await ortFor(device), ortSessionOptions({ executionProvider: device }));
    } catch (e) {
      if (!(e instanceof OrtProbeError)) throw e;
      const where = e.stage === 'start' ? ` (${source(device)}; set configure({ wasmPaths }) or configure({ wasmBinaries }))` : '';
      throw new Error(`onnxruntime-web ${device} ${e.stage === 'start' ? `failed to start${where}: ${e.detail}` : e.message}`);
    }
  }

  const backend: Backend = {
    name: 'onnxruntime-web',
    devices: ['webgpu', 'wasm'],
    init: initOncePerDevice(probe),
    async compile(graph, params, device): Promise<CompiledGraph> {
      await this.init(device);
      const d = served(device);
      const ort: OrtRuntime = await ortFor(d);
      const compileOnnx = async (g: Graph, segment = false): Promise<CompiledGraph> => {
        const session = await ort.InferenceSession.create(emitOnnx(g, params, { ...emitOptionsFor(d), ...(options.layerNorm ? { layerNorm: options.layerNorm } : {}) }), ortSessionOptions({ executionProvider: d, segment }));
        // One run at a time per session: onnxruntime-web rejects overlapping runs.
        return ortCompiledGraph(ort, session, 'onnxruntime-web', { serialise: true });
      };
      const scans = graph.nodes.some((n) => n.op === 'selectiveScan');
      if (d !== 'wasm' || options.scan === 'linearAttention' || !scans) return compileOnnx(graph);
      return compileSegmented(graph, params, { hostOps: kernelHostOps(await sharedKernel()), compileSegment: (g) => compileOnnx(g, true) });
    },
  };

  return { backend, configure };
}
