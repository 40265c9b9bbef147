/**
 * Lowerings of single ops side by side on onnxruntime-web's wasm build in headless Chromium, one
 * thread (plain page), or with --node on onnxruntime-node's CPU build (default threads), with the
 * device's session options (issue 12: on wasm Gelu and
 * LayerNormalization cost ~7 ns per element there against ~0.7 for Mul). Prints ns per element
 * (median of --runs after a warm-up, variants taking turns --rounds times in one page) and each
 * variant's largest difference (the op applied --repeat times in a row, default 8, so copies in and out
 * weigh little) from the first variant of the same op and shape.
 *
 *   npx tsx benchmarks/ops-browser.ts [--ops gelu:1x32x280x280,layerNorm:1x78400x16] [--level all] [--repeat 8] [--node]
 */
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleForBrowser } from '../packages/backend-webgpu/src/testing/bundle.js';
import { launchChromium } from '../packages/backend-webgpu/src/testing/chromium.js';
import { startStaticServer } from '../packages/backend-webgpu/src/testing/server.js';
import type { OrtRuntime } from '@dpmambair/core';
import { OP_VARIANTS, timeOp, type OpRequest } from './ops-variants.js';

const { values } = parseArgs({ options: {
  ops: { type: 'string', default: 'gelu:1x32x280x280,layerNorm:1x78400x16,layerNorm:1x19600x32,layerNorm:1x4900x64' },
  node: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' }, rounds: { type: 'string', default: '2' }, repeat: { type: 'string', default: '8' }, level: { type: 'string' },
} });
const here = fileURLToPath(new URL('.', import.meta.url));
type Timing = Awaited<ReturnType<typeof timeOp>>;
let time: (req: OpRequest) => Promise<Timing>;
let close = async () => {};
if (values.node) {
  const ort = (await import('onnxruntime-node')) as unknown as OrtRuntime;
  time = (req) => timeOp(ort, 'cpu', req);
  console.log(`onnxruntime-node cpu; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; graphOptimizationLevel ${values.level ?? 'all (the device default)'}`);
} else {
  const bundle = await bundleForBrowser({ contents: "import './ops-browser-page.ts';", resolveDir: here });
  const server = await startStaticServer({ files: {
    '/': { body: '<!doctype html><meta charset="utf-8"><title>ops</title><script type="module" src="/p.js"></script>', type: 'text/html; charset=utf-8' },
    '/p.js': { body: bundle, type: 'text/javascript' },
    '/favicon.ico': { body: new Uint8Array(0) },
  }, mounts: { '/ort/': join(here, '..', 'node_modules', 'onnxruntime-web', 'dist') }, crossOriginIsolated: false });
  const browser = await launchChromium({ webgpu: false });
  close = async () => { await browser.close(); await server.close(); };
  console.log(`Chromium ${browser.version()}, plain page (one thread); ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; graphOptimizationLevel ${values.level ?? 'all (the device default)'}`);
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (globalThis as { __ops?: unknown }).__ops !== undefined);
  time = (req) => page.evaluate((r) => (globalThis as any).__ops.time(r), req) as Promise<Timing>;
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
try {
  for (const spec of values.ops.split(',')) {
    const [op, dims] = spec.split(':');
    const shape = dims.split('x').map(Number);
    const n = shape.reduce((a, b) => a * b, 1);
    const names = Object.keys(OP_VARIANTS[op] ?? {});
    if (!names.length) throw new Error(`ops-browser: unknown op ${op} (have ${Object.keys(OP_VARIANTS).join(', ')})`);
    const times = new Map<string, number[]>();
    let first: number[] | undefined;
    const diffs = new Map<string, number>();
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const variant of names) {
        const r = await time({ op, variant, shape, runs: Number(values.runs), repeat: Number(values.repeat), graphOptimizationLevel: values.level as OpRequest['graphOptimizationLevel'] });
        times.set(variant, [...(times.get(variant) ?? []), ...r.ms]);
        first ??= r.out;
        diffs.set(variant, r.out.reduce((m, v, i) => Math.max(m, Math.abs(v - first![i])), 0) / Math.max(r.maxAbs, 1e-30));
      }
    }
    for (const variant of names) {
      const ms = median(times.get(variant)!);
      console.log(`${op} ${shape.join('x')} ${variant}: ${ms.toFixed(2)} ms, ${((ms * 1e6) / n / Number(values.repeat)).toFixed(2)} ns/element per application (runs ${times.get(variant)!.map((x) => x.toFixed(1)).join(' ')}); max diff vs ${names[0]} ${diffs.get(variant)!.toExponential(1)} of max |y|`);
    }
  }
} finally {
  await close();
}
