/**
 * What the two onnxruntime backends share (backend-cuda on onnxruntime-node, backend-webgpu on
 * onnxruntime-web): tensor conversion, session options, the availability probe, a compiled graph
 * over one session, and the names of onnxruntime-web's wasm files. Written against the part of
 * onnxruntime's API that both packages re-export from onnxruntime-common, as structural types, so
 * core keeps no runtime dependency and neither backend re-implements this.
 */
import type { CompiledGraph } from '../backend/backend.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Tensor } from '../tensor.js';
import { ParamStore } from '../weights/params.js';
import { emitOnnx } from './emit.js';

/** The wasm file each onnxruntime-web build instantiates: the WebGPU build (asyncify) and the plain one. */
export const ORT_WASM_FILES = { webgpu: 'ort-wasm-simd-threaded.asyncify.wasm', wasm: 'ort-wasm-simd-threaded.wasm' } as const;
export type OrtWasmFile = (typeof ORT_WASM_FILES)[keyof typeof ORT_WASM_FILES];

/** onnxruntime-common's Tensor, as far as the backends use it. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The onnxruntime module (onnxruntime-node or onnxruntime-web), as far as the backends use it. */
export interface OrtRuntime {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
}

/** The session options the backends set (a subset of onnxruntime-common's InferenceSession.SessionOptions). */
export interface OrtSessionOptions {
  executionProviders: string[];
  graphOptimizationLevel: 'all';
  logSeverityLevel: 0 | 1 | 2 | 3 | 4;
  enableCpuMemArena?: boolean;
  intraOpNumThreads?: number;
  extra?: Record<string, unknown>;
}

export interface SessionChoice {
  /** onnxruntime's execution provider name: 'cpu', 'cuda', 'wasm', 'webgpu'. */
  executionProvider: string;
  /** A segment of a partitioned graph (core's compileSegmented) rather than a whole graph. */
  segment?: boolean;
  /** onnxruntime intra-op threads per session (default: onnxruntime's). */
  intraOpNumThreads?: number;
  /**
   * Whether a segment session's intra-op threads may spin-wait after a run (default: onnxruntime's,
   * they do). onnxruntime-node turns it off: the scan kernel's threads run next on the same cores.
   */
  segmentSpinning?: boolean;
  /**
   * Whether the session keeps onnxruntime's CPU memory arena (default: yes, except segments). A
   * session that runs once per image (the extractor) would hold its peak there for the rest of the
   * process, out of reach of the sessions that run next.
   */
  cpuArena?: boolean;
}

/** Session options for one model: every graph optimisation, warnings and errors only from onnxruntime's log. */
export function ortSessionOptions({ executionProvider, segment = false, intraOpNumThreads, segmentSpinning = true, cpuArena = !segment }: SessionChoice): OrtSessionOptions {
  return {
    executionProviders: [executionProvider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Each segment is its own session: with onnxruntime's CPU arena, every one of them would keep
    // its own peak of activations (small at 512² on onnxruntime-node: 3.1 GB peak RSS with it, 1.1 GB
    // without; in onnxruntime-web all sessions share one wasm heap, which never shrinks).
    ...(cpuArena ? {} : { enableCpuMemArena: false }),
    // A segment's intra-op threads must not spin after a run where the scan kernel's threads run
    // next on the same cores (small at 512² on onnxruntime-node, loaded machine: 2.8 s of CPU per
    // tile, was 3.9 s).
    ...(segment && !segmentSpinning ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    ...(intraOpNumThreads ? { intraOpNumThreads } : {}),
  };
}

/** Core tensors as onnxruntime feeds (the data is shared, not copied). */
export function toOrtFeeds(ort: OrtRuntime, inputs: Record<string, Tensor>): Record<string, OrtTensor> {
  return Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.shape)]));
}

/** onnxruntime outputs as core tensors; anything but float32 is refused, naming the runtime and output. */
export function fromOrtOutputs(outputs: Record<string, OrtTensor>, runtime: string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(outputs).map(([name, t]) => {
    if (t.type !== 'float32') throw new Error(`${runtime} returned a ${t.type} tensor for '${name}', expected float32`);
    return [name, { shape: [...t.dims], data: t.data as Float32Array }];
  }));
}

/**
 * One graph on one session. `serialise`: one run at a time (onnxruntime-web rejects overlapping
 * runs of a session; onnxruntime-node runs them concurrently).
 */
export function ortCompiledGraph(ort: OrtRuntime, session: OrtSession, runtime: string, { serialise = false } = {}): CompiledGraph {
  const runOnce = async (inputs: Record<string, Tensor>) => fromOrtOutputs(await session.run(toOrtFeeds(ort, inputs)), runtime);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run(inputs) {
      if (!serialise) return runOnce(inputs);
      const result = queue.then(() => runOnce(inputs));
      queue = result.catch(() => undefined);
      return result;
    },
    async dispose() {
      await queue;
      await session.release();
    },
  };
}

/** Why a runtime failed its probe: it could not create a session ('start') or run the probe model ('run'). */
export class OrtProbeError extends Error {
  constructor(readonly stage: 'start' | 'run', readonly detail: string) {
    super(`${stage === 'start' ? 'failed to start' : 'started but could not run the selective scan (com.microsoft.LinearAttention)'}: ${detail}`);
    this.name = 'OrtProbeError';
  }
}

/** A one-scan model (L = 2): it loads only where the runtime starts and LinearAttention has a kernel. */
function probeModel(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('x', [1, 2, 1]);
  const y = g.selectiveScan(x, g.input('delta', [1, 2, 1]), g.param('A', [1, 1]), g.input('B', [1, 2, 1]), g.input('C', [1, 2, 1]), g.param('D', [1]));
  g.output('y', y);
  const params = new ParamStore();
  params.set('A', [1, 1], Float32Array.of(-1));
  params.set('D', [1], Float32Array.of(1));
  return emitOnnx(g.build(), params, { name: 'probe' });
}

/**
 * Proves that `ort` can really run here with these options: creates a session for a one-scan model
 * and runs it once. Throws an OrtProbeError with onnxruntime's first message line.
 */
export async function probeOrt(ort: OrtRuntime, options: OrtSessionOptions): Promise<void> {
  const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(probeModel(), options);
  } catch (e) {
    throw new OrtProbeError('start', firstLine(e));
  }
  try {
    const two = (v: number) => new ort.Tensor('float32', Float32Array.of(v, v), [1, 2, 1]);
    await session.run({ x: two(1), delta: two(0.5), B: two(1), C: two(1) });
  } catch (e) {
    throw new OrtProbeError('run', firstLine(e));
  } finally {
    await session.release();
  }
}
