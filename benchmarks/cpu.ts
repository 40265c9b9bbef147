/**
 * CPU benchmark of the restore pipeline on onnxruntime-node (issue: foundation).
 *
 *   npx tsx benchmarks/cpu.ts [--quick]
 *
 * For `small` and `paper` it prints ms per megapixel, peak RSS, how time grows with image size,
 * and the time against a floor measured in the same run: the model's conv/matmul FLOPs at the
 * GFLOP/s of a plain conv net, plus its scan elements at the per-element cost of the fused scan op
 * alone. Each measurement runs in its own child process so peak RSS belongs to it alone.
 * Results go to benchmarks/results/cpu.md and cpu.json.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  buildExtractorGraph, buildRestorerGraph, emitOnnx, extractorInput, getConfig, graphCost, GraphBuilder, openModelSession, ParamStore,
  parameterCount, prepareModel, randomParams, restoreImage, roundUp, seededRandom, spans, tensor, DEFAULT_OVERLAP, type ModelConfig,
} from '@dpmambair/core';
import { onnxNodeBackend } from '@dpmambair/backend-cuda';
import * as ort from 'onnxruntime-node';

const here = fileURLToPath(new URL('.', import.meta.url));
const rand = seededRandom(1);
const fill = (n: number) => Float32Array.from({ length: n }, () => rand());

async function timeBest(run: () => Promise<unknown>, repeats: number): Promise<number> {
  await run(); // warm-up
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

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

/** Nanoseconds per (token, channel, state) of the fused scan op alone, at one shape. */
async function scanNsPerElement(channels: number, states: number, tokens: number): Promise<number> {
  const g = new GraphBuilder();
  const params = new ParamStore();
  params.set('A', [channels, states], fill(channels * states).map((v) => -1 - v * states));
  params.set('D', [channels], fill(channels));
  const [x, delta, B, C] = [g.input('x', [1, tokens, channels]), g.input('delta', [1, tokens, channels]), g.input('B', [1, tokens, states]), g.input('C', [1, tokens, states])];
  g.output('y', g.selectiveScan(x, delta, g.param('A', [channels, states]), B, C, g.param('D', [channels])));
  const compiled = await onnxNodeBackend.compile(g.build(), params, 'cpu');
  const inputs = {
    x: tensor([1, tokens, channels], fill(tokens * channels)),
    delta: tensor([1, tokens, channels], fill(tokens * channels).map((v) => 0.001 + 0.1 * v)),
    B: tensor([1, tokens, states], fill(tokens * states)),
    C: tensor([1, tokens, states], fill(tokens * states)),
  };
  const ms = await timeBest(() => compiled.run(inputs), 3);
  return (ms * 1e6) / (tokens * channels * states);
}

