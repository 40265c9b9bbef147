import * as tf from '@tensorflow/tfjs-core';
import { kernels as scanWasmKernels, type SyncKernelEntry } from '@dpmambair/scan-wasm';
import { scanShape, selectiveScanJS, type ScanShape } from './js.js';
import { webglScanPrograms } from './webgl.js';
import { webgpuScanPrograms } from './webgpu.js';

/** The tfjs kernel name of the selective scan (registered once per tfjs backend). */
export const SCAN_KERNEL = 'DpmSelectiveScan';

/** How one CPU tfjs backend runs the scan, and why that one. */
export interface CpuScan {
  /** What runs and why, e.g. for SCAN_IMPLEMENTATION and logs. */
  readonly implementation: string;
  readonly kernel: 'wasm-simd' | 'js';
  scanInto(x: Float32Array, delta: Float32Array, A: Float32Array, B: Float32Array, C: Float32Array, D: Float32Array, s: ScanShape, out: Float32Array): void;
}

/**
 * Our WebAssembly kernel (the registry's entry for the device) where it can run; the JS recurrence
 * only where it cannot (no WebAssembly SIMD), saying why, once, on the console: it is ~10x slower.
 * `over` names what the operands are (copies of the backend's arrays, views of the wasm heap).
 */
export function chooseCpuScan(entry: SyncKernelEntry, over: string): CpuScan {
  const whyNot = entry.unsupportedReason();
  if (!whyNot) {
    const kernel = entry.create();
    return {
      implementation: `${entry.description}, operands copied in from ${over} (chosen: this engine has WebAssembly SIMD)`,
      kernel: 'wasm-simd',
      scanInto: (x, delta, A, B, C, D, s, out) => kernel.scanInto(x, delta, A, B, C, D, s, out),
    };
  }
  const fallback = jsScan(over, `the fallback, chosen because our WebAssembly kernel cannot run here: ${whyNot}`);
  console.warn(`@dpmambair/backend-tf ${entry.device}: selective scan on the ${fallback.implementation}`);
  return fallback;
}

/** The JS recurrence; `why` says why it runs. */
function jsScan(over: string, why: string): CpuScan {
  return {
    implementation: `JS kernel: sequential recurrence on ${over} (${why})`,
    kernel: 'js',
    scanInto: (x, delta, A, B, C, D, s, out) => { selectiveScanJS(x, delta, A, B, C, D, s.batch, s.L, s.Di, s.N, out); },
  };
}

/**
 * Which scan the CPU tfjs backends run. 'kernel' (default): our WebAssembly kernel where it runs,
 * else the JS recurrence. 'js': the JS recurrence always, so the fallback passes the same
 * conformance suite as the kernel (createTfBackend({ scan: 'js' })). GPU backends ignore it.
 */
export type TfScan = 'kernel' | 'js';

const OVER = { cpu: 'the backend arrays', wasm: 'views of the wasm heap' } as const;
const cpuScans: { cpu?: CpuScan; wasm?: CpuScan } = {};
const jsScans = { cpu: jsScan(OVER.cpu, "chosen by createTfBackend({ scan: 'js' })"), wasm: jsScan(OVER.wasm, "chosen by createTfBackend({ scan: 'js' })") };
/** Chosen on first use per tfjs backend: nothing is probed at import. */
const cpuScan = (backend: 'cpu' | 'wasm', scan: TfScan = 'kernel'): CpuScan =>
  scan === 'js' ? jsScans[backend] : (cpuScans[backend] ??= chooseCpuScan(scanWasmKernels.sync(`tf-${backend}`, 'selectiveScan'), OVER[backend]));
/** The scan a kernel call asked for (the op's `scan` attribute). */
const scanOf = (attrs: tf.NamedAttrMap | undefined): TfScan => (attrs?.scan === 'js' ? 'js' : 'kernel');

/** How the scan runs on each tfjs backend (cpu and wasm: decided on first read, nothing is probed at import). */
export const SCAN_IMPLEMENTATION = {
  get cpu() { return cpuScan('cpu').implementation; },
  get wasm() { return cpuScan('wasm').implementation; },
  webgl: 'WebGL2 fragment programs: chunked scan in 4 passes (chunk sums, local states, carries, output)',
  webgpu: 'WebGPU compute programs: chunked scan in 3 passes (local states, carry, output), N states in registers',
};

type Inputs = { x: tf.TensorInfo; delta: tf.TensorInfo; A: tf.TensorInfo; B: tf.TensorInfo; C: tf.TensorInfo; D: tf.TensorInfo };
// The tfjs backend objects are typed loosely here: importing their classes would load the backend
// packages eagerly, and only init(device) may do that.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyBackend = any;

