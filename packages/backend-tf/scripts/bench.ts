/**
 * Times the restorer (and extractor) of the tiny and small configs at 256x256 on tf-cpu and tf-wasm
 * in Node, and the scan kernel alone. Wall time (median) and this process's CPU time (median; less
 * disturbed by other load on a shared machine: tfjs runs single-threaded in Node).
 *   node --import tsx scripts/bench.ts [--sizes 256] [--configs tiny,small] [--devices tf-cpu,tf-wasm] [--runs 3] [--layout nhwc|nchw] [--no-scan]
 */
import { getConfig, openModelSession, prepareModel, randomParams, seededRandom, type Tensor } from '@dpmambair/core';
import * as tf from '@tensorflow/tfjs-core';
import { configure, selectiveScan, tfBackend } from '../src/index.js';
import { quietTfjs } from '../src/testing/quiet.js';

quietTfjs();
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '256').split(',').map(Number);
const configs = arg('configs', 'tiny,small').split(',');
const devices = arg('devices', 'tf-cpu,tf-wasm').split(',') as ('tf-cpu' | 'tf-wasm')[];
const runs = Number(arg('runs', '3'));
const layout = arg('layout', 'nhwc') as 'nhwc' | 'nchw';
configure({ layout });
const skipScan = process.argv.includes('--no-scan');

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rand = seededRandom(1);
const img = (h: number, w: number): Tensor => ({ shape: [1, 3, h, w], data: Float32Array.from({ length: 3 * h * w }, () => rand()) });

for (const device of devices) {
  await tfBackend.init(device);
  for (const name of configs) {
    const config = getConfig(name);
    const model = prepareModel(config, randomParams(config, 1));
    const session = await openModelSession(tfBackend, model, device);
    for (const size of sizes) {
      const image = img(size, size);
      const embedding = await session.embed(image);
      await session.restore(image, embedding); // warm-up
      const times: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await session.restore(image, embedding);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        times.push(performance.now() - t0);
      }
      const e0 = performance.now();
      await session.embed(image);
      const embedMs = performance.now() - e0;
      console.log(JSON.stringify({ device, layout, config: name, size, restoreMs: Math.round(median(times)), restoreRunsMs: times.map(Math.round), restoreCpuMs: Math.round(median(cpu)), embedMs: Math.round(embedMs) }));
    }
    await session.dispose();
  }
  if (skipScan) continue;
  // The scan kernel alone at the full-resolution shape of the small model at 256x256.
  await tf.setBackend(device === 'tf-cpu' ? 'cpu' : 'wasm');
  const [L, Di, N] = [65536, 32, 4];
  const t = (shape: number[], f: () => number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), shape);
  const ops = [t([1, L, Di], () => rand() - 0.5), t([1, L, Di], () => 0.001 + 0.1 * rand()), t([Di, N], () => -1 - 3 * rand()), t([1, L, N], () => rand() - 0.5), t([1, L, N], () => rand() - 0.5), t([Di], () => 1)] as const;
  selectiveScan(...ops).dispose();
  const s0 = performance.now();
  const y = selectiveScan(...ops);
  await y.data();
  const ms = performance.now() - s0;
  console.log(JSON.stringify({ device, scan: { L, Di, N }, ms: Math.round(ms), nsPerElement: +((ms * 1e6) / (L * Di * N)).toFixed(1) }));
  tf.dispose([...ops, y]);
}