/** Child mode: restore one random image of one size, print ms and peak RSS as JSON. */
async function child(configName: string, size: number, tile: number): Promise<void> {
  const config = getConfig(configName);
  const session = await openModelSession(onnxNodeBackend, prepareModel(config, randomParams(config, 1)), 'cpu');
  const image = { width: size, height: size, rgb: fill(3 * size * size) };
  let t = performance.now();
  await restoreImage(session, image, { tile });
  const firstMs = performance.now() - t;
  t = performance.now();
  await restoreImage(session, image, { tile });
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ms, firstMs, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function measure(configName: string, size: number, tile: number): { ms: number; firstMs: number; peakRssMB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', configName, String(size), String(tile)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const scanCache = new Map<string, number>();

/**
 * The floor for one image: every tile's conv/matmul FLOPs at the plain conv net's speed plus every
 * scan node's elements at the fused op's measured cost for that node's shape, and the extractor on
 * the crops it really sees.
 */
async function floorMs(config: ModelConfig, size: number, tile: number, gflops: number): Promise<number> {
  const tileSpans = spans(size, tile, DEFAULT_OVERLAP);
  const side = roundUp(tileSpans[0].length);
  const restorer = buildRestorerGraph(config, { size: [side, side] });
  let ms = graphCost(restorer).convMatmulFlops / (gflops * 1e6);
  for (const node of restorer.nodes) {
    if (node.op !== 'selectiveScan') continue;
    const [, tokens, channels] = node.x.shape as number[];
    const states = node.A.shape[1] as number;
    const key = `${tokens}/${channels}/${states}`;
    if (!scanCache.has(key)) scanCache.set(key, await scanNsPerElement(channels, states, tokens));
    ms += (tokens * channels * states * scanCache.get(key)!) / 1e6;
  }
  const crops = extractorInput({ width: size, height: size, rgb: new Float32Array(3 * size * size) }).shape;
  const extractor = graphCost(buildExtractorGraph(config, { reparameterised: true, size: [crops[0], crops[2], crops[3]] }));
  return ms * tileSpans.length ** 2 + extractor.convMatmulFlops / (gflops * 1e6);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const gflops = await convGflops();
  console.log(`plain conv net: ${gflops.toFixed(1)} GFLOP/s`);
  const rows: Record<string, unknown>[] = [];
  const plans: [string, number[]][] = quick ? [['small', [256, 512]]] : [['small', [512, 1024, 2048]], ['paper', [256]]];
  const tile = 512;
  for (const [name, sizes] of plans) {
    const config = getConfig(name);
    let previous: number | undefined;
    for (const size of sizes) {
      const floor = await floorMs(config, size, tile, gflops);
      const { ms, firstMs, peakRssMB } = measure(name, size, tile);
      const mp = (size * size) / 1e6;
      const row = {
        config: name, size: `${size}x${size}`, ms: Math.round(ms), firstMs: Math.round(firstMs), msPerMP: Math.round(ms / mp),
        peakRssMB: Math.round(peakRssMB), floorMs: Math.round(floor), vsFloor: +(ms / floor).toFixed(2), growth: previous ? +(ms / previous).toFixed(2) : null,
      };
      previous = ms;
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const scanCosts = Object.fromEntries(scanCache);
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`;
  const params = Object.fromEntries(['small', 'paper'].map((n) => [n, parameterCount(getConfig(n)).total]));
  const md = [
    '# CPU benchmark (onnxruntime-node, CPU execution provider)',
    '',
    `Command: \`npx tsx benchmarks/cpu.ts${quick ? ' --quick' : ''}\`. Date: ${new Date().toISOString()}. Machine: ${machine}.`,
    `Random weights of each config (speed does not depend on the values). Tile 512, overlap 32. Parameters: small ${params.small}, paper ${params.paper}.`,
    `Floor = conv/matmul FLOPs at the plain conv net's ${gflops.toFixed(1)} GFLOP/s + each scan node's elements at the fused scan op's ns/element measured alone at that node's shape (same run): ${Object.entries(scanCosts).map(([k, v]) => `${k} (tokens/channels/states) ${v.toFixed(1)} ns`).join(', ')}.`,
    '`ms` is the second run at that size (steady state); `first ms` includes onnxruntime planning the new shapes.',
    '`growth` = time over the previous size (4 pixels per pixel before: linear is 4.0).',
    '',
    '| config | size | ms | first ms | ms/MP | peak RSS MB | floor ms | vs floor | growth |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.config} | ${r.size} | ${r.ms} | ${r.firstMs} | ${r.msPerMP} | ${r.peakRssMB} | ${r.floorMs} | ${r.vsFloor} | ${r.growth ?? ''} |`),
    '',
  ].join('\n');
  writeFileSync(`${here}/results/cpu${quick ? '-quick' : ''}.md`, md);
  writeFileSync(`${here}/results/cpu${quick ? '-quick' : ''}.json`, JSON.stringify({ machine, gflops, scanCosts, rows }, null, 2));
  console.log(md);
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else await main();