const order = (i: Inputs) => [i.x, i.delta, i.A, i.B, i.C, i.D] as const;

function shapeOf(i: Inputs): ScanShape {
  return scanShape(i.x.shape, i.delta.shape, i.A.shape, i.B.shape, i.C.shape, i.D.shape);
}

function runOnCopies(backend: AnyBackend, inputs: Inputs, out: Float32Array, scan: TfScan): ScanShape {
  const s = shapeOf(inputs);
  const [x, delta, A, B, C, D] = order(inputs).map((t) => backend.readSync(t.dataId) as Float32Array);
  cpuScan('cpu', scan).scanInto(x, delta, A, B, C, D, s, out);
  return s;
}

const kernels: Record<string, tf.KernelFunc> = {
  cpu: ({ inputs, backend, attrs }) => {
    const i = inputs as unknown as Inputs;
    const out = new Float32Array(i.x.shape.reduce((a, b) => a * b, 1));
    runOnCopies(backend, i, out, scanOf(attrs));
    return (backend as AnyBackend).makeTensorInfo(i.x.shape, 'float32', out);
  },
  wasm: ({ inputs, backend, attrs }) => {
    const i = inputs as unknown as Inputs;
    const b = backend as AnyBackend;
    const s = shapeOf(i);
    // Read the operands as views of the wasm heap (no copies), then allocate and fill the output.
    const view = (t: tf.TensorInfo) => b.typedArrayFromHeap(t) as Float32Array;
    const out = b.makeOutput(i.x.shape, 'float32');
    const [x, delta, A, B, C, D] = order(i).map(view);
    cpuScan('wasm', scanOf(attrs)).scanInto(x, delta, A, B, C, D, s, view(out));
    return out;
  },
  webgl: ({ inputs, backend }) => {
    const i = inputs as unknown as Inputs;
    const b = backend as AnyBackend;
    const p = webglScanPrograms(shapeOf(i));
    const sums = b.runWebGLProgram(p.sumDt, [i.delta], 'float32');
    const local = b.runWebGLProgram(p.local, [i.x, i.delta, i.A, i.B], 'float32');
    const start = b.runWebGLProgram(p.carry, [local, sums, i.A], 'float32');
    const y = b.runWebGLProgram(p.output, [...order(i), start], 'float32');
    for (const t of [sums, local, start]) b.disposeIntermediateTensorInfo(t);
    return y;
  },
  webgpu: ({ inputs, backend }) => {
    const i = inputs as unknown as Inputs;
    const b = backend as AnyBackend;
    const p = webgpuScanPrograms(shapeOf(i));
    const local = b.runWebGPUProgram(p.local, [i.x, i.delta, i.A, i.B], 'float32');
    const start = b.runWebGPUProgram(p.carry, [local, i.A], 'float32');
    const y = b.runWebGPUProgram(p.output, [...order(i), start], 'float32');
    for (const t of [local, start]) b.disposeData(t.dataId);
    return y;
  },
};

/** Fallback for any other tfjs backend: download, run on the CPU, upload. */
const downloadKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const i = inputs as unknown as Inputs;
  const out = new Float32Array(i.x.shape.reduce((a, b) => a * b, 1));
  runOnCopies(backend, i, out, scanOf(attrs));
  return (backend as AnyBackend).makeTensorInfo(i.x.shape, 'float32', out);
};

/** Registers the scan kernel for one tfjs backend (once). */
export function registerScanKernels(backendName: string): void {
  if (tf.getKernel(SCAN_KERNEL, backendName)) return;
  tf.registerKernel({ kernelName: SCAN_KERNEL, backendName, kernelFunc: kernels[backendName] ?? downloadKernel });
}

/** The scan as a tfjs op: x, delta (batch, L, Di); A (Di, N); B, C (batch, L, N); D (Di) -> y (batch, L, Di). */
export function selectiveScan(x: tf.Tensor, delta: tf.Tensor, A: tf.Tensor, B: tf.Tensor, C: tf.Tensor, D: tf.Tensor, scan: TfScan = 'kernel'): tf.Tensor {
  const backendName = tf.getBackend();
  if (!tf.getKernel(SCAN_KERNEL, backendName)) registerScanKernels(backendName);
  return tf.engine().runKernel(SCAN_KERNEL, { x, delta, A, B, C, D } as unknown as tf.NamedTensorMap, { scan }) as tf.Tensor;
}
