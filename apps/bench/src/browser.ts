/**
 * Browser part of the cross-backend benchmark, driven in headless Chromium (playwright-core,
 * Debian's /usr/bin/chromium): every device that backend-webgpu (onnxruntime-web) and backend-tf
 * (tfjs) list, or --devices. Each is first initialised in its page: a device that cannot start
 * there is skipped with init's reason (bench-unavailable-chromium.json, the report's list), and so
 * is a GPU device whose only renderer here is a software one (SwiftShader), unless --emulated: then
 * it runs there, labelled CPU-emulated, at one small size only (SwiftShader is ~60x slower than
 * WASM: its numbers say the device works, never how fast a GPU is). A device that starts and then
 * fails is a failure (exit status 1). Each device gets a fresh browser, so the peak
 * memory of its renderer process is its own. Records go to
 * benchmarks/results/bench-chromium-<device>.json; the report is re-rendered with all records.
 *
 * With --isolated each device runs a second time, in a fresh browser, on the same pages served with
 * COOP/COEP (cross-origin isolated: SharedArrayBuffer, so WebAssembly threads): onnxruntime-web's
 * numThreads and the scan kernel's threads are then --threads (default: the kernel's own default
 * there, min(4, cores)); its record is bench-chromium-<device>-isolated.json, and the one-thread /
 * threaded ratio of each size is printed at the end.
 *
 *   npm run bench:browser -w @dpmambair/bench -- [--devices wasm,tf-wasm] [--emulated] [--quick] [--budget 200] [--isolated [--threads N]]
 */
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSession, loadModel, restoreImage, type Device } from '@dpmambair/core';
import '@dpmambair/backend-cuda';
import { onnxWebBackend } from '@dpmambair/backend-webgpu';
import { tfBackend } from '@dpmambair/backend-tf';
import { chromiumPeaks, launchChromium } from '../../../packages/backend-webgpu/src/testing/chromium.js';
import { startStaticServer, type StaticFile } from '../../../packages/backend-webgpu/src/testing/server.js';
import { compareOutputs } from './agreement.js';
import { bundleEntry } from './bundle.js';
import { DEFAULT_MEASURE, resizeBilinear } from './measure.js';
import { baseImage, loadEvalSet, readModelFiles, REPO_ROOT, RESULTS_DIR, trainingJobRunning } from './node-io.js';
import { writeRecord, writeReport, writeUnavailable } from './results.js';
import { RECORD_SCHEMA, type BenchRecord } from './types.js';

