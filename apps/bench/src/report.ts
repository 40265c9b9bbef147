/** Renders benchmark records into a markdown report with SVG charts. Pure: no I/O. */
import { DEFAULT_OVERLAP, DEFAULT_TILE, spans } from '@dpmambair/core';
import { barChart, fmt, lineChart } from './svg.js';
import { RECORD_SCHEMA, type BenchRecord, type UnavailableList } from './types.js';

export const REPORT_CHARTS = ['bench-latency.svg', 'bench-throughput.svg', 'bench-quality.svg'] as const;
export type ChartName = (typeof REPORT_CHARTS)[number];

const DEVICE_ORDER = ['cuda', 'cpu', 'webgpu', 'wasm', 'tf-webgpu', 'tf-webgl', 'tf-wasm', 'tf-cpu'];

/** A record's name in tables and legends: device, where it ran, and an emulation label. */
export function label(r: BenchRecord): string {
  return `${r.device} (${r.runtime}${r.variant ? `, ${r.variant}` : ''})${r.emulated ? ' [CPU-emulated]' : ''}`;
}

export function recordFileName(r: Pick<BenchRecord, 'runtime' | 'device' | 'variant'>): string {
  return `bench-${r.runtime}-${r.device}${r.variant ? `-${r.variant}` : ''}.json`;
}

export function isRecord(x: unknown): x is BenchRecord {
  const r = x as BenchRecord;
  return !!r && typeof r === 'object' && r.schema === RECORD_SCHEMA && typeof r.device === 'string' && Array.isArray(r.latency);
}

export function sortRecords(records: BenchRecord[]): BenchRecord[] {
  const rank = (r: BenchRecord) => (r.runtime === 'node' ? 0 : 100) + (DEVICE_ORDER.indexOf(r.device) + 1 || 50);
  return [...records].sort((a, b) => rank(a) - rank(b) || a.device.localeCompare(b.device));
}

const ms = (v: number | undefined | null) => (v == null || !Number.isFinite(v) ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const num = (v: number | undefined | null, d = 2) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(d));

export function sizesOf(records: BenchRecord[]): number[] {
  const s = new Set<number>();
  for (const r of records) {
    r.latency.forEach((p) => s.add(p.size));
    r.skipped.forEach((p) => s.add(p.size));
  }
  return [...s].sort((a, b) => a - b);
}

export function meanQuality(r: BenchRecord): { psnr: number; ssim: number; inputPsnr: number; inputSsim: number } | undefined {
  const items = r.quality?.items ?? [];
  if (!items.length) return undefined;
  const avg = (f: (i: (typeof items)[number]) => number) => items.reduce((a, i) => a + f(i), 0) / items.length;
  return { psnr: avg((i) => i.psnr), ssim: avg((i) => i.ssim), inputPsnr: avg((i) => i.inputPsnr), inputSsim: avg((i) => i.inputSsim) };
}

export function peakThroughput(r: BenchRecord): number | undefined {
  const v = r.latency.map((p) => p.mpPerS).filter(Number.isFinite);
  return v.length ? Math.max(...v) : undefined;
}

export function renderCharts(records: BenchRecord[]): Record<ChartName, string> {
  const rs = sortRecords(records);
  const sizes = sizesOf(rs);
  const latency = lineChart({
    title: 'Restore latency per image size (steady-state median; first run where only one fitted)',
    xLabels: sizes.map((s) => `${s}²`),
    series: rs.map((r) => ({ name: label(r), dashed: !!r.emulated || r.runtime === 'chromium', values: sizes.map((s) => r.latency.find((p) => p.size === s)?.medianMs ?? null) })),
    yLabel: 'milliseconds (log scale)',
    xLabel: 'image size (pixels)',
    yLog: true,
  });
  const throughput = barChart({
    title: 'Throughput (best steady-state size)',
    groups: rs.map((r) => ({ label: `${r.device}${r.runtime === 'chromium' ? '*' : ''}${r.emulated ? ' (emu)' : ''}`, bars: [{ name: 'MP/s', value: peakThroughput(r), hatched: !!r.emulated }] })),
    yLabel: 'megapixels per second',
    xLabel: 'device (* = in Chromium; emu = CPU-emulated GPU, hatched)',
  });
  const withQuality = rs.find((r) => r.quality?.items.length);
  const quality = barChart({
    title: withQuality ? `Restoration quality on the evaluation set (${label(withQuality)})` : 'Restoration quality (no device ran the evaluation set)',
    groups: (withQuality?.quality?.items ?? []).map((i) => ({ label: i.name, bars: [{ name: 'degraded input', value: i.inputPsnr }, { name: 'restored', value: i.psnr }] })),
    yLabel: 'PSNR vs clean (dB)',
    xLabel: 'degradation',
  });
  return { 'bench-latency.svg': latency, 'bench-throughput.svg': throughput, 'bench-quality.svg': quality };
}

