import {
  compileSegmented, emitOnnx, initOncePerDevice, OnnxGraphBuilder, registerBackend, type Backend, type CompiledGraph, type Device, type Graph, type Tensor,
} from '@dpmambair/core';
import { kernelHostOps, kernels, type ScanKernel } from '@dpmambair/scan-wasm';
import * as ort from 'onnxruntime-node';

const EXECUTION_PROVIDER: Partial<Record<Device, string>> = { cuda: 'cuda', cpu: 'cpu' };

/** A one-node model used to prove an execution provider can really run here. */
function probeModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.input('x', [1]);
  g.identityAs('x', 'y');
  g.output('y', [1]);
  return g.toBytes('probe');
}

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
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: [ep], logSeverityLevel: 4 });
    await session.release();
  } catch (e) {
    const hint = device === 'cuda'
      ? ' (needs an NVIDIA GPU with CUDA 12 and onnxruntime-node installed with --onnxruntime-node-install=cuda12)'
      : '';
    throw new Error(`${ep} execution provider failed to start: ${(e as Error).message.split('\n')[0]}${hint}`);
  }
}

const toOrt = (t: Tensor) => new ort.Tensor('float32', t.data, t.shape);
const fromOrt = (t: ort.Tensor): Tensor => ({ shape: [...t.dims], data: t.data as Float32Array });

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
      const compileOnnx = async (g: Graph, segment = false): Promise<CompiledGraph> => {
        const session = await ort.InferenceSession.create(emitOnnx(g, params), {
          executionProviders: [EXECUTION_PROVIDER[device]!],
          logSeverityLevel: 3,
          graphOptimizationLevel: 'all',
          // Each segment is its own session: with onnxruntime's CPU arena, every one of them would
          // keep its own peak of activations (small at 512²: 3.1 GB peak RSS with it, 1.1 GB without).
          // Its intra-op threads must not spin after a run either: the scan kernel's threads run
          // next on the same cores (small at 512², loaded machine: 2.8 s of CPU per tile, was 3.9 s).
          ...(segment ? { enableCpuMemArena: false, extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
          ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
        });
        return {
          async run(inputs) {
            const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, toOrt(t)]));
            const out = await session.run(feeds);
            return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrt(t)]));
          },
          dispose: () => session.release(),
        };
      };
      const scans = graph.nodes.some((n) => n.op === 'selectiveScan');
      if (device !== 'cpu' || scan === 'linearAttention' || !scans) return compileOnnx(graph);
      return compileSegmented(graph, params, { hostOps: kernelHostOps(await sharedKernel()), compileSegment: (g) => compileOnnx(g, true) });
    },
  };
}

const init = initOncePerDevice(probe);
export const onnxNodeBackend = createOnnxNodeBackend();

registerBackend(onnxNodeBackend);