/** The devices of the browser backends, as they list them. */
export const BROWSER_DEVICES: readonly Device[] = [...onnxWebBackend.devices, ...tfBackend.devices];
const GPU_DEVICES: readonly Device[] = ['webgpu', 'tf-webgpu', 'tf-webgl'];
/** A renderer that is the CPU: these GPU devices run here only with --emulated, labelled so. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software/i;
const EMULATION = 'CPU-emulated: WebGPU/WebGL on SwiftShader (a CPU software renderer); correct results, never GPU speed';

const { values } = parseArgs({
  options: {
    devices: { type: 'string' },
    emulated: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    budget: { type: 'string' },
    sizes: { type: 'string' },
    weights: { type: 'string' },
    /** How the records name the model (default: its path); e.g. when --weights is a frozen copy. */
    'model-label': { type: 'string' },
    out: { type: 'string' },
    total: { type: 'string' },
    isolated: { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
/** Whole-run time target (s), shared among the devices still to run. */
const totalS = Number(values.total ?? (values.quick ? 180 : 360));
const outDir = values.out ?? RESULTS_DIR;
const budgetMs = Number(values.budget ?? (values.quick ? 40 : 200)) * 1000;
const devices: Device[] = values.devices ? (values.devices.split(',') as Device[]) : [...BROWSER_DEVICES];
const unknown = devices.filter((d) => !BROWSER_DEVICES.includes(d));
if (unknown.length) {
  console.error(`bench: --devices: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not served in browsers (the browser backends list ${BROWSER_DEVICES.join(', ')})`);
  process.exit(2);
}
if (values.threads !== undefined && !(Number.isInteger(Number(values.threads)) && Number(values.threads) >= 1)) {
  console.error(`bench: --threads must be a positive integer, got ${JSON.stringify(values.threads)}`);
  process.exit(2);
}
if (values.threads !== undefined && !values.isolated) {
  console.error('bench: --threads needs --isolated (threads need a cross-origin-isolated page)');
  process.exit(2);
}
/** Each device on a plain page, then (with --isolated) on a cross-origin-isolated one. */
const runs = devices.flatMap((device) => [{ device, variant: undefined as 'isolated' | undefined }, ...(values.isolated ? [{ device, variant: 'isolated' as const }] : [])]);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
const f32 = (a: Float32Array): StaticFile => ({ body: new Uint8Array(a.buffer, a.byteOffset, a.byteLength), type: 'application/octet-stream' });

// Inputs and the model, served from memory; the ORT and tfjs wasm from node_modules.
const files = await readModelFiles(values.weights);
if (values['model-label']) files.source = values['model-label'];
const base = await baseImage();
const evalSet = await loadEvalSet();
const served: Record<string, StaticFile> = {
  '/model/small.json': { body: files.manifestText, type: 'application/json' },
  '/model/small.safetensors': { body: files.safetensors },
  '/input/base.f32': f32(base.rgb),
  '/input/inputs.json': { body: JSON.stringify({ base: { width: base.width, height: base.height }, eval: { set: evalSet.set, items: evalSet.pairs.map((p) => ({ name: p.name, degradation: p.degradation, width: p.input.width, height: p.input.height })) } }) },
};
for (const p of evalSet.pairs) {
  served[`/input/eval/${p.name}.in.f32`] = f32(p.input.rgb);
  served[`/input/eval/${p.name}.ref.f32`] = f32(p.reference.rgb);
}
const entry = fileURLToPath(new URL('./browser-page.ts', import.meta.url));
const bundle = await bundleEntry(entry);
served['/'] = { body: '<!doctype html><meta charset="utf-8"><title>dpmambair bench</title><script type="module" src="/bench.js"></script>', type: 'text/html; charset=utf-8' };
served['/bench.js'] = { body: bundle, type: 'text/javascript' };
served['/favicon.ico'] = { body: new Uint8Array(0), type: 'image/x-icon' };
const nm = join(REPO_ROOT, 'node_modules');
const mounts = { '/ort/': join(nm, 'onnxruntime-web', 'dist'), '/tfwasm/': join(nm, '@tensorflow', 'tfjs-backend-wasm', 'dist') };
const server = await startStaticServer({ files: served, mounts });
const isolatedServer = values.isolated ? await startStaticServer({ files: served, mounts, crossOriginIsolated: true }) : undefined;

// The agreement reference: onnxruntime-node cpu on the same input, computed here.
const model = await loadModel(files.manifestText, files.safetensors, files.source);
const cpu = (await createSession(model, 'cpu')).session;
const references = new Map<number, Float32Array>();
async function reference(size: number): Promise<Float32Array> {
  if (!references.has(size)) references.set(size, (await restoreImage(cpu, size === base.width ? base : resizeBilinear(base, size, size))).rgb);
  return references.get(size)!;
}

console.error(`dpmambair bench (Chromium): devices ${devices.join(', ')}; per-device budget ${budgetMs / 1000} s; model ${files.source}; results in ${outDir}`);
console.error(`load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} on ${os.cpus().length} cores (a background training job makes every number here pessimistic)`);
const unavailable: { device: string; reason: string }[] = [];
const finished: BenchRecord[] = [];
try {
  for (const [runIndex, { device, variant }] of runs.entries()) {
    const gpu = GPU_DEVICES.includes(device);
    const name = variant ? `${device} (${variant})` : device;
    const tag = `--dpm-bench=${process.pid}-${device}${variant ? `-${variant}` : ''}`;
    const pages = variant === 'isolated' ? isolatedServer! : server;
    console.error(`[${elapsed()}] ${name}: starting${variant ? ' on a cross-origin-isolated page (COOP/COEP)' : ''}`);
    const wallStart = performance.now();
    const training = trainingJobRunning();
    const logStart = pages.log.length;
    // SwiftShader's WebGPU only when asked for (--emulated); WebGL falls back to it by itself.
    const browser = await launchChromium({ webgpu: values.emulated && (device === 'webgpu' || device === 'tf-webgpu'), args: [tag] });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => {
        const t = m.text();
        if (t.startsWith('[bench] ')) console.error(`  [${device}] ${t.slice(8)}`);
        else if (m.type() === 'error') console.error(`  [${device}] console.error: ${t}`);
      });
      page.on('pageerror', (e) => console.error(`  [${device}] page error: ${e.message}`));
      await page.goto(`${pages.url}/`);
      await page.waitForFunction(() => (globalThis as { __bench?: unknown }).__bench !== undefined, undefined, { timeout: 60_000 });
      const threadsWanted = variant === 'isolated' ? Number(values.threads ?? 0) : undefined;
      const status = (await page.evaluate(([d, t]) => (globalThis as any).__bench.init(d, t), [device, threadsWanted] as const)) as { ok: true; renderer?: string } | { ok: false; reason: string };
      // A GPU device on a software renderer: measured only with --emulated, labelled CPU-emulated, one small size.
      const emulated = status.ok && gpu && SOFTWARE_RENDERER.test(status.renderer ?? '');
      const skip = !status.ok ? status.reason : emulated && !values.emulated ? `only a software renderer here (${status.renderer}); --emulated runs it there, labelled CPU-emulated` : undefined;
      if (skip) {
        console.error(`[${elapsed()}] ${name}: skipped: ${skip}`);
        unavailable.push({ device: name, reason: skip });
        continue;
      }
      if (emulated) console.error(`  [${device}] CPU-emulated GPU (${status.renderer}): one small size only`);
      const sizes = values.sizes ? values.sizes.split(',').map(Number) : emulated ? [64] : values.quick ? [256, 512] : DEFAULT_MEASURE.sizes;
      const left = totalS - (performance.now() - t0) / 1000;
      const devicesLeft = runs.length - runIndex;
      const deviceBudgetMs = Math.max(20_000, Math.min(budgetMs, (0.7 * left * 1000) / devicesLeft));
      console.error(`  [${device}] latency budget ${(deviceBudgetMs / 1000).toFixed(0)} s`);
      const opts = { sizes, budgetMs: deviceBudgetMs, quality: !emulated, ...(emulated ? { maxRuns: 2, sizeBudgetMs: 1 } : {}) };
      type PageResult = Omit<BenchRecord, 'schema' | 'device' | 'runtime' | 'backend' | 'date' | 'host' | 'model' | 'memory' | 'notes' | 'wallMs'> & {
        agreementOutput: string; agreementSize: number; userAgent: string; crossOriginIsolated: boolean; threads: { count: number; how: string }; ortVersion: string; jsHeapMB: number | null;
      };
      let r: PageResult;
      try {
        r = (await page.evaluate(([d, o]) => (globalThis as any).__bench.run(d, o), [device, opts] as const)) as PageResult;
      } catch (e) {
        // It started (init passed above), so this is a failure, not an unavailable device.
        console.error(`[${elapsed()}] ${name}: FAILED: ${(e as Error).message.split('\n')[0]}`);
        process.exitCode = 1;
        continue;
      }
      if (r.crossOriginIsolated !== (variant === 'isolated')) throw new Error(`bench: the ${variant ?? 'plain'} page was ${r.crossOriginIsolated ? '' : 'not '}cross-origin isolated`);
      const peaks = chromiumPeaks(tag);
      const out = new Float32Array(new Uint8Array(Buffer.from(r.agreementOutput, 'base64')).buffer);
      const agreement = { reference: 'cpu', size: r.agreementSize, ...compareOutputs(out, await reference(r.agreementSize)) };
      const notes = [
        r.crossOriginIsolated
          ? `Chromium ${browser.version()}, headless; page cross-origin isolated (COOP/COEP), so WebAssembly has threads: ${r.threads.count} (${r.threads.how})`
          : `Chromium ${browser.version()}, headless; page not cross-origin isolated, so WebAssembly runs single-threaded (as in the docs demo and a Figma plugin)`,
      ];
      const ortWasm = [...new Set(pages.log.slice(logStart).map((l) => /\/ort\/(ort-[\w.-]+\.wasm)$/.exec(l)?.[1]).filter(Boolean))];
      const kernelThreads = `${r.threads.count === 1 ? 'one thread' : `${r.threads.count} threads`}`;
      const scan = device === 'wasm' ? `our WebAssembly SIMD kernel (@dpmambair/scan-wasm, ${kernelThreads}) between ONNX segments` : 'com.microsoft.LinearAttention';
      if (device === 'wasm' || device === 'webgpu') notes.push(`onnxruntime-web ${r.ortVersion}, loaded ${ortWasm.join(', ') || 'no wasm from /ort/'}; the selective scan is ${scan}`);
      if (device === 'tf-wasm') notes.push(`tfjs-backend-wasm (XNNPACK, SIMD${r.crossOriginIsolated ? '' : ', no threads without isolation'}); the selective scan is our WebAssembly SIMD kernel (@dpmambair/scan-wasm, one thread: synchronous inside a tfjs kernel)`);
      if (peaks.gpu) notes.push(`GPU process peak RSS ${peaks.gpu.toFixed(0)} MB${emulated ? ' (SwiftShader works in it)' : ''}`);
      if (r.jsHeapMB) notes.push(`JS heap at the end ${r.jsHeapMB.toFixed(0)} MB`);
      const record: BenchRecord = {
        schema: RECORD_SCHEMA,
        device,
        ...(variant ? { variant } : {}),
        runtime: 'chromium',
        backend: device.startsWith('tf-') ? 'tfjs' : 'onnxruntime-web',
        ...(emulated ? { emulated: EMULATION } : {}),
        date: new Date().toISOString(),
        host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, runtimeVersion: `Chromium ${browser.version()}`, threads: device.startsWith('tf-') ? (r.crossOriginIsolated ? undefined : 1) : r.threads.count, loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100), trainingJobRunning: training || trainingJobRunning() },
        model: { name: files.name, source: files.source, trained: files.trained, sha256: files.sha256 },
        sessionMs: r.sessionMs,
        warmup: r.warmup,
        latency: r.latency,
        skipped: r.skipped,
        memory: { peakRssMB: peaks.renderer, how: 'peak RSS (VmHWM) of the renderer process of a fresh Chromium that ran only this device' },
        agreement,
        quality: r.quality,
        notes,
        wallMs: performance.now() - wallStart,
      };
      const path = writeRecord(outDir, record);
      finished.push(record);
      const steady = record.latency.map((p) => `${p.size}²: ${(p.medianMs / 1000).toFixed(2)} s`).join(', ');
      console.error(`[${elapsed()}] ${name}: done (${steady}${record.skipped.length ? `; skipped ${record.skipped.map((s) => s.size).join(', ')}: too slow here` : ''}; agreement max abs ${agreement.maxAbsDiff.toExponential(1)}) -> ${path}`);
    } finally {
      await browser.close().catch(() => undefined);
    }
  }
} finally {
  await server.close();
  await isolatedServer?.close();
  await cpu.dispose();
}
// One thread (plain page) against threads (isolated page), per device and size, from this run.
for (const threaded of finished.filter((r) => r.variant === 'isolated')) {
  const plain = finished.find((r) => r.device === threaded.device && !r.variant);
  for (const point of threaded.latency) {
    const one = plain?.latency.find((p) => p.size === point.size);
    if (!one) continue;
    console.error(`${threaded.device} ${point.size}²: plain page (1 thread) ${(one.medianMs / 1000).toFixed(2)} s, isolated page (${threaded.host.threads === undefined ? "the backend's default threads" : `${threaded.host.threads} thread${threaded.host.threads === 1 ? '' : 's'}`}) ${(point.medianMs / 1000).toFixed(2)} s: ${(one.medianMs / point.medianMs).toFixed(2)}x`);
  }
}
writeUnavailable(outDir, 'chromium', unavailable);
console.error(`[${elapsed()}] report: ${writeReport(outDir)}`);
