/**
 * CPU benchmark of the restore pipeline on onnxruntime-node (issues: foundation, 12).
 *
 *   npx tsx benchmarks/cpu.ts [--quick] [--paper] [--tile N] [--rounds N] [--no-memory-reducer]
 *
 * For `small` (and, with --paper, `paper` at 256²: minutes more per round) it prints ms per
 * megapixel, peak RSS and how time grows with image size, with the selective scan on our kernel
 * (@dpmambair/scan-wasm, the cpu default) and, at some sizes, on com.microsoft.LinearAttention (the
 * one-model lowering), in the same run. Two floors, measured in the same run: (a) the model's
 * conv/matmul FLOPs at the GFLOP/s of a plain conv net plus its scan elements at the kernel's own
 * ns/element at each scan shape (2 threads); (b) the same with the scan at the plain C loop's
 * ns/element (benchmarks/scan-loop.c, one thread; needs gcc).
 * Each (config, size, scan) restores in a process of its own, so peak RSS belongs to it alone; all
 * of them start (and restore once, onnxruntime planning the shapes) before the timing, then
 * restore one at a time in --rounds rounds (default 3: about 5 minutes here), every size once per round, so a slow
 * minute of a shared machine hits every size alike. Each timed restore records its wall time and
 * its process's CPU time (user + system of every thread: onnxruntime's intra-op pool and the scan
 * kernel's workers); the tables give medians and their range, and the linearity of both per
 * megapixel against the smallest size (issue 12: within +-15%) beside the pixels the tiles compute.
 * Tiles: core's default (DEFAULT_TILE) unless --tile N. --no-memory-reducer starts the restoring
 * processes with V8's flag of that name (see cpu.md: with the whole image's float buffers alive,
 * V8's memory reducer makes every tile page-fault memory afresh).
 * Results go to benchmarks/results/cpu.md and cpu.json (with --tile or --no-memory-reducer, a record of
 * their own).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  buildExtractorGraph, buildRestorerGraph, emitOnnx, extractorInput, getConfig, graphCost, GraphBuilder, openModelSession, ParamStore,
  parameterCount, prepareModel, randomParams, restoreImage, seededRandom, tileGrid, DEFAULT_OVERLAP, DEFAULT_TILE, type ModelConfig, type RgbImage,
} from '@dpmambair/core';
import { createOnnxNodeBackend, type ScanLowering } from '@dpmambair/backend-cuda';
import { createScanKernel } from '@dpmambair/scan-wasm';
import * as ort from 'onnxruntime-node';
import { elements, kernelNs, load, machine, plainLoopNs, shapeKey, timeBest, type ScanShape } from './scan-costs.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rand = seededRandom(1);
const fill = (n: number) => Float32Array.from({ length: n }, () => rand());

/**
 * GFLOP/s of a plain conv net (four 3x3 convs, 32 channels, 256x256) on this CPU: the best of
 * onnxruntime's 'all' (NCHWc conv layout) and 'extended' optimisation levels, whichever the
 * backend uses, so the floor is what a plain conv net can do here.
 */
async function convGflops(): Promise<number> {
  const g = new GraphBuilder();
  const params = new ParamStore();
  let x = g.input('x', [1, 32, 256, 256]);
  for (let i = 0; i < 4; i++) {
    params.set(`w${i}`, [32, 32, 3, 3], fill(32 * 32 * 9).map((v) => (v - 0.5) * 0.1));
    x = g.conv2d(x, g.param(`w${i}`, [32, 32, 3, 3]));
  }
  g.output('y', x);
  const model = emitOnnx(g.build(), params);
  const input = new ort.Tensor('float32', fill(32 * 256 * 256), [1, 32, 256, 256]);
  let best = Infinity;
  for (const level of ['all', 'extended'] as const) {
    const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: level });
    best = Math.min(best, await timeBest(() => session.run({ x: input }), 5));
    await session.release();
  }
  return (4 * 2 * 32 * 32 * 9 * 256 * 256) / (best * 1e6);
}

