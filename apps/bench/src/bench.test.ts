import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareOutputs, median, mpPerSecond } from './agreement.js';
import { estimateMs, planSize, resizeBilinear } from './measure.js';
import { halve, trainingJobRunning } from './node-io.js';
import { label, recordFileName, renderCharts, renderReport, sortRecords } from './report.js';
import { loadRecords, loadUnavailable, writeRecord, writeReport, writeUnavailable } from './results.js';
import { barChart, lineChart } from './svg.js';
import { RECORD_SCHEMA, type BenchRecord } from './types.js';

function record(over: Partial<BenchRecord>): BenchRecord {
  return {
    schema: RECORD_SCHEMA,
    device: 'cpu',
    runtime: 'node',
    backend: 'onnxruntime-node',
    date: '2026-01-01T00:00:00.000Z',
    host: { cpu: 'Test CPU', cores: 2, platform: 'linux x64', runtimeVersion: 'Node v20', loadAverage: [2.5], trainingJobRunning: true },
    model: { name: 'small', source: 'models/weights/small.json', trained: true },
    sessionMs: 500,
    warmup: { size: 256, firstMs: 3000, steadyMs: 1500 },
    latency: [
      { size: 256, runs: [1500, 1500], medianMs: 1500, mpPerS: mpPerSecond(256, 1500) },
      { size: 512, runs: [6000], medianMs: 6000, mpPerS: mpPerSecond(512, 6000) },
    ],
    skipped: [{ size: 1024, reason: 'too slow here: estimated' }],
    memory: { peakRssMB: 800, baselineRssMB: 90, how: 'maxRSS' },
    agreement: { reference: 'cpu', size: 256, maxAbsDiff: 0, psnr: null },
    quality: { set: 'fixed set', items: [{ name: 'noise', degradation: 'noise', inputPsnr: 20, inputSsim: 0.4, psnr: 28, ssim: 0.8 }] },
    notes: ['a note'],
    wallMs: 20000,
    ...over,
  };
}

test('compareOutputs: max abs diff and PSNR, identical gives null PSNR', () => {
  const a = Float32Array.of(0, 0.5, 1, 0.25);
  assert.deepEqual(compareOutputs(a, a), { maxAbsDiff: 0, psnr: null });
  const b = Float32Array.of(0.1, 0.5, 1, 0.25);
  const r = compareOutputs(b, a);
  assert.ok(Math.abs(r.maxAbsDiff - 0.1) < 1e-7);
  // mse = 0.01 / 4 -> PSNR = -10 log10(0.0025) = 26.02 dB
  assert.ok(Math.abs(r.psnr! - 26.0206) < 1e-3);
  assert.throws(() => compareOutputs(a, Float32Array.of(1)), /differ in length/);
  assert.ok(Number.isNaN(compareOutputs(Float32Array.of(NaN), Float32Array.of(0)).maxAbsDiff));
});

test('median and throughput', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(mpPerSecond(1000, 1000), 1);
});

