/**
 * Per-element costs of the selective scan, shared by benchmarks/scan.ts and benchmarks/cpu.ts:
 * our WebAssembly kernel (@dpmambair/scan-wasm), onnxruntime's com.microsoft.LinearAttention (the
 * ONNX lowering, one-node model on the CPU EP), and a plain C loop (benchmarks/scan-loop.c) when
 * gcc is here. One element = one (token, channel, state). Shapes, inputs and the timing loop are
 * in scan-inputs.ts (re-exported here), which the Chromium page of scan-browser.ts bundles too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { emitOnnx, GraphBuilder, ParamStore } from '@dpmambair/core';
import type { ScanKernel } from '@dpmambair/scan-wasm';
import * as ort from 'onnxruntime-node';
import { elements, repeatsFor, scanInputs, timeBest, type ScanShape } from './scan-inputs.js';

export { elements, repeatsFor, scanInputs, scanShapes, shapeKey, timeBest, type ScanShape } from './scan-inputs.js';

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
 * the process, so on one thread it is the kernel's cost however busy the machine is. y goes into a
 * fresh array, or with `reuseOut` into one array each call (as the segment runner has the kernel
 * write y into delta's array where nothing reads delta later).
 */
export async function kernelCost(kernel: ScanKernel, shape: ScanShape, reuseOut = false): Promise<{ wall: number; cpu: number }> {
  const [x, delta, A, B, C, D] = scanInputs(shape);
  const out = reuseOut ? new Float32Array(x.data.length) : undefined;
  let cpuMs = Infinity;
  const ms = await timeBest(async () => {
    const start = process.cpuUsage();
    await kernel.scan(x, delta, A, B, C, D, out);
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

/**
 * benchmarks/results/scan.md holds Node's table (benchmarks/scan.ts) and a Chromium section
 * (benchmarks/scan-browser.ts) between these markers; each script rewrites only its own part.
 */
const CHROMIUM_BEGIN = '<!-- chromium: written by benchmarks/scan-browser.ts -->';
const CHROMIUM_END = '<!-- /chromium -->';

/** The Chromium section of scan.md's text (markers included), or '' when it has none. */
export function chromiumSection(text: string): string {
  const at = text.indexOf(CHROMIUM_BEGIN);
  const end = text.indexOf(CHROMIUM_END, at);
  return at >= 0 && end >= 0 ? text.slice(at, end + CHROMIUM_END.length) : '';
}

/** Wraps the lines of a Chromium section in its markers. */
export const markChromiumSection = (lines: string[]) => [CHROMIUM_BEGIN, ...lines, CHROMIUM_END].join('\n');