/** One timed restore: wall time, and CPU time of the whole process (every thread) over the same span. */
interface Timing { ms: number; cpuMs: number }

async function timedRestore(session: Awaited<ReturnType<typeof openModelSession>>, image: RgbImage, tile: number): Promise<Timing> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await restoreImage(session, image, { tile });
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Child mode: open a session for one size and restore one random image once (onnxruntime plans
 * the shapes), tell the parent, then restore it again on each 'run' message, replying with the
 * timing and the peak RSS so far.
 */
async function child(configName: string, size: number, tile: number, scan: ScanLowering): Promise<void> {
  const config = getConfig(configName);
  const session = await openModelSession(createOnnxNodeBackend({ scan }), prepareModel(config, randomParams(config, 1)), 'cpu');
  const image = { width: size, height: size, rgb: fill(3 * size * size) };
  const first = await timedRestore(session, image, tile);
  process.send!({ firstMs: first.ms });
  process.on('message', async (message) => {
    if (message !== 'run') process.exit(0);
    const timing = await timedRestore(session, image, tile);
    process.send!({ ...timing, peakRssMB: process.resourceUsage().maxRSS / 1024 });
  });
  process.on('disconnect', () => process.exit(0));
}

const noMemoryReducer = process.argv.includes('--no-memory-reducer');

/** A restoring child process of one (config, size, scan), driven one restore at a time. */
class Restorer {
  private reply?: { resolve: (message: unknown) => void; reject: (error: Error) => void };
  private constructor(private readonly process: ChildProcess, readonly label: string) {
    process.on('message', (message) => { const r = this.reply; this.reply = undefined; r?.resolve(message); });
    process.on('exit', (code, signal) => this.reply?.reject(new Error(`cpu.ts: the ${label} process ended (${signal ?? `exit ${code}`}) before it replied`)));
  }

  /** Starts the process; resolves once it has restored the image once, with that restore's ms. */
  static async start(configName: string, size: number, tile: number, scan: ScanLowering): Promise<{ restorer: Restorer; firstMs: number }> {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', configName, String(size), String(tile), scan], {
      execArgv: [...(noMemoryReducer ? ['--no-memory-reducer'] : []), '--import', 'tsx'],
    });
    const restorer = new Restorer(proc, `${configName} ${size}² ${scan}`);
    const { firstMs } = await restorer.next<{ firstMs: number }>();
    return { restorer, firstMs };
  }

  /** One steady restore, timed in the child. */
  run(): Promise<Timing & { peakRssMB: number }> {
    const reply = this.next<Timing & { peakRssMB: number }>();
    this.process.send('run');
    return reply;
  }

  close(): void {
    this.process.disconnect();
  }

  private next<T>(): Promise<T> {
    return new Promise((resolve, reject) => { this.reply = { resolve: (message) => resolve(message as T), reject }; });
  }
}

/** How restoreBands tiles a square image: tiles per side, the padded tile side, and the pixels the tiles compute over the image's own. */
function tiling(size: number, tile: number) {
  const grid = tileGrid(size, size, tile, DEFAULT_OVERLAP);
  return { perSide: grid.xs.length, tileSide: grid.tileWidth, computedOverImage: (grid.xs.length * grid.tileWidth) ** 2 / (size * size) };
}

/** Every scan node of one tile's restorer, and how many tiles of that shape an image has; the extractor's FLOPs. */
function work(config: ModelConfig, size: number, tile: number) {
  const { perSide, tileSide } = tiling(size, tile);
  const restorer = buildRestorerGraph(config, { size: [tileSide, tileSide] });
  const scans: ScanShape[] = restorer.nodes.flatMap((node) => node.op !== 'selectiveScan' ? [] : [{
    tokens: node.x.shape[1] as number, channels: node.x.shape[2] as number, states: node.A.shape[1] as number,
  }]);
  const crops = extractorInput({ width: size, height: size, rgb: new Float32Array(3 * size * size) }).shape;
  const extractor = graphCost(buildExtractorGraph(config, { reparameterised: true, size: [crops[0], crops[2], crops[3]] }));
  return { tiles: perSide ** 2, tileFlops: graphCost(restorer).convMatmulFlops, scans, extractorFlops: extractor.convMatmulFlops };
}