export interface ReportOptions {
  /** Prefix of chart links in the markdown (relative to the report). */
  chartPrefix?: string;
  title?: string;
  /** Devices runs could not measure here (listed with their reasons). */
  unavailable?: UnavailableList[];
}

export function renderReport(records: BenchRecord[], options: ReportOptions = {}): string {
  const rs = sortRecords(records);
  const prefix = options.chartPrefix ?? '';
  const sizes = sizesOf(rs);
  const out: string[] = [];
  out.push(`# ${options.title ?? 'dpmambair cross-backend benchmark'}`, '');
  if (!rs.length) {
    out.push('No benchmark records yet: run `npm run bench` and `npm run bench:browser`.', '');
    return out.join('\n');
  }
  const models = [...new Set(rs.map((r) => `\`${r.model.name}\` from \`${r.model.source}\`${r.model.sha256 ? ` (sha256 ${r.model.sha256.slice(0, 12)}…)` : ''}${r.model.trained ? '' : ' (random golden weights: timings valid, quality meaningless)'}`))];
  const hosts = [...new Set(rs.map((r) => `${r.host.cpu}, ${r.host.cores} cores, ${r.host.platform}`))];
  const dates = rs.map((r) => r.date).sort();
  out.push(`Model: ${models.join('; ')}.  `, `Host: ${hosts.join('; ')}.  `, `Runs: ${dates[0]} to ${dates[dates.length - 1]}.`, '');
  if (models.length > 1) out.push('> **Records of different model snapshots are mixed here:** quality and agreement are only comparable between records of the same sha256.', '');
  const loads = rs.flatMap((r) => r.host.loadAverage?.[0] ?? []);
  const training = rs.filter((r) => r.host.trainingJobRunning).map(label);
  out.push(
    '> **Read these numbers as a floor, not a ceiling.** They were measured on a small shared CPU machine' +
      (loads.length ? ` (1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs)` : '') +
      (training.length === rs.length
        ? ' while a model training job (`models/train.py`, niced) was running in the background and competing for the same cores'
        : training.length
          ? ` while a model training job (\`models/train.py\`, niced) competed for the same cores during the runs of ${training.join(', ')}`
          : '') +
      '; an idle machine is faster. Rows marked **[CPU-emulated]** ran a GPU API (WebGPU or WebGL) on SwiftShader, a CPU ' +
      'software rasteriser: they show that the device works, never how fast a GPU is.',
    '',
  );

  out.push('## Summary', '');
  out.push(`| device | backend | session | warm-up (first run) | steady | ${sizes.map((s) => `${s}²`).join(' | ')} | best MP/s | peak RSS | agreement vs cpu (max abs / PSNR) | quality PSNR / SSIM (input → restored) |`);
  out.push(`| --- | --- | --- | --- | --- | ${sizes.map(() => '---').join(' | ')} | --- | --- | --- | --- |`);
  for (const r of rs) {
    const cells = sizes.map((s) => {
      const p = r.latency.find((q) => q.size === s);
      if (p) return p.warmupOnly ? `${ms(p.medianMs)} (cold)` : ms(p.medianMs);
      return r.skipped.some((q) => q.size === s) ? 'skipped' : '–';
    });
    const a = r.agreement;
    const agreement = !a ? '–' : r.device === a.reference && r.runtime === 'node' ? 'reference' : `${a.maxAbsDiff.toExponential(1)} / ${a.psnr === null ? 'identical' : `${a.psnr.toFixed(1)} dB`}`;
    const q = meanQuality(r);
    const quality = q ? `${num(q.inputPsnr)} → **${num(q.psnr)}** dB / ${num(q.inputSsim, 3)} → **${num(q.ssim, 3)}**` : r.quality?.skipped ? 'skipped' : '–';
    out.push(`| ${label(r)} | ${r.backend} | ${ms(r.sessionMs)} | ${ms(r.warmup.firstMs)} at ${r.warmup.size}² | ${ms(r.warmup.steadyMs)} | ${cells.join(' | ')} | ${peakThroughput(r) === undefined ? '–' : fmt(peakThroughput(r)!)} | ${r.memory.peakRssMB == null ? '–' : `${r.memory.peakRssMB.toFixed(0)} MB`} | ${agreement} | ${quality} |`);
  }
  out.push('', `![latency](${prefix}bench-latency.svg)`, '', `![throughput](${prefix}bench-throughput.svg)`, '', `![quality](${prefix}bench-quality.svg)`, '');

  const missing = (options.unavailable ?? []).flatMap((u) => u.devices.map((d) => ({ ...d, runtime: u.runtime })));
  if (missing.length) {
    out.push('## Not available here', '');
    for (const d of missing) out.push(`- ${d.device} (${d.runtime}): ${d.reason}`);
    out.push('');
  }

  const skipped = rs.filter((r) => r.skipped.length || r.quality?.skipped);
  if (skipped.length) {
    out.push('## Skipped: sizes too slow here, and sets not run', '');
    for (const r of skipped) {
      for (const s of r.skipped) out.push(`- ${label(r)}, ${s.size}²: ${s.reason}`);
      if (r.quality?.skipped) out.push(`- ${label(r)}, evaluation set: ${r.quality.skipped}`);
    }
    out.push('');
  }

  const withQ = rs.filter((r) => r.quality?.items.length);
  if (withQ.length) {
    const names = [...new Set(withQ.flatMap((r) => r.quality!.items.map((i) => i.name)))];
    out.push('## Quality per degradation (PSNR dB / SSIM against the clean reference)', '');
    out.push(`| device | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---').join(' | ')} |`);
    const first = withQ[0].quality!.items;
    out.push(`| *degraded input* | ${names.map((n) => { const i = first.find((x) => x.name === n); return i ? `${num(i.inputPsnr)} / ${num(i.inputSsim, 3)}` : '–'; }).join(' | ')} |`);
    for (const r of withQ) {
      out.push(`| ${label(r)} | ${names.map((n) => { const i = r.quality!.items.find((x) => x.name === n); return i ? `${num(i.psnr)} / ${num(i.ssim, 3)}` : '–'; }).join(' | ')} |`);
    }
    out.push('', `Set: ${withQ[0].quality!.set}`, '');
  }

  out.push('## Per device', '');
  for (const r of rs) {
    out.push(`### ${label(r)}`, '');
    out.push(`- backend ${r.backend}, ${r.runtime} ${r.host.runtimeVersion}${r.host.threads ? `, ${r.host.threads} thread(s)` : ''}; run ${r.date}, ${ms(r.wallMs)} in all`);
    if (r.emulated) out.push(`- **${r.emulated}**`);
    out.push(`- session (compile both graphs) ${ms(r.sessionMs)}; first restore at ${r.warmup.size}² ${ms(r.warmup.firstMs)} vs steady ${Number.isFinite(r.warmup.steadyMs) ? `${ms(r.warmup.steadyMs)} (warm-up costs ${fmt(r.warmup.firstMs / r.warmup.steadyMs)}x)` : 'not measured (no second run fitted in the budget)'}`);
    for (const p of r.latency) {
      out.push(p.warmupOnly
        ? `- ${p.size}²: ${ms(p.medianMs)} for the warm-up run only (no steady-state run fitted in the budget), ${num(p.mpPerS, 3)} MP/s`
        : `- ${p.size}²: median ${ms(p.medianMs)} over ${p.runs.length} run(s) [${p.runs.map((v) => ms(v)).join(', ')}], ${num(p.mpPerS, 3)} MP/s`);
    }
    out.push(`- peak memory: ${r.memory.peakRssMB == null ? 'not measured' : `${r.memory.peakRssMB.toFixed(0)} MB`}${r.memory.baselineRssMB != null ? ` (${r.memory.baselineRssMB.toFixed(0)} MB before the model loaded)` : ''}; ${r.memory.how}`);
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## Method', '');
  out.push(
    `- Inputs: one photo (the astronaut sample box-downscaled to 256²) for every device; larger sizes are bilinear upscales of it. Default tiling (tiles of at most ${DEFAULT_TILE}², ${DEFAULT_OVERLAP} px overlap), so ${[512, 1024, 2048].map((n) => `${n}² runs ${spans(n, DEFAULT_TILE, DEFAULT_OVERLAP).length ** 2}`).join(', ')} tiles.`,
    '- Warm-up: the first restore after the session is created (graph compilation is reported separately as "session"); steady: the median of the following runs (at least 2 where the time budget allows, at most 5).',
    '- Sizes run in ascending order under a per-device time budget; a size whose one run is estimated (time of the previous size × pixel ratio) to exceed what is left is skipped and listed above.',
    '- Agreement: the device\'s raw (unclamped) output for the 256² input against onnxruntime-node `cpu`\'s, max absolute difference and PSNR (data range 1).',
    '- Quality: the fixed evaluation set in `apps/bench/fixtures/eval` (one held-out crop per degradation with its clean reference); outputs clamped to [0, 1]; PSNR and SSIM from `@dpmambair/core`.',
    '- Memory: Node devices run each in a child process (peak RSS = its `maxRSS`); browser devices each in a fresh Chromium, peak = the largest `VmHWM` of its renderer processes.',
    '',
  );
  return out.join('\n');
}