test('planSize extrapolates by pixel count and says why a size is skipped', () => {
  assert.deepEqual(planSize(256, undefined, 0, 100_000), { run: true });
  assert.equal(estimateMs(256, 1000, 512), 4000);
  assert.deepEqual(planSize(512, { size: 256, ms: 1000 }, 5000, 100_000), { run: true });
  const p = planSize(1024, { size: 512, ms: 10_000 }, 30_000, 200_000);
  assert.equal(p.run, false);
  assert.match((p as { reason: string }).reason, /too slow here: one run estimated at 40 s .*30 s left of this device's 200 s budget/);
});

test('resizeBilinear keeps constants and sizes; halve averages 2x2 blocks', () => {
  const img = { width: 2, height: 2, rgb: new Float32Array(12).fill(0.5) };
  const big = resizeBilinear(img, 4, 6);
  assert.equal(big.rgb.length, 3 * 24);
  assert.ok(big.rgb.every((v) => Math.abs(v - 0.5) < 1e-7));
  const ramp = { width: 2, height: 2, rgb: Float32Array.of(0, 1, 2, 3, 0, 0, 0, 0, 4, 4, 4, 4) };
  const h = halve(ramp);
  assert.deepEqual([...h.rgb], [1.5, 0, 4]);
});

test('report renders fixed records: table, skipped sizes, emulation label, charts', () => {
  const cpu = record({});
  const webgpu = record({ device: 'webgpu', runtime: 'chromium', backend: 'onnxruntime-web', emulated: 'CPU-emulated (SwiftShader)', agreement: { reference: 'cpu', size: 256, maxAbsDiff: 2e-6, psnr: 120.5 }, quality: undefined, latency: [{ size: 256, runs: [90000], medianMs: 90000, mpPerS: mpPerSecond(256, 90000) }], skipped: [] });
  const md = renderReport([webgpu, cpu]);
  assert.match(md, /\| cpu \(node\) \| onnxruntime-node \| 500 ms \| 3\.00 s at 256² \| 1\.50 s \| 1\.50 s \| 6\.00 s \| skipped \|/);
  assert.match(md, /webgpu \(chromium\) \[CPU-emulated\]/);
  assert.match(md, /2\.0e-6 \/ 120\.5 dB/);
  assert.match(md, /cpu \(node\), 1024²: too slow here/);
  assert.match(md, /20\.00 → \*\*28\.00\*\* dB/);
  assert.match(md, /training job/);
  assert.ok(md.indexOf('cpu (node)') < md.indexOf('webgpu (chromium)'), 'node rows first');
  assert.equal(label(webgpu), 'webgpu (chromium) [CPU-emulated]');
  assert.equal(recordFileName(webgpu), 'bench-chromium-webgpu.json');
  assert.deepEqual(sortRecords([webgpu, cpu]).map((r) => r.device), ['cpu', 'webgpu']);
  const charts = renderCharts([cpu, webgpu]);
  for (const svg of Object.values(charts)) assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
  assert.match(charts['bench-latency.svg'], /stroke-dasharray/); // the emulated device is dashed
  assert.match(charts['bench-quality.svg'], /noise/);
  assert.match(renderReport([]), /No benchmark records yet/);
});

test('charts survive empty and non-finite data', () => {
  assert.match(lineChart({ title: 't', xLabels: ['a'], series: [{ name: 's', values: [null] }], yLabel: 'y', xLabel: 'x', yLog: true }), /no data/);
  assert.match(barChart({ title: 't <&>', groups: [{ label: 'g', bars: [{ name: 'b', value: NaN }] }], yLabel: 'y', xLabel: 'x' }), /t &lt;&amp;&gt;/);
});

test('records round-trip through a results folder, foreign JSON ignored', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-test-'));
  writeRecord(dir, record({}));
  writeFileSync(join(dir, 'cpu.json'), JSON.stringify({ other: 'benchmark' }));
  writeFileSync(join(dir, 'bench-bogus.json'), JSON.stringify({ device: 'x' }));
  assert.deepEqual(loadRecords(dir).map((r) => r.device), ['cpu']);
  writeUnavailable(dir, 'node', [{ device: 'cuda', reason: 'no NVIDIA GPU' }]);
  assert.equal(loadUnavailable(dir)[0].devices[0].device, 'cuda');
  const report = writeReport(dir);
  assert.match(readFileSync(report, 'utf8'), /cpu \(node\)/);
  assert.match(readFileSync(report, 'utf8'), /## Not available here\n\n- cuda \(node\): no NVIDIA GPU/);
  writeUnavailable(dir, 'node', []);
  assert.deepEqual(loadUnavailable(dir), []);
  assert.match(readFileSync(join(dir, 'bench-latency.svg'), 'utf8'), /<svg/);
});

test('measure: warm-up, steady runs, skipped sizes and quality with a stand-in session', async () => {
  const { measure } = await import('./measure.js');
  const session = {
    device: 'cpu' as const,
    model: {} as never,
    embed: async () => ({ shape: [1, 4], data: new Float32Array(4) }),
    restore: async (img: { shape: number[]; data: Float32Array }) => {
      await new Promise((r) => setTimeout(r, 2));
      return { shape: img.shape, data: img.data.map((v) => v * 0.5) };
    },
    dispose: async () => {},
  };
  const base = { width: 16, height: 16, rgb: new Float32Array(3 * 256).fill(0.5) };
  const pair = { name: 'noise', degradation: 'noise', input: { width: 16, height: 16, rgb: new Float32Array(768).fill(0.6) }, reference: { width: 16, height: 16, rgb: new Float32Array(768).fill(0.3) } };
  const lines: string[] = [];
  const m = await measure(async () => session, base, [pair], { sizes: [16, 32], budgetMs: 60_000, maxRuns: 3, sizeBudgetMs: 60_000, qualityMaxMs: 60_000, log: (l) => lines.push(l) });
  assert.deepEqual(m.latency.map((p) => [p.size, p.runs.length]), [[16, 3], [32, 3]]);
  assert.ok(m.warmup.firstMs > 0 && m.warmup.steadyMs > 0);
  assert.equal(m.agreementOutput.length, 768);
  assert.ok(Math.abs(m.agreementOutput[0] - 0.25) < 1e-6);
  assert.ok(Math.abs(m.quality!.items[0].psnr - m.quality!.items[0].inputPsnr) < 1e-9 || m.quality!.items[0].psnr > 0);
  // No time left: only the warm-up run is reported, later sizes are skipped with a reason.
  const tight = await measure(async () => session, base, [pair], { sizes: [16, 32], budgetMs: 0, maxRuns: 3, sizeBudgetMs: 1, qualityMaxMs: 0, log: () => {} });
  assert.equal(tight.latency[0].warmupOnly, true);
  assert.equal(tight.latency[0].runs.length, 1);
  assert.deepEqual(tight.skipped.map((s) => s.size), [32]);
  assert.match(tight.quality!.skipped!, /too slow here/);
});

test('a training job counts as competing while it runs, not while it is stopped for the measurement', { skip: process.platform !== 'linux' }, async () => {
  const job = spawn('sleep', ['30.4217']); // stands for `python3 train.py ...`: matched by its command line
  const command = /30\.4217/;
  try {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trainingJobRunning(command), true);
    job.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trainingJobRunning(command), false);
    job.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trainingJobRunning(command), true);
  } finally {
    job.kill('SIGKILL');
  }
  assert.equal(trainingJobRunning(/no such command 8c1f/), false);
});