/** A floor for one image: conv/matmul FLOPs at the plain conv net's speed plus every scan at `nsPerElement(shape)`. */
function floorMs(w: ReturnType<typeof work>, gflops: number, nsPerElement: (s: ScanShape) => number): number {
  const scanMs = w.scans.reduce((sum, s) => sum + (elements(s) * nsPerElement(s)) / 1e6, 0);
  return (w.tileFlops / (gflops * 1e6) + scanMs) * w.tiles + w.extractorFlops / (gflops * 1e6);
}

const median = (values: number[]) => {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

type Ticks = { busy: number; steal: number; total: number };

/** The machine's CPU time so far from /proc/stat (clock ticks, all CPUs): busy (not idle or iowait), stolen by the host, total; undefined off Linux. */
function machineTicks(): Ticks | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** What the machine did over `seconds` between two readings: busy CPU seconds, how many of them were the timed restores', host steal. */
function machineLoad(before: Ticks | undefined, after: Ticks | undefined, seconds: number, restoresCpuSeconds: number): string {
  if (!before || !after) return 'no /proc/stat here';
  const total = after.total - before.total;
  const capacity = seconds * os.cpus().length;
  const busy = ((after.busy - before.busy) / total) * capacity;
  return `the CPUs were busy ${busy.toFixed(0)} s of ${capacity.toFixed(0)} (${os.cpus().length} x ${seconds.toFixed(0)} s), ${restoresCpuSeconds.toFixed(0)} s of it the timed restores (the rest: this script, the idle restoring processes, anything else); host steal ${((100 * (after.steal - before.steal)) / total).toFixed(1)}% of the CPUs' time`;
}

/** A number of rounds from --rounds N (a whole number >= 1), the default without it; exits 2 with a one-line error otherwise. */
function roundsArg(fallback: number): number {
  const at = process.argv.indexOf('--rounds');
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!(Number.isInteger(value) && value >= 1)) {
    console.error(`cpu.ts: --rounds needs a whole number >= 1, got '${process.argv[at + 1] ?? ''}'`);
    process.exit(2);
  }
  return value;
}

