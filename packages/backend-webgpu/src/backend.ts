/**
 * The onnxruntime-web backend over one onnxruntime-web build per device, each loaded (dynamic
 * import) the first time its device is used. The browser entry uses the WebGPU build for `webgpu`
 * and the plain wasm build for `wasm`; the Node entry only the plain wasm build.
 */
import { compileSegmented, emitOnnx, GraphBuilder, initOncePerDevice, ParamStore, type Backend, type CompiledGraph, type Device, type Graph, type Tensor } from '@dpmambair/core';
import { kernelHostOps, kernels, type ScanKernel } from '@dpmambair/scan-wasm';
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
   * The wasm bytes themselves: nothing is fetched (bundled or offline use, e.g. a Figma plugin).
   * Bare bytes are for device `wasm` (ORT_WASM_FILES.wasm); give `{ webgpu: bytes }` for the WebGPU
   * build (ORT_WASM_FILES.webgpu). Wins over wasmPaths.
   */
  wasmBinary?: Bytes | Partial<Record<WebDevice, Bytes>>;
  /**
   * WebAssembly threads. Default: 1 unless the page is cross-origin isolated (threads need
   * SharedArrayBuffer), then min(4, cores / 2). Plugin iframes (Figma) are not isolated: 1.
   */
  numThreads?: number;
  /**
   * How device `wasm` runs the selective scan. 'kernel' (default): our WebAssembly SIMD kernel
   * (@dpmambair/scan-wasm) between ONNX segments; in Node on numThreads threads (default: min(4,
   * cores)), elsewhere on one. 'linearAttention': one ONNX model with com.microsoft.LinearAttention,
   * which onnxruntime runs scalar at these sizes; kept so both can be timed. `webgpu` always uses
   * LinearAttention (its WebGPU kernel).
   */
  scan?: 'kernel' | 'linearAttention';
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
    options = { ...options, ...next };
  }

  let kernel: Promise<ScanKernel> | undefined;
  /** One kernel per backend (calls run one at a time), made on the first graph with a scan. */
  const sharedKernel = () => (kernel ??= kernels.async('wasm', 'selectiveScan').create(options.numThreads ? { threads: options.numThreads } : {}));

  function source(device: WebDevice): string {
    const file = builds[device]!.wasmFile;
    const bin = options.wasmBinary;
    if (bin && (isBytes(bin) ? device === 'wasm' : bin[device])) return `${file} from the bytes given to configure({ wasmBinary }), ORT's bundled .mjs glue`;
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
        const bin = options.wasmBinary;
        const bytes = bin === undefined ? undefined : isBytes(bin) ? (device === 'wasm' ? bin : undefined) : bin[device];
        if (bytes) {
          // Bytes win: no wasmPaths then, which would also make ORT fetch its .mjs glue from there
          // instead of using the copy bundled into its module (seen with onnxruntime-web 1.30).
          wasm.wasmBinary = toU8(bytes);
        } else {
          const paths = options.wasmPaths;
          const p = typeof paths === 'string' ? paths : paths?.[device];
          if (p !== undefined) wasm.wasmPaths = p;
        }
        wasm.numThreads = options.numThreads ?? defaultThreads();
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

  async function createSession(model: Uint8Array, device: WebDevice, segment = false): Promise<Ort.InferenceSession> {
    const ort = await ortFor(device);
    // Segment sessions share one wasm heap without per-session arenas, which would each keep their
    // own peak of activations (and a wasm heap never shrinks).
    return ort.InferenceSession.create(model, { executionProviders: [device], graphOptimizationLevel: 'all', logSeverityLevel: 3, ...(segment ? { enableCpuMemArena: false } : {}) });
  }

  async function probe(d: Device): Promise<void> {
    const device = served(d);
    if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available here');
    if (device === 'webgpu') await webgpuAdapterCheck();
    let session: Ort.InferenceSession;
    try {
      session = await createSession(probeModel(), device);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      throw new Error(`onnxruntime-web ${device} failed to start (${source(device)}; set configure({ wasmPaths }) or configure({ wasmBinary })): ${msg}`);
    }
    const ort = await ortFor(device);
    try {
      const two = (v: number) => new ort.Tensor('float32', Float32Array.of(v, v), [1, 2, 1]);
      await session.run({ x: two(1), delta: two(0.5), B: two(1), C: two(1) });
    } catch (e) {
      throw new Error(`onnxruntime-web ${device} started but could not run the selective scan (com.microsoft.LinearAttention): ${(e as Error).message.split('\n')[0]}`);
    } finally {
      await session.release();
    }
  }

  const backend: Backend = {
    name: 'onnxruntime-web',
    devices: ['webgpu', 'wasm'],
    init: initOncePerDevice(probe),
    async compile(graph, params, device): Promise<CompiledGraph> {
      await this.init(device);
      const d = served(device);
      const ort = await ortFor(d);
      const fromOrt = (t: Ort.Tensor): Tensor => {
        if (t.type !== 'float32') throw new Error(`onnxruntime-web returned a ${t.type} tensor, expected float32`);
        return { shape: [...t.dims], data: t.data as Float32Array };
      };
      const compileOnnx = async (g: Graph, segment = false): Promise<CompiledGraph> => {
        const session = await createSession(emitOnnx(g, params), d, segment);
        // One run at a time per session: onnxruntime-web rejects overlapping runs.
        let queue: Promise<unknown> = Promise.resolve();
        return {
          run(inputs) {
            const result = queue.then(async () => {
              const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)]));
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
      };
      const scans = graph.nodes.some((n) => n.op === 'selectiveScan');
      if (d !== 'wasm' || options.scan === 'linearAttention' || !scans) return compileOnnx(graph);
      return compileSegmented(graph, params, { hostOps: kernelHostOps(await sharedKernel()), compileSegment: (g) => compileOnnx(g, true) });
    },
  };

  return { backend, configure };
}
