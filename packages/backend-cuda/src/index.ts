import {
  compileSegmented, emitOnnx, emitOptionsFor, initOncePerDevice, ortCompiledGraph, ortSessionOptions, OrtProbeError, probeOrt, registerBackend,
  type Backend, type CompiledGraph, type Device, type Graph, type OrtRuntime,
} from '@dpmambair/core';
import { kernelHostOps, kernels, type ScanKernel } from '@dpmambair/scan-wasm';
import * as ort from 'onnxruntime-node';

const EXECUTION_PROVIDER: Partial<Record<Device, string>> = { cuda: 'cuda', cpu: 'cpu' };
const runtime: OrtRuntime = ort;

async function probe(device: Device): Promise<void> {
  // A failed CUDA probe makes onnxruntime print a native error to stderr; the same reason reaches
  // the caller as an exception, so keep onnxruntime's own logger to fatal errors unless the user
  // chose a level.
  if (ort.env.logLevel === undefined || ort.env.logLevel === 'warning') ort.env.logLevel = 'fatal';
  const ep = EXECUTION_PROVIDER[device];
  if (!ep) throw new Error(`onnxruntime-node does not serve device '${device}'`);
  if (device === 'cuda') {
    const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
    if (!cuda) throw new Error('this onnxruntime-node build has no CUDA execution provider');
  }
  try {
    await probeOrt(runtime, { ...ortSessionOptions({ executionProvider: ep }), logSeverityLevel: 4 });
  } catch (e) {
    if (!(e instanceof OrtProbeError)) throw e;
    const hint = device === 'cuda' && e.stage === 'start'
      ? ' (needs an NVIDIA GPU with CUDA 12 and onnxruntime-node installed with --onnxruntime-node-install=cuda12)'
      : '';
    throw new Error(`${ep} execution provider ${e.message}${hint}`);
  }
}

export interface NodeBackendOptions {
  /** onnxruntime intra-op threads per session (default: onnxruntime's, one per physical core). Several processes on one machine set it so that processes x threads <= cores. */
  intraOpNumThreads?: number;
}

const options: NodeBackendOptions = {};

/** Sets session options for the sessions compiled from now on. */
export function configure(next: NodeBackendOptions): void {
  const n = next.intraOpNumThreads;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new Error(`configure: intraOpNumThreads must be a positive integer, got ${n}`);
  Object.assign(options, next);
}

/**
 * How the selective scan runs on device `cpu`. 'kernel' (default): our WebAssembly kernel
 * (@dpmambair/scan-wasm) between ONNX segments (core's compileSegmented), because
 * onnxruntime's CPU LinearAttention is scalar at these head sizes. 'linearAttention': the whole
 * graph as one ONNX model with com.microsoft.LinearAttention, kept so both can be timed in one run.
 * `cuda` always uses LinearAttention (onnxruntime's GPU kernel).
 */
export type ScanLowering = 'kernel' | 'linearAttention';

let kernel: Promise<ScanKernel> | undefined;
/** One kernel per process (its threads are shared by every session; calls run one at a time). */
const sharedKernel = () => (kernel ??= kernels.async('cpu', 'selectiveScan').create(options.intraOpNumThreads ? { threads: options.intraOpNumThreads } : {}));

/** A backend over onnxruntime-node; `onnxNodeBackend` (registered) is `createOnnxNodeBackend()`. */
export function createOnnxNodeBackend({ scan = 'kernel' }: { scan?: ScanLowering } = {}): Backend {
  return {
    name: 'onnxruntime-node',
    devices: ['cuda', 'cpu'],
    init,
    async compile(graph, params, device) {
      await this.init(device);
      const scans = graph.nodes.some((n) => n.op === 'selectiveScan');
      const compileOnnx = async (g: Graph, segment = false): Promise<CompiledGraph> => {
        const session = await ort.InferenceSession.create(emitOnnx(g, params, emitOptionsFor(EXECUTION_PROVIDER[device]!)), ortSessionOptions({
          executionProvider: EXECUTION_PROVIDER[device]!, segment, segmentSpinning: false, intraOpNumThreads: options.intraOpNumThreads,
          // On the CPU a graph without scans (the extractor, run once per image) keeps no arena: its
          // peak goes back to the allocator the tiles draw from (small at 2048², measured with tiles of 288: peak
          // RSS 630-705 MB, 821-856 with the arena; benchmarks/results/cpu.md).
          ...(device === 'cpu' && !scans ? { cpuArena: false } : {}),
        }));
        return ortCompiledGraph(runtime, session, 'onnxruntime-node');
      };
      if (device !== 'cpu' || scan === 'linearAttention' || !scans) return compileOnnx(graph);
      return compileSegmented(graph, params, { hostOps: kernelHostOps(await sharedKernel()), compileSegment: (g) => compileOnnx(g, true) });
    },
  };
}

const init = initOncePerDevice(probe);
export const onnxNodeBackend = createOnnxNodeBackend();

registerBackend(onnxNodeBackend);
