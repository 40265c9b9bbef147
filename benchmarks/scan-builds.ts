/**
 * Two builds of the scan kernel side by side, in one process, at every scan shape of `small` (512²
 * tile) and `paper` (256²): the workspace's @dpmambair/scan-wasm against another build's Node entry,
 * e.g. a copy of packages/scan-wasm/dist taken before a change:
 *
 *   cp -r packages/scan-wasm/dist /tmp/scan-before     # before the change
 *   npx turbo run build --filter=@dpmambair/scan-wasm   # after it
 *   npx tsx benchmarks/scan-builds.ts /tmp/scan-before [rounds]
 *
 * Whole calls as the segment runner pays them (inputs copied in, y out into a fresh array), on 1 and
 * 2 threads, and this build on 2 threads writing y into an array the caller reuses (`out`); the
 * kernels take turns in each round, so load that comes and goes hits both builds alike. Prints the
 * median and best ns per (token, channel, state) and ratios of medians.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getConfig } from '@dpmambair/core';
import * as current from '@dpmambair/scan-wasm';
import { elements, scanInputs, scanShapes, shapeKey } from './scan-inputs.js';
import { load, machine } from './scan-costs.js';

const [otherDir, roundsArg] = process.argv.slice(2);
if (!otherDir) {
  console.error('usage: npx tsx benchmarks/scan-builds.ts <other build dist dir> [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const other: typeof current = await import(pathToFileURL(resolve(otherDir, 'node.js')).href);

console.log(`Machine: ${machine()}. Load before: ${load()}.`);
const kernels: { name: string; reuseOut: boolean; kernel: Awaited<ReturnType<typeof current.createScanKernel>> }[] = [];
for (const threads of [1, 2]) {
  kernels.push({ name: `other ${threads}t`, reuseOut: false, kernel: await other.createScanKernel({ threads }) });
  kernels.push({ name: `this ${threads}t`, reuseOut: false, kernel: await current.createScanKernel({ threads }) });
}
kernels.push({ name: 'this 2t, y into a reused array', reuseOut: true, kernel: kernels[3].kernel });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`| config | tokens/channels/states | ${kernels.map((k) => `${k.name} median (best)`).join(' | ')} | other / this, 1t | other / this, 2t | other 2t / this 2t reused y | max abs diff |`);
console.log(`| --- | --- | ${kernels.map(() => '---').join(' | ')} | --- | --- | --- | --- |`);
for (const [config, side] of [['small', 512], ['paper', 256]] as const) {
  for (const shape of scanShapes(getConfig(config), side)) {
    const [x, delta, A, B, C, D] = scanInputs(shape);
    const out = new Float32Array(x.data.length);
    const call = ({ kernel, reuseOut }: (typeof kernels)[number]) => kernel.scan(x, delta, A, B, C, D, reuseOut ? out : undefined);
    const ys = [];
    for (const k of kernels) ys.push((await call(k)).data.slice()); // warm-up
    let diff = 0;
    for (const y of ys) for (let i = 0; i < y.length; i++) diff = Math.max(diff, Math.abs(y[i] - ys[0][i]));
    const ms: number[][] = kernels.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (const [i, k] of kernels.entries()) {
        const t = performance.now();
        await call(k);
        ms[i].push(performance.now() - t);
      }
    }
    const ns = (v: number) => ((v * 1e6) / elements(shape)).toFixed(3);
    const ratio = (a: number, b: number) => `${(median(ms[a]) / median(ms[b])).toFixed(2)}x`;
    console.log(`| ${config} | ${shapeKey(shape)} | ${ms.map((v) => `${ns(median(v))} (${ns(Math.min(...v))})`).join(' | ')} | ${ratio(0, 1)} | ${ratio(2, 3)} | ${ratio(2, 4)} | ${diff.toExponential(1)} |`);
  }
}
await Promise.all(kernels.slice(0, 4).map(({ kernel }) => kernel.dispose()));
console.log(`Load after: ${load()}.`);
