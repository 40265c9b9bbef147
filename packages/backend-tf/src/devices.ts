import * as tf from '@tensorflow/tfjs-core';
import type { Device } from '@dpmambair/core';
import { registerLayerNormKernels } from './layernorm.js';
import { registerScanKernels } from './scan/register.js';

/** The tfjs devices this package serves, each mapped to one tfjs backend name. */
export const TF_BACKEND = {
  'tf-cpu': 'cpu',
  'tf-wasm': 'wasm',
  'tf-webgl': 'webgl',
  'tf-webgpu': 'webgpu',
} as const satisfies Partial<Record<Device, string>>;

export type TfDevice = keyof typeof TF_BACKEND;
export type TfBackendName = (typeof TF_BACKEND)[TfDevice];
export const TF_DEVICES = Object.keys(TF_BACKEND) as TfDevice[];

export const isTfDevice = (d: string): d is TfDevice => d in TF_BACKEND;

export interface TfConfig {
  /**
   * Where the tfjs wasm binaries live: a folder/URL prefix ending in '/', or a map from binary name
   * ('tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm')
   * to a path or URL. In Node the default is node_modules/@tensorflow/tfjs-backend-wasm/dist/ (from disk);
   * in browsers the default is tfjs's own (next to the bundled script). Set before the first tf-wasm init.
   */
  wasmPaths?: string | Record<string, string>;
  /** The wasm binaries as bytes (browsers): turned into blob: URLs. Overrides wasmPaths. */
  wasmBinaries?: Partial<Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', Uint8Array | ArrayBuffer>>;
  /** Threads for the wasm backend's XNNPACK pool (only where threads are supported). */
  wasmThreads?: number;
  /**
   * Internal layout of image values: 'nhwc' (default, measured faster) or 'nchw' (a transpose
   * around every conv and pixel shuffle). Exists to measure the choice; applies to graphs compiled after.
   */
  layout?: 'nhwc' | 'nchw';
}

export const config: TfConfig = {};
let wasmConfigured = false;

/** Configures the tfjs backends (wasm paths or bytes). Call before the first `init('tf-wasm')`. */
export function configure(options: TfConfig): void {
  if (wasmConfigured && (options.wasmPaths !== undefined || options.wasmBinaries !== undefined)) {
    throw new Error('backend-tf: configure({ wasmPaths }) must be called before tf-wasm is initialised');
  }
  Object.assign(config, options);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/**
 * A Node built-in, loaded so that browser bundlers never see its name: process.getBuiltinModule
 * where Node has it (20.16+), else a dynamic import of a non-literal specifier.
 */
async function nodeBuiltin<T>(name: string): Promise<T> {
  const p = process as unknown as { getBuiltinModule?: (n: string) => unknown };
  if (typeof p.getBuiltinModule === 'function') return p.getBuiltinModule(name) as T;
  const specifier = name;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as T;
}

async function nodeWasmDir(): Promise<string> {
  // The installed package on disk: node_modules/@tensorflow/tfjs-backend-wasm/dist/.
  const { createRequire } = await nodeBuiltin<typeof import('node:module')>('node:module');
  const path = await nodeBuiltin<typeof import('node:path')>('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep;
}

async function importBackend(backend: TfBackendName): Promise<void> {
  switch (backend) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasmConfigured = true;
      if (config.wasmBinaries && Object.keys(config.wasmBinaries).length) {
        if (typeof Blob === 'undefined' || typeof URL?.createObjectURL !== 'function') {
          throw new Error('configure({ wasmBinaries }) needs Blob and URL.createObjectURL (a browser); use wasmPaths in Node');
        }
        const map: Record<string, string> = {};
        for (const [name, bytes] of Object.entries(config.wasmBinaries)) {
          if (bytes) map[name] = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/wasm' }));
        }
        wasm.setWasmPaths(map);
      } else if (config.wasmPaths !== undefined) {
        wasm.setWasmPaths(config.wasmPaths);
      } else if (isNode) {
        wasm.setWasmPaths(await nodeWasmDir());
      }
      if (config.wasmThreads) wasm.setThreadsCount(config.wasmThreads);
      return;
    }
    case 'webgl':
      if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') {
        throw new Error('WebGL needs a browser (no document or OffscreenCanvas here)');
      }
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu': {
      const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
      if (!gpu) throw new Error('WebGPU is not available here (navigator.gpu is missing)');
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('WebGPU is present but navigator.gpu.requestAdapter() returned no adapter');
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    }
  }
}

async function initBackend(device: TfDevice): Promise<void> {
  const name = TF_BACKEND[device];
  await importBackend(name);
  if (!tf.findBackendFactory(name)) throw new Error(`tfjs backend '${name}' did not register here`);
  let ok: boolean;
  const previous = safeBackendName();
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`tfjs backend '${name}' failed to initialise: ${(e as Error).message ?? e}`);
  }
  if (!ok || !tf.findBackend(name)) throw new Error(`tfjs backend '${name}' failed to initialise (tf.setBackend returned false)`);
  if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
    throw new Error('WebGL here cannot render to float32 textures (float16 only): results would be too imprecise');
  }
  // A one-op probe that must run on this backend.
  const probe = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.scalar(1)));
  const values = await probe.data();
  probe.dispose();
  if (values[0] !== 2 || values[1] !== 3) throw new Error(`tfjs backend '${name}' computed 1+1=${values[0]}`);
  registerScanKernels(name);
  registerLayerNormKernels(name);
  if (previous && previous !== name) await tf.setBackend(previous);
}

function safeBackendName(): string | undefined {
  try {
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}

const initialised = new Map<TfDevice, Promise<void>>();

/** Initialises one device once (idempotent, cached); throws an Error saying why it cannot run here. */
export function initDevice(device: Device): Promise<void> {
  if (!isTfDevice(device)) return Promise.reject(new Error(`tfjs does not serve device '${device}' (it serves ${TF_DEVICES.join(', ')})`));
  let p = initialised.get(device);
  if (!p) {
    p = initBackend(device);
    initialised.set(device, p);
  }
  return p;
}

/**
 * Makes `device`'s tfjs backend the active one, synchronously (tfjs has one global active backend).
 * Call after `await initDevice(device)` and issue the graph's ops in the same synchronous stretch:
 * any await in between lets another graph switch the backend.
 */
export function activateSync(device: TfDevice): void {
  const name = TF_BACKEND[device];
  if (tf.getBackend() !== name) void tf.setBackend(name); // initialised already: the switch happens before it returns
  if (tf.getBackend() !== name) throw new Error(`could not make tfjs backend '${name}' active`);
}
