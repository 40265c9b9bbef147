/**
 * The selective-scan kernel against com.microsoft.LinearAttention, at every scan shape of `small`
 * (a 512² tile: the shapes issue 12 names; the default tile is 280² now, whose scans are ~3.3x
 * shorter) and `paper` (256²), in one run:
 *
 *   npx turbo run build --filter=@dpmambair/scan-wasm && npx tsx benchmarks/scan.ts
 *
 * Prints ns per (token, channel, state) for the kernel on 1 and 2 threads (whole call, copies
 * included; y into a fresh array, and on 2 threads also into a reused one), LinearAttention on
 * onnxruntime's default threads, and the plain C loop on one thread (benchmarks/scan-loop.c, when
 * gcc is here). Writes benchmarks/results/scan.md (keeping its Chromium
 * section, which benchmarks/scan-browser.ts writes) and scan.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getConfig } from '@dpmambair/core';
import { createScanKernel } from '@dpmambair/scan-wasm';
import { chromiumSection, elements, kernelCost, linearAttentionNs, load, machine, plainLoopNs, scanShapes, shapeKey } from './scan-costs.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const before = load();
const one = await createScanKernel({ threads: 1 });
const two = await createScanKernel({ threads: 2 });
const rows = [];
for (const [config, side] of [['small', 512], ['paper', 256]] as const) {
  for (const shape of scanShapes(getConfig(config), side)) {
    const single = await kernelCost(one, shape);
    const row = {
      config, shape: shapeKey(shape), melements: +(elements(shape) / 1e6).toFixed(1),
      kernel1: single.wall, kernel1Cpu: single.cpu, kernel2: (await kernelCost(two, shape)).wall, kernel2ReusedY: (await kernelCost(two, shape, true)).wall,
      linearAttention: await linearAttentionNs(shape), plainLoop1: plainLoopNs(shape),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
await Promise.all([one.dispose(), two.dispose()]);

const f = (v: number | undefined, digits = 2) => (v === undefined ? 'n/a' : v.toFixed(digits));
const md = [
  '# Selective scan: our kernel vs com.microsoft.LinearAttention (ns per token x channel x state)',
  '',
  `Command: \`npx tsx benchmarks/scan.ts\`. Date: ${new Date().toISOString()}. Machine: ${machine()}.`,
  `Load before the run: ${before}. After: ${load()}.`,
  'kernel = @dpmambair/scan-wasm (WebAssembly SIMD, whole call with inputs copied in and y out) on 1 and 2 threads;',
  "LinearAttention = the ONNX lowering, one node on onnxruntime-node's CPU EP (default threads);",
  'C loop = benchmarks/scan-loop.c, gcc -O3 -march=native, one thread (the plain-loop yardstick). Best of 2-4 runs after a warm-up.',
  '',
  'kernel 1 thread CPU = CPU time of the one-thread call per element: what the kernel costs however busy the machine is.',
  "kernel 2 threads, reused y = y written into one array the caller passes each call, as the segment runner has it write y into delta's array where nothing reads delta later (no fresh array's page faults).",
  '',
  '| config | tokens/channels/states | M elements | kernel 1 thread | kernel 1 thread CPU | kernel 2 threads | kernel 2 threads, reused y | LinearAttention | LA / kernel 2 | C loop 1 thread |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.config} | ${r.shape} | ${r.melements} | ${f(r.kernel1)} | ${f(r.kernel1Cpu)} | ${f(r.kernel2)} | ${f(r.kernel2ReusedY)} | ${f(r.linearAttention)} | ${f(r.linearAttention / r.kernel2, 1)}x | ${f(r.plainLoop1)} |`),
  '',
].join('\n');
// The Chromium section (benchmarks/scan-browser.ts) stays.
const chromium = existsSync(`${here}/results/scan.md`) ? chromiumSection(readFileSync(`${here}/results/scan.md`, 'utf8')) : '';
writeFileSync(`${here}/results/scan.md`, chromium ? `${md}\n${chromium}\n` : md);
writeFileSync(`${here}/results/scan.json`, JSON.stringify({ machine: machine(), load: before, rows }, null, 2));
console.log(md);
