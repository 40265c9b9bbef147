/**
 * Per-element costs of the selective scan, shared by benchmarks/scan.ts and benchmarks/cpu.ts:
 * our WebAssembly kernel (@dpmambair/scan-wasm), onnxruntime's com.microsoft.LinearAttention (the
 * ONNX lowering, one-node model on the CPU EP), and a plain C loop (benchmarks/scan-loop.c) when
 * gcc is here. One element = one (token, channel, state).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildRestorerGraph, emitOnnx, GraphBuilder, ParamStore, seededRandom, tensor, type ModelConfig, type Tensor } from '@dpmambair/core';
import type { ScanKernel } from '@dpmambair/scan-wasm';
import * as ort from 'onnxruntime-node';

export interface ScanShape { tokens: number; channels: number; states: number }
export const shapeKey = ({ tokens, channels, states }: ScanShape) => `${tokens}/${channels}/${states}`;
export const elements = ({ tokens, channels, states }: ScanShape) => tokens * channels * states;

/** Every distinct selectiveScan shape of the restorer on one square tile. */
export function scanShapes(config: ModelConfig, side: number): ScanShape[] {
  const shapes = new Map<string, ScanShape>();
  for (const node of buildRestorerGraph(config, { size: [side, side] }).nodes) {
    if (node.op !== 'selectiveScan') continue;
    const shape = { tokens: node.x.shape[1] as number, channels: node.x.shape[2] as number, states: node.A.shape[1] as number };
    shapes.set(shapeKey(shape), shape);
  }
  return [...shapes.values()];
}

export async function timeBest(run: () => Promise<unknown> | unknown, repeats: number): Promise<number> {
  await run(); // warm-up
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Seeded inputs in Mamba's ranges: delta in (0.001, 0.101), A in (-1 - N, -1). Order: x, delta, A, B, C, D. */
export function scanInputs({ tokens, channels, states }: ScanShape): Tensor[] {
  const rand = seededRandom(7);
  const fill = (shape: number[], f: (v: number) => number) => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => f(rand())));
  return [
    fill([1, tokens, channels], (v) => v - 0.5),
    fill([1, tokens, channels], (v) => 0.001 + 0.1 * v),
    fill([channels, states], (v) => -1 - v * states),
    fill([1, tokens, states], (v) => v),
    fill([1, tokens, states], (v) => v),
    fill([channels], (v) => v),
  ];
}

const repeatsFor = (shape: ScanShape) => (elements(shape) > 5e7 ? 2 : 4);

/** ns/element of com.microsoft.LinearAttention, as core's ONNX emitter lowers the scan, on ORT's CPU EP. */
export async function linearAttentionNs(shape: ScanShape): Promise<number> {
  const { tokens, channels, states } = shape;
  const [x, delta, A, B, C, D] = scanInputs(shape);
  const g = new GraphBuilder();
  const params = new ParamStore();
  params.set('A', A.shape, A.data);
  params.set('D', D.shape, D.data);
  const ins = { x: g.input('x', [1, tokens, channels]), delta: g.input('delta', [1, tokens, channels]), B: g.input('B', [1, tokens, states]), C: g.input('C', [1, tokens, states]) };
  g.output('y', g.selectiveScan(ins.x, ins.delta, g.param('A', A.shape), ins.B, ins.C, g.param('D', D.shape)));
  const session = await ort.InferenceSession.create(emitOnnx(g.build(), params), { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  const feeds = Object.fromEntries(Object.entries({ x, delta, B, C }).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.shape)]));
  const ms = await timeBest(() => session.run(feeds), repeatsFor(shape));
  await session.release();
  return (ms * 1e6) / elements(shape);
}

/** ns/element of our kernel, the whole call (inputs copied in, y copied out) as the segment runner pays it. */
export async function kernelNs(kernel: ScanKernel, shape: ScanShape): Promise<number> {
  return (await kernelCost(kernel, shape)).wall;
}

/**
 * Wall and CPU ns/element of our kernel (best of the repeats). CPU time counts every thread of
 * the process, so on one thread it is the kernel's cost however busy the machine is.
 */
export async function kernelCost(kernel: ScanKernel, shape: ScanShape): Promise<{ wall: number; cpu: number }> {
  const [x, delta, A, B, C, D] = scanInputs(shape);
  let cpuMs = Infinity;
  const ms = await timeBest(async () => {
    const start = process.cpuUsage();
    await kernel.scan(x, delta, A, B, C, D);
    const used = process.cpuUsage(start);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }, repeatsFor(shape));
  return { wall: (ms * 1e6) / elements(shape), cpu: (cpuMs * 1e6) / elements(shape) };
}

let loopBinary: string | null | undefined;

/** ns/element of the plain C loop on one thread, or undefined where gcc is missing. */
export function plainLoopNs(shape: ScanShape): number | undefined {
  if (loopBinary === undefined) {
    try {
      loopBinary = `${mkdtempSync(`${os.tmpdir()}/scan-loop-`)}/scan-loop`;
      execFileSync('gcc', ['-O3', '-march=native', '-o', loopBinary, fileURLToPath(new URL('scan-loop.c', import.meta.url))], { stdio: 'pipe' });
    } catch {
      loopBinary = null;
    }
  }
  if (!loopBinary) return undefined;
  const out = execFileSync(loopBinary, [shape.tokens, shape.channels, shape.states].map(String), { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`;
}

/** What else ran: the 1-minute load average before the run and the busiest other processes. */
export function load(): string {
  let top = '';
  try {
    top = execFileSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' })
      .split('\n').slice(0, 6).map((l) => l.trim()).filter((l) => l && !l.endsWith(' ps') && parseFloat(l) >= 5).join('; ');
  } catch { /* ps missing: load average only */ }
  return `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}${top ? `; busiest processes (%CPU, name): ${top}` : ''}`;
}