const percent = (v: number) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(0)}%`;
/** Lowest-highest of some values, whole numbers or with `digits` decimals. */
const range = (v: number[], digits = 0) => `${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)}`;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rounds = roundsArg(3);
  const tileArg = process.argv.indexOf('--tile');
  const tile = tileArg > 0 ? Number(process.argv[tileArg + 1]) : DEFAULT_TILE;
  if (!(Number.isInteger(tile) && tile >= 16)) {
    console.error(`cpu.ts: --tile needs a whole number of pixels >= 16, got '${process.argv[tileArg + 1] ?? ''}'`);
    process.exit(2);
  }
  const before = load();
  const gflops = await convGflops();
  console.log(`plain conv net: ${gflops.toFixed(1)} GFLOP/s`);
  // [config, size, lowerings]: the kernel everywhere, LinearAttention where the ratio is asked for.
  const plans: [string, number, ScanLowering[]][] = quick
    ? [['small', 256, ['kernel', 'linearAttention']], ['small', 512, ['kernel']]]
    : [['small', 512, ['kernel']], ['small', 1024, ['kernel', 'linearAttention']], ['small', 2048, ['kernel']],
      ...(process.argv.includes('--paper') ? [['paper', 256, ['kernel', 'linearAttention']] as [string, number, ScanLowering[]]] : [])];
  const kernel = await createScanKernel({ threads: 2 });
  const kernelCosts = new Map<string, number>();
  const loopCosts = new Map<string, number | undefined>();
  const floors = new Map<string, { floorA: number; floorB?: number }>();
  for (const [name, size] of plans) {
    const w = work(getConfig(name), size, tile);
    for (const s of w.scans) {
      const key = shapeKey(s);
      if (!kernelCosts.has(key)) kernelCosts.set(key, await kernelNs(kernel, s));
      if (!loopCosts.has(key)) loopCosts.set(key, plainLoopNs(s));
    }
    const haveLoop = w.scans.every((s) => loopCosts.get(shapeKey(s)) !== undefined);
    floors.set(`${name}/${size}`, {
      floorA: floorMs(w, gflops, (s) => kernelCosts.get(shapeKey(s))!),
      floorB: haveLoop ? floorMs(w, gflops, (s) => loopCosts.get(shapeKey(s))!) : undefined,
    });
  }
  await kernel.dispose();

  // Every restoring process starts and restores once before any timing; then the rounds.
  const runs = plans.flatMap(([name, size, lowerings]) => lowerings.map((scan) => ({ name, size, scan, firstMs: 0, peakRssMB: 0, timings: [] as Timing[] })));
  const restorers: Restorer[] = [];
  for (const run of runs) {
    const { restorer, firstMs } = await Restorer.start(run.name, run.size, tile, run.scan);
    restorers.push(restorer);
    run.firstMs = firstMs;
    console.log(`started ${restorer.label}: first restore ${Math.round(firstMs)} ms`);
  }
  const ticksBefore = machineTicks();
  const roundsStart = performance.now();
  for (let round = 1; round <= rounds; round++) {
    for (const [i, run] of runs.entries()) {
      const { peakRssMB, ...timing } = await restorers[i].run();
      run.timings.push(timing);
      run.peakRssMB = peakRssMB;
      console.log(`round ${round}/${rounds} ${restorers[i].label}: ${Math.round(timing.ms)} ms, CPU ${Math.round(timing.cpuMs)} ms`);
    }
  }
  const roundsSeconds = (performance.now() - roundsStart) / 1000;
  const ticksAfter = machineTicks();
  for (const restorer of restorers) restorer.close();
  const restoresCpuSeconds = runs.reduce((sum, run) => sum + run.timings.reduce((s, t) => s + t.cpuMs, 0), 0) / 1000;
  const during = machineLoad(ticksBefore, ticksAfter, roundsSeconds, restoresCpuSeconds);

  const rows: Record<string, unknown>[] = [];
  const linearity: Record<string, unknown>[] = [];
  const previous = new Map<string, number>();
  const kernelMs = new Map<string, number>();
  for (const run of runs) {
    const { name, size, scan, timings } = run;
    const { floorA, floorB } = floors.get(`${name}/${size}`)!;
    const mp = (size * size) / 1e6;
    const ms = median(timings.map((t) => t.ms));
    const cpuMs = median(timings.map((t) => t.cpuMs));
    if (scan === 'kernel') kernelMs.set(`${name}/${size}`, ms);
    const key = `${name}/${scan}`;
    const prev = previous.get(key);
    previous.set(key, ms);
    const row = {
      config: name, size: `${size}x${size}`, scan, ms: Math.round(ms), msRange: range(timings.map((t) => t.ms)), firstMs: Math.round(run.firstMs), msPerMP: Math.round(ms / mp),
      cpuMsPerMP: Math.round(cpuMs / mp), cpuOverWall: +(cpuMs / ms).toFixed(2),
      peakRssMB: Math.round(run.peakRssMB), floorA: Math.round(floorA), vsFloorA: +(ms / floorA).toFixed(2),
      floorB: floorB === undefined ? null : Math.round(floorB), vsFloorB: floorB === undefined ? null : +(ms / floorB).toFixed(2),
      growth: prev ? +(ms / prev).toFixed(2) : null,
      laOverKernel: scan === 'linearAttention' && kernelMs.has(`${name}/${size}`) ? +(ms / kernelMs.get(`${name}/${size}`)!).toFixed(2) : null,
      timings: timings.map((t) => ({ ms: Math.round(t.ms), cpuMs: Math.round(t.cpuMs) })),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  // Linearity: each size's time per megapixel over the smallest size's (same config and scan), as
  // medians and, round by round, as the range of that round's ratio.
  for (const run of runs) {
    const group = runs.filter((r) => r.name === run.name && r.scan === run.scan);
    if (group.length < 2) continue;
    const base = group.reduce((a, b) => (b.size < a.size ? b : a));
    const perMp = (r: typeof run, pick: (t: Timing) => number) => r.timings.map((t) => pick(t) / ((r.size * r.size) / 1e6));
    const ratios = (pick: (t: Timing) => number) => {
      const mine = perMp(run, pick);
      const theirs = perMp(base, pick);
      return { perMp: median(mine), overSmallest: median(mine) / median(theirs), rounds: mine.map((v, i) => v / theirs[i]) };
    };
    const wall = ratios((t) => t.ms);
    const cpu = ratios((t) => t.cpuMs);
    const computed = tiling(run.size, tile).computedOverImage;
    const computedGrowth = computed / tiling(base.size, tile).computedOverImage;
    linearity.push({
      config: run.name, scan: run.scan, size: `${run.size}x${run.size}`, smallest: run === base,
      computedOverImage: +computed.toFixed(2), computedOverSmallest: +computedGrowth.toFixed(2),
      msPerMP: Math.round(wall.perMp), wallOverSmallest: +wall.overSmallest.toFixed(2), wallRounds: range(wall.rounds, 2),
      cpuMsPerMP: Math.round(cpu.perMp), cpuOverSmallest: +cpu.overSmallest.toFixed(2), cpuRounds: range(cpu.rounds, 2),
      wallPerComputed: +(wall.overSmallest / computedGrowth).toFixed(2), cpuPerComputed: +(cpu.overSmallest / computedGrowth).toFixed(2),
    });
  }
  const verdict = (pick: (r: Record<string, unknown>) => number, what: string) => {
    const others = linearity.filter((r) => !r.smallest);
    if (!others.length) return `${what}: one size only, nothing to compare`;
    const worst = others.reduce((a, b) => (Math.abs(pick(b) - 1) > Math.abs(pick(a) - 1) ? b : a));
    const off = pick(worst) - 1;
    return `${what}: ${Math.abs(off) <= 0.15 ? 'met' : 'not met'} (furthest: ${worst.config} ${worst.size} ${worst.scan} ${percent(off)} per megapixel against the smallest size)`;
  };
  const ratio = (v: unknown) => (v as number).toFixed(2);
  const fmtCosts = (m: Map<string, number | undefined>) => [...m].map(([k, v]) => `${k} ${v === undefined ? 'n/a' : v.toFixed(2)}`).join(', ');
  const sizesTiled = plans.map(([, size]) => size).filter((v, i, all) => all.indexOf(v) === i)
    .map((size) => { const t = tiling(size, tile); return `${size}²: ${t.perSide ** 2} of ${t.tileSide}`; }).join(', ');
  const params = Object.fromEntries(['small', 'paper'].map((n) => [n, parameterCount(getConfig(n)).total]));
  const md = [
    '# CPU benchmark (onnxruntime-node, CPU execution provider)',
    '',
    `Command: \`npx tsx benchmarks/cpu.ts${process.argv.slice(2).map((a) => ` ${a}`).join('')}\`. Date: ${new Date().toISOString()}. Machine: ${machine()}.`,
    `Load before the run: ${before}. After: ${load()}. During the ${rounds} timed rounds: ${during}.`,
    `Random weights of each config (speed does not depend on the values). Largest tile ${tile} (${sizesTiled}), overlap ${DEFAULT_OVERLAP}. Parameters: small ${params.small}, paper ${params.paper}.`,
    '`scan`: `kernel` = our WebAssembly kernel between ONNX segments (the cpu default), `linearAttention` = com.microsoft.LinearAttention in one ONNX model.',
    `Floor (a) = conv/matmul FLOPs at the plain conv net's ${gflops.toFixed(1)} GFLOP/s + each scan node's elements at the kernel's ns/element at that shape, whole call on 2 threads (same run; tokens/channels/states): ${fmtCosts(kernelCosts)}.`,
    `Floor (b) = the same with the scan at the plain C loop's ns/element, one thread (benchmarks/scan-loop.c, gcc -O3 -march=native): ${fmtCosts(loopCosts)}.`,
    `Each row restores in a process of its own; all of them restored once (\`first ms\`, onnxruntime planning the shapes), then each restored once per round, in table order, for ${rounds} rounds. \`ms\` is the median of those steady restores and \`ms range\` their fastest and slowest; \`CPU ms/MP\` the median CPU time (user + system, every thread of the process) per megapixel, \`CPU / wall\` the median CPU time over the median wall time (2.00 = two cores busy throughout).`,
    '`growth` = time over the previous size with the same scan (4 pixels per pixel before: linear is 4.0). `LA / kernel` = LinearAttention time over kernel time, same size, same run.',
    '',
    '| config | size | scan | ms | ms range | first ms | ms/MP | CPU ms/MP | CPU / wall | peak RSS MB | floor (a) ms | vs (a) | floor (b) ms | vs (b) | growth | LA / kernel |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.config} | ${r.size} | ${r.scan} | ${r.ms} | ${r.msRange} | ${r.firstMs} | ${r.msPerMP} | ${r.cpuMsPerMP} | ${ratio(r.cpuOverWall)} | ${r.peakRssMB} | ${r.floorA} | ${r.vsFloorA} | ${r.floorB ?? 'n/a'} | ${r.vsFloorB ?? 'n/a'} | ${r.growth ?? ''} | ${r.laOverKernel ?? ''} |`),
    '',
    'Linearity (issue 12: time per megapixel within +-15% across sizes), against the smallest size of the same config and scan. `over smallest` = median ms/MP over the smallest size\'s median ms/MP (1.00 is linear); `rounds` = the same ratio within each round, lowest and highest. `computed / image` = pixels the tiles compute (overlaps, and padding to multiples of 8; from core\'s tiling) over the image\'s, `computed growth` that factor over the smallest size\'s; `per computed pixel` = `over smallest` / `computed growth`, what the overlaps do not explain.',
    '',
    '| config | scan | size | computed / image | computed growth | wall ms/MP | wall over smallest | wall, rounds | CPU ms/MP | CPU over smallest | CPU, rounds | wall per computed pixel | CPU per computed pixel |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...linearity.map((r) => `| ${r.config} | ${r.scan} | ${r.size} | ${ratio(r.computedOverImage)} | ${ratio(r.computedOverSmallest)} | ${r.msPerMP} | ${ratio(r.wallOverSmallest)} | ${r.wallRounds} | ${r.cpuMsPerMP} | ${ratio(r.cpuOverSmallest)} | ${r.cpuRounds} | ${ratio(r.wallPerComputed)} | ${ratio(r.cpuPerComputed)} |`),
    '',
    `- ${verdict((r) => r.wallOverSmallest as number, 'Wall time')}.`,
    `- ${verdict((r) => r.cpuOverSmallest as number, 'CPU time')}.`,
    '',
  ].join('\n');
  // A run with another tile or V8 setting keeps the default's record.
  const record = `${here}/results/cpu${quick ? '-quick' : ''}${tileArg > 0 ? `-tile${tile}` : ''}${noMemoryReducer ? '-no-memory-reducer' : ''}`;
  writeFileSync(`${record}.md`, md);
  writeFileSync(`${record}.json`, JSON.stringify({ machine: machine(), load: before, during, rounds, gflops, kernelCosts: Object.fromEntries(kernelCosts), loopCosts: Object.fromEntries(loopCosts), rows, linearity }, null, 2));
  console.log(md);
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6] as ScanLowering);
else await main();
