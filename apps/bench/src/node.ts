/**
 * Node part of the cross-backend benchmark: cpu (onnxruntime-node), tf-cpu, tf-wasm (tfjs), and
 * cuda where onnxruntime-node has a working CUDA execution provider. Each device runs in its own
 * child process; records go to benchmarks/results/bench-node-<device>.json and the report to
 * benchmarks/results/report.md (with the browser records, if any).
 *
 *   npm run bench -w @dpmambair/bench -- [--devices cpu,tf-wasm] [--sizes 256,512] [--budget 200] [--quick]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareOutputs } from './agreement.js';
import { readModelFiles, RESULTS_DIR, snapshotModel } from './node-io.js';
import { writeRecord, writeReport, writeUnavailable } from './results.js';
import type { BenchRecord } from './types.js';

export const NODE_DEVICES = ['cpu', 'cuda', 'tf-wasm', 'tf-cpu'] as const;

const { values } = parseArgs({
  options: {
    devices: { type: 'string' },
    sizes: { type: 'string' },
    budget: { type: 'string' },
    weights: { type: 'string' },
    /** How the records name the model (default: its path); e.g. when --weights is a frozen copy. */
    'model-label': { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    total: { type: 'string' },
  },
});
/** Whole-run time target (s): each device's budget is capped so the run ends in about this time. */
const totalS = Number(values.total ?? (values.quick ? 180 : 480));
const outDir = values.out ?? RESULTS_DIR;
const budget = values.budget ?? (values.quick ? '40' : '200');
const sizes = values.sizes ?? (values.quick ? '256,512' : undefined);
const wanted = values.devices ? values.devices.split(',') : [...NODE_DEVICES];
if (!wanted.includes('cpu')) wanted.unshift('cpu'); // the agreement reference
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

async function cudaAvailable(): Promise<string | true> {
  try {
    const core = await import('@dpmambair/core');
    await import('@dpmambair/backend-cuda');
    const status = (await core.listDevices()).find((d) => d.device === 'cuda');
    return status?.available ? true : status?.reason ?? 'unknown';
  } catch (e) {
    return (e as Error).message;
  }
}

function runWorker(device: string, tmp: string, budgetS: string): Promise<void> {
  const worker = fileURLToPath(new URL('./node-worker.ts', import.meta.url));
  const args = ['--import', 'tsx', worker, '--device', device, '--out', tmp, '--budget', budgetS];
  if (sizes) args.push('--sizes', sizes);
  args.push('--weights', snapshot, '--model-source', model.source, '--trained', String(model.trained));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${device}: worker exited with code ${code}`))));
  });
}

console.error(`dpmambair bench (Node): devices ${wanted.join(', ')}; per-device budget ${budget} s; results in ${outDir}`);
console.error(`load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} on ${os.cpus().length} cores (a background training job makes every number here pessimistic)`);
const tmp = mkdtempSync(join(os.tmpdir(), 'dpm-bench-'));
// One snapshot of the model for every device of this run (the training run rewrites models/weights/).
const model = await readModelFiles(values.weights);
if (values['model-label']) model.source = values['model-label'];
const snapshot = snapshotModel(model, join(tmp, 'model'));
console.error(`model: ${model.source} (sha256 ${model.sha256.slice(0, 12)}…)${model.trained ? '' : ': golden random weights, quality numbers meaningless'}`);
const records: BenchRecord[] = [];
const unavailable: { device: string; reason: string }[] = [];
const outputs = new Map<string, Float32Array>();
try {
  for (const device of wanted) {
    if (device === 'cuda') {
      const ok = await cudaAvailable();
      if (ok !== true) {
        console.error(`[${elapsed()}] cuda: not available here, skipped (${ok})`);
        unavailable.push({ device, reason: ok });
        continue;
      }
    }
    // Share what is left of the whole-run target among the devices still to run (quality set,
    // process start and model loading come on top of the latency budget: keep 25% for them).
    const left = totalS - (performance.now() - t0) / 1000;
    const devicesLeft = wanted.length - wanted.indexOf(device);
    const budgetS = String(Math.max(20, Math.min(Number(budget), Math.floor((0.75 * left) / devicesLeft))));
    console.error(`[${elapsed()}] ${device}: starting (latency budget ${budgetS} s)`);
    try {
      await runWorker(device, tmp, budgetS);
    } catch (e) {
      console.error(`[${elapsed()}] ${device}: FAILED: ${(e as Error).message}`);
      unavailable.push({ device, reason: `the run failed: ${(e as Error).message}` });
      continue;
    }
    const record = JSON.parse(readFileSync(join(tmp, `${device}.json`), 'utf8')) as BenchRecord;
    const buf = readFileSync(join(tmp, `${device}.f32`));
    outputs.set(device, new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    const ref = outputs.get('cpu');
    if (ref) record.agreement = { reference: 'cpu', size: record.warmup.size, ...compareOutputs(outputs.get(device)!, ref) };
    records.push(record);
    const path = writeRecord(outDir, record);
    const steady = record.latency.map((p) => `${p.size}²: ${(p.medianMs / 1000).toFixed(2)} s`).join(', ');
    console.error(`[${elapsed()}] ${device}: done in ${(record.wallMs / 1000).toFixed(0)} s (${steady}${record.skipped.length ? `; skipped ${record.skipped.map((s) => s.size).join(', ')}: too slow here` : ''}) -> ${path}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeUnavailable(outDir, 'node', unavailable);
console.error(`[${elapsed()}] report: ${writeReport(outDir)}`);
