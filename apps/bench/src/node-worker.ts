/**
 * Child process of the Node bench: measures ONE device, so that the process's peak RSS is that
 * device's alone. Progress goes to stderr; the record (without agreement) and the raw output
 * used for the agreement check go to --out.
 *
 *   tsx src/node-worker.ts --device cpu --out /tmp/dir [--budget 200] [--sizes 256,512]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession, loadModel, type Device } from '@dpmambair/core';
import { DEFAULT_MEASURE, measure } from './measure.js';
import { baseImage, loadEvalSet, readModelFiles, trainingJobRunning } from './node-io.js';
import { RECORD_SCHEMA, type BenchRecord } from './types.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string' },
    out: { type: 'string' },
    budget: { type: 'string' },
    sizes: { type: 'string' },
    weights: { type: 'string' },
    'model-source': { type: 'string' },
    trained: { type: 'string' },
  },
});
const device = values.device as Device;
if (!device || !values.out) throw new Error('usage: node-worker --device DEV --out DIR');
const log = (line: string) => process.stderr.write(`  [${device}] ${line}\n`);
const wallStart = performance.now();
const training = trainingJobRunning();
const baselineRssMB = process.memoryUsage().rss / 2 ** 20;

const BACKEND: Record<string, string> = { cuda: 'onnxruntime-node', cpu: 'onnxruntime-node', 'tf-cpu': 'tfjs', 'tf-wasm': 'tfjs' };
if (device === 'cpu' || device === 'cuda') await import('@dpmambair/backend-cuda');
else {
  // tfjs prints a hint about tfjs-node on first use; it is not used here (its binary download fails offline).
  const warn = console.warn;
  console.warn = () => {};
  await import('@dpmambair/backend-tf');
  console.warn = warn;
}

const files = await readModelFiles(values.weights);
const model = await loadModel(files.manifestText, files.safetensors, files.source);
const [base, evalSet] = [await baseImage(), await loadEvalSet()];
const notes: string[] = [];
const logger = console.log;
// Keep stdout clean, and drop tfjs's advert for tfjs-node (its binary download fails offline anyway).
const quiet = (...a: unknown[]) => {
  const text = a.join(' ');
  if (!/tfjs-node|^=+$|looks like you are running TensorFlow\.js/.test(text.trim())) process.stderr.write(text + '\n');
};
console.log = quiet;
const warnBefore = console.warn;
console.warn = quiet;

const m = await measure(async () => (await createSession(model, device)).session, base, evalSet.pairs, {
  ...DEFAULT_MEASURE,
  ...(values.budget ? { budgetMs: Number(values.budget) * 1000 } : {}),
  ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
  log,
});
console.log = logger;
console.warn = warnBefore;
if (device === 'tf-cpu') notes.push('tfjs-backend-cpu is plain JavaScript (no SIMD, no threads): expect it to be the slowest device by far.');
if (device === 'tf-wasm') notes.push('tfjs-backend-wasm in Node: XNNPACK with SIMD; the selective scan is our WebAssembly SIMD kernel (@dpmambair/scan-wasm, one thread).');
if (device === 'cpu') notes.push('onnxruntime-node CPU execution provider with its default thread pool (all cores); the selective scan is our WebAssembly SIMD kernel (@dpmambair/scan-wasm, threads over channels) between ONNX segments.');

const record: BenchRecord = {
  schema: RECORD_SCHEMA,
  device,
  runtime: 'node',
  backend: BACKEND[device] ?? 'unknown',
  date: new Date().toISOString(),
  host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, runtimeVersion: `Node ${process.version}`, loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100), trainingJobRunning: training || trainingJobRunning() },
  model: { name: files.name, source: values['model-source'] ?? files.source, trained: values.trained ? values.trained === 'true' : files.trained, sha256: files.sha256 },
  sessionMs: m.sessionMs,
  warmup: m.warmup,
  latency: m.latency,
  skipped: m.skipped,
  memory: { peakRssMB: process.resourceUsage().maxRSS / 1024, baselineRssMB, how: 'peak RSS (maxRSS) of the child process that ran only this device' },
  quality: m.quality ? { set: evalSet.set, ...m.quality } : undefined,
  notes,
  wallMs: performance.now() - wallStart,
};
writeFileSync(join(values.out, `${device}.json`), JSON.stringify(record));
writeFileSync(join(values.out, `${device}.f32`), new Uint8Array(m.agreementOutput.buffer, m.agreementOutput.byteOffset, m.agreementOutput.byteLength));
