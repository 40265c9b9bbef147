/**
 * CPU benchmark of the restore pipeline on onnxruntime-node (issues: foundation, 12).
 *
 *   npx tsx benchmarks/cpu.ts [--quick] [--paper] [--tile N] [--no-memory-reducer]
 *
 * For `small` (and, with --paper, `paper` at 256²: minutes more) it prints ms per megapixel, peak
 * RSS and how time grows with image size, with the selective scan on our kernel (@dpmambair/scan-wasm, the cpu default) and, at some sizes,
 * on com.microsoft.LinearAttention (the one-model lowering), in the same run. Two floors, measured
 * in the same run: (a) the model's conv/matmul FLOPs at the GFLOP/s of a plain conv net plus its
 * scan elements at the kernel's own ns/element at each scan shape (2 threads); (b) the same with
 * the scan at the plain C loop's ns/element (benchmarks/scan-loop.c, one thread; needs gcc).
 * Tiles: core's default (DEFAULT_TILE) unless --tile N. Each measurement runs in its own child
 * process so peak RSS belongs to it alone; --no-memory-reducer starts those with V8's flag of that
 * name (see cpu.md: with the whole image's float buffers alive, V8's memory reducer makes every tile
 * page-fault memory afresh).
 * Results go to benchmarks/results/cpu.md and cpu.json (with --tile or --no-memory-reducer, a record of
 * their own).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildExtractorGraph, buildRestorerGraph, emitOnnx, extractorInput, getConfig, graphCost, GraphBuilder, openModelSession, ParamStore,
  parameterCount, prepareModel, randomParams, restoreImage, roundUp, seededRandom, spans, DEFAULT_OVERLAP, DEFAULT_TILE, type ModelConfig,
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

/** Child mode: restore one random image of one size, print ms and peak RSS as JSON. */
async function child(configName: string, size: number, tile: number, scan: ScanLowering): Promise<void> {
  const config = getConfig(configName);
  const session = await openModelSession(createOnnxNodeBackend({ scan }), prepareModel(config, randomParams(config, 1)), 'cpu');
  const image = { width: size, height: size, rgb: fill(3 * size * size) };
  let t = performance.now();
  await restoreImage(session, image, { tile });
  const firstMs = performance.now() - t;
  t = performance.now();
  await restoreImage(session, image, { tile });
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ms, firstMs, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

const noMemoryReducer = process.argv.includes('--no-memory-reducer');

function measure(configName: string, size: number, tile: number, scan: ScanLowering): { ms: number; firstMs: number; peakRssMB: number } {
  const args = [...(noMemoryReducer ? ['--no-memory-reducer'] : []), '--import', 'tsx', fileURLToPath(import.meta.url), '--child', configName, String(size), String(tile), scan];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** Every scan node of one tile's restorer, and how many tiles of that shape an image has; the extractor's FLOPs. */
function work(config: ModelConfig, size: number, tile: number) {
  const tileSpans = spans(size, tile, DEFAULT_OVERLAP);
  const side = roundUp(tileSpans[0].length);
  const restorer = buildRestorerGraph(config, { size: [side, side] });
  const scans: ScanShape[] = restorer.nodes.flatMap((node) => node.op !== 'selectiveScan' ? [] : [{
    tokens: node.x.shape[1] as number, channels: node.x.shape[2] as number, states: node.A.shape[1] as number,
  }]);
  const crops = extractorInput({ width: size, height: size, rgb: new Float32Array(3 * size * size) }).shape;
  const extractor = graphCost(buildExtractorGraph(config, { reparameterised: true, size: [crops[0], crops[2], crops[3]] }));
  return { tiles: tileSpans.length ** 2, tileFlops: graphCost(restorer).convMatmulFlops, scans, extractorFlops: extractor.convMatmulFlops };
}

/** A floor for one image: conv/matmul FLOPs at the plain conv net's speed plus every scan at `nsPerElement(shape)`. */
function floorMs(w: ReturnType<typeof work>, gflops: number, nsPerElement: (s: ScanShape) => number): number {
  const scanMs = w.scans.reduce((sum, s) => sum + (elements(s) * nsPerElement(s)) / 1e6, 0);
  return (w.tileFlops / (gflops * 1e6) + scanMs) * w.tiles + w.extractorFlops / (gflops * 1e6);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const before = load();
  const gflops = await convGflops();
  console.log(`plain conv net: ${gflops.toFixed(1)} GFLOP/s`);
  // [config, size, lowerings]: the kernel everywhere, LinearAttention where the ratio is asked for.
  const plans: [string, number, ScanLowering[]][] = quick
    ? [['small', 256, ['kernel', 'linearAttention']], ['small', 512, ['kernel']]]
    : [['small', 512, ['kernel']], ['small', 1024, ['kernel', 'linearAttention']], ['small', 2048, ['kernel']],
      ...(process.argv.includes('--paper') ? [['paper', 256, ['kernel', 'linearAttention']] as [string, number, ScanLowering[]]] : [])];
  const tileArg = process.argv.indexOf('--tile');
  const tile = tileArg > 0 ? Number(process.argv[tileArg + 1]) : DEFAULT_TILE;
  if (!(Number.isInteger(tile) && tile >= 16)) {
    console.error(`cpu.ts: --tile needs a whole number of pixels >= 16, got '${process.argv[tileArg + 1] ?? ''}'`);
    process.exit(2);
  }
  const kernel = await createScanKernel({ threads: 2 });
  const kernelCosts = new Map<string, number>();
  const loopCosts = new Map<string, number | undefined>();
  const rows: Record<string, unknown>[] = [];
  const previous = new Map<string, number>();
  for (const [name, size, lowerings] of plans) {
    const config = getConfig(name);
    const w = work(config, size, tile);
    for (const s of w.scans) {
      const key = shapeKey(s);
      if (!kernelCosts.has(key)) kernelCosts.set(key, await kernelNs(kernel, s));
      if (!loopCosts.has(key)) loopCosts.set(key, plainLoopNs(s));
    }
    const floorA = floorMs(w, gflops, (s) => kernelCosts.get(shapeKey(s))!);
    const haveLoop = w.scans.every((s) => loopCosts.get(shapeKey(s)) !== undefined);
    const floorB = haveLoop ? floorMs(w, gflops, (s) => loopCosts.get(shapeKey(s))!) : undefined;
    const mp = (size * size) / 1e6;
    const byLowering: Record<string, number> = {};
    for (const scan of lowerings) {
      const { ms, firstMs, peakRssMB } = measure(name, size, tile, scan);
      byLowering[scan] = ms;
      const prev = previous.get(`${name}/${scan}`);
      previous.set(`${name}/${scan}`, ms);
      const row = {
        config: name, size: `${size}x${size}`, scan, ms: Math.round(ms), firstMs: Math.round(firstMs), msPerMP: Math.round(ms / mp),
        peakRssMB: Math.round(peakRssMB), floorA: Math.round(floorA), vsFloorA: +(ms / floorA).toFixed(2),
        floorB: floorB === undefined ? null : Math.round(floorB), vsFloorB: floorB === undefined ? null : +(ms / floorB).toFixed(2),
        growth: prev ? +(ms / prev).toFixed(2) : null,
        laOverKernel: scan === 'linearAttention' && byLowering.kernel ? +(ms / byLowering.kernel).toFixed(2) : null,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  await kernel.dispose();
  const fmtCosts = (m: Map<string, number | undefined>) => [...m].map(([k, v]) => `${k} ${v === undefined ? 'n/a' : v.toFixed(2)}`).join(', ');
  const sizesTiled = plans.map(([, size]) => size).filter((v, i, all) => all.indexOf(v) === i)
    .map((size) => { const t = spans(size, tile, DEFAULT_OVERLAP); return `${size}²: ${t.length ** 2} of ${roundUp(t[0].length)}`; }).join(', ');
  const params = Object.fromEntries(['small', 'paper'].map((n) => [n, parameterCount(getConfig(n)).total]));
  const md = [
    '# CPU benchmark (onnxruntime-node, CPU execution provider)',
    '',
    `Command: \`npx tsx benchmarks/cpu.ts${process.argv.slice(2).map((a) => ` ${a}`).join('')}\`. Date: ${new Date().toISOString()}. Machine: ${machine()}.`,
    `Load before the run: ${before}. After: ${load()}.`,
    `Random weights of each config (speed does not depend on the values). Largest tile ${tile} (${sizesTiled}), overlap ${DEFAULT_OVERLAP}. Parameters: small ${params.small}, paper ${params.paper}.`,
    '`scan`: `kernel` = our WebAssembly kernel between ONNX segments (the cpu default), `linearAttention` = com.microsoft.LinearAttention in one ONNX model.',
    `Floor (a) = conv/matmul FLOPs at the plain conv net's ${gflops.toFixed(1)} GFLOP/s + each scan node's elements at the kernel's ns/element at that shape, whole call on 2 threads (same run; tokens/channels/states): ${fmtCosts(kernelCosts)}.`,
    `Floor (b) = the same with the scan at the plain C loop's ns/element, one thread (benchmarks/scan-loop.c, gcc -O3 -march=native): ${fmtCosts(loopCosts)}.`,
    '`ms` is the second run at that size (steady state); `first ms` includes onnxruntime planning the new shapes.',
    '`growth` = time over the previous size with the same scan (4 pixels per pixel before: linear is 4.0). `LA / kernel` = LinearAttention time over kernel time, same size, same run.',
    '',
    '| config | size | scan | ms | first ms | ms/MP | peak RSS MB | floor (a) ms | vs (a) | floor (b) ms | vs (b) | growth | LA / kernel |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.config} | ${r.size} | ${r.scan} | ${r.ms} | ${r.firstMs} | ${r.msPerMP} | ${r.peakRssMB} | ${r.floorA} | ${r.vsFloorA} | ${r.floorB ?? 'n/a'} | ${r.vsFloorB ?? 'n/a'} | ${r.growth ?? ''} | ${r.laOverKernel ?? ''} |`),
    '',
  ].join('\n');
  // A run with another tile or V8 setting keeps the default's record.
  const record = `${here}/results/cpu${quick ? '-quick' : ''}${tileArg > 0 ? `-tile${tile}` : ''}${noMemoryReducer ? '-no-memory-reducer' : ''}`;
  writeFileSync(`${record}.md`, md);
  writeFileSync(`${record}.json`, JSON.stringify({ machine: machine(), load: before, gflops, kernelCosts: Object.fromEntries(kernelCosts), loopCosts: Object.fromEntries(loopCosts), rows }, null, 2));
  console.log(md);
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6] as ScanLowering);
else await main();
