import { GraphBuilder, seededRandom, ParamStore, type Graph, type Tensor, type Value } from '@dpmambair/core';

/**
 * One-op graphs with seeded inputs, for checking a backend op by op against core's runReference.
 * Every operand is a graph input (so layouts at the boundary are exercised too), except where a
 * parameter is the point (conv weights, which the backend preprocesses once per compile).
 */
export interface OpCase {
  name: string;
  graph: Graph;
  params: ParamStore;
  inputs: Record<string, Tensor>;
  /** Max abs diff allowed (float32 op vs float64-accumulating reference). */
  tolerance: number;
}

type Gen = (i: number) => number;

function make(name: string, tolerance: number, seed: number, build: (g: GraphBuilder, input: (shape: number[], gen?: Gen) => Value, param: (shape: number[], gen?: Gen) => Value) => Value | Value[]): OpCase {
  const rand = seededRandom(seed);
  const g = new GraphBuilder();
  const inputs: Record<string, Tensor> = {};
  const params = new ParamStore();
  const fill = (shape: number[], gen?: Gen) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (gen ? gen(i) : rand() * 2 - 1));
  let n = 0;
  const input = (shape: number[], gen?: Gen) => {
    const key = `in${n++}`;
    inputs[key] = { shape, data: fill(shape, gen) };
    return g.input(key, shape);
  };
  const param = (shape: number[], gen?: Gen) => {
    const key = `p${n++}`;
    params.set(key, shape, fill(shape, gen));
    return g.param(key, shape);
  };
  const out = build(g, input, param);
  (Array.isArray(out) ? out : [out]).forEach((v, i) => g.output(`out${i}`, v));
  return { name, graph: g.build(), params, inputs, tolerance };
}

export interface ScanOptions {
  batch?: number;
  L: number;
  Di: number;
  N: number;
  /** delta values: a function of a uniform [0, 1) draw. */
  delta?: (u: number) => number;
  /** A values (negative). */
  A?: (d: number, n: number) => number;
}

export function scanCase(name: string, o: ScanOptions, seed = 7): OpCase {
  const batch = o.batch ?? 1;
  const rand = seededRandom(seed * 31 + 1);
  return make(name, 1e-5, seed, (g, input) => {
    const x = input([batch, o.L, o.Di]);
    const delta = input([batch, o.L, o.Di], () => (o.delta ? o.delta(rand()) : 0.001 + 0.1 * rand()));
    const A = input([o.Di, o.N], (i) => (o.A ? o.A(Math.floor(i / o.N), i % o.N) : -((i % o.N) + 1)));
    const B = input([batch, o.L, o.N]);
    const C = input([batch, o.L, o.N]);
    const D = input([o.Di]);
    return g.selectiveScan(x, delta, A, B, C, D);
  });
}

/** One case per op of the graph IR (and a few layout variants). */
export function opCases(): OpCase[] {
  const img = [2, 6, 10, 12];
  return [
    make('conv2d 3x3', 2e-5, 1, (g, x, p) => g.conv2d(x(img), p([5, 6, 3, 3]), p([5]))),
    make('conv2d 3x3 no bias', 2e-5, 2, (g, x, p) => g.conv2d(x(img), p([4, 6, 3, 3]))),
    make('conv2d 1x1', 2e-5, 3, (g, x, p) => g.conv2d(x(img), p([7, 6, 1, 1]), p([7]))),
    make('conv2d 5x5 stride 2', 2e-5, 4, (g, x, p) => g.conv2d(x(img), p([3, 6, 5, 5]), p([3]), 2)),
    make('conv2d 3x3 stride 2', 2e-5, 5, (g, x, p) => g.conv2d(x(img), p([8, 6, 3, 3]), p([8]), 2)),
    make('conv2d depthwise 3x3', 2e-5, 6, (g, x, p) => g.conv2d(x(img), p([6, 1, 3, 3]), p([6]), 1, 6)),
    make('conv2d grouped (2 groups)', 2e-5, 7, (g, x, p) => g.conv2d(x(img), p([4, 3, 3, 3]), p([4]), 1, 2)),
    make('conv2d weight as graph input', 2e-5, 8, (g, x) => g.conv2d(x(img), x([5, 6, 3, 3]), x([5]))),
    make('linear tokens', 2e-5, 9, (g, x, p) => g.linear(x([2, 30, 12]), p([9, 12]), p([9]))),
    make('linear no bias', 2e-5, 10, (g, x, p) => g.linear(x([1, 4]), p([6, 4]))),
    make('linear weight as graph input', 2e-5, 12, (g, x) => g.linear(x([2, 7, 5]), x([3, 5]), x([3]))),
    make('layerNorm', 2e-5, 11, (g, x, p) => g.layerNorm(x([2, 20, 8]), p([8]), p([8]))),
    ...(['gelu', 'silu', 'softplus', 'exp'] as const).map((op, i) =>
      make(op, 2e-6, 20 + i, (g, x) => g[op](x([3, 40], (j) => (j - 60) / 6)))),
    make('softplus extremes', 2e-6, 25, (g, x) => g.softplus(x([1, 8], (j) => [-90, -30, -20, -5, 0, 5, 25, 90][j]))),
    make('gelu on image', 2e-6, 26, (g, x, p) => g.gelu(g.conv2d(x(img), p([3, 6, 1, 1])))),
    make('affine', 1e-6, 27, (g, x) => g.affine(x([2, 7]), -1.5, 0.25)),
    make('affine identity', 0, 28, (g, x) => g.affine(x([2, 7]), 1, 0)),
    make('add broadcast', 1e-6, 29, (g, x) => g.add(x([2, 5, 4]), x([4]))),
    make('sub broadcast', 1e-6, 30, (g, x) => g.sub(x([2, 5, 4]), x([2, 1, 4]))),
    make('mul broadcast scalar', 1e-6, 31, (g, x) => g.mul(x([2, 5, 4]), x([1]))),
    make('image minus mean times alpha', 2e-6, 32, (g, x, p) => {
      const f = g.conv2d(x(img), p([4, 6, 1, 1]));
      return g.add(f, g.mul(g.sub(f, g.mean(f, [2, 3], true)), x([1])));
    }),
    make('image plus plain image', 2e-6, 33, (g, x, p) => g.add(g.conv2d(x(img), p([6, 6, 1, 1])), x(img))),
    make('channelScale', 1e-6, 34, (g, x, p) => g.channelScale(g.conv2d(x(img), p([6, 6, 1, 1])), x([6]))),
    make('channelScale plain', 1e-6, 35, (g, x) => g.channelScale(x(img), x([6]))),
    make('toTokens / fromTokens', 0, 36, (g, x) => {
      const i = x(img);
      const t = g.toTokens(i);
      return [t, g.fromTokens(g.affine(t, 2, 0), i)];
    }),
    make('split', 0, 37, (g, x) => g.split(x([2, 6, 9]), [2, 3, 4])),
    make('concat channels (images)', 1e-6, 38, (g, x, p) => g.concat([g.conv2d(x(img), p([3, 6, 1, 1])), x(img)], 1)),
    make('concat last axis', 0, 39, (g, x) => g.concat([x([2, 3]), x([2, 5])], 1)),
    make('pixelShuffle', 0, 40, (g, x) => g.pixelShuffle(x([1, 8, 3, 5]))),
    make('pixelUnshuffle', 0, 41, (g, x) => g.pixelUnshuffle(x([2, 3, 6, 4]))),
    make('pixelUnshuffle then pixelShuffle', 0, 42, (g, x) => g.pixelShuffle(g.pixelUnshuffle(x([1, 2, 6, 8])))),
    make('mean positions then crops', 1e-6, 43, (g, x) => g.mean(g.mean(x(img), [2, 3], false), [0], true)),
    make('mean keepDims', 1e-6, 44, (g, x) => g.mean(x(img), [2, 3], true)),
    make('mean channels', 1e-6, 45, (g, x) => g.mean(x(img), [1], false)),
    scanCase('selectiveScan', { batch: 2, L: 37, Di: 5, N: 3 }),
  ];
}

/** The scan at the edges the brief names: L = 1, L = 4096, tiny and large delta with A down to -16. */
export function scanCases(): OpCase[] {
  return [
    scanCase('scan L=1', { L: 1, Di: 4, N: 2 }),
    scanCase('scan L=4096', { L: 4096, Di: 8, N: 4 }, 8),
    scanCase('scan delta=1e-4', { L: 300, Di: 6, N: 4, delta: () => 1e-4 }, 9),
    scanCase('scan delta~20, A to -16', { L: 300, Di: 6, N: 4, delta: (u) => 18 + 4 * u, A: (d, n) => -1 - (15 * (d * 4 + n)) / 23 }, 10),
    scanCase('scan mixed delta 1e-4..20, A to -16', { L: 500, Di: 6, N: 4, delta: (u) => Math.exp(Math.log(1e-4) + u * Math.log(2e5)), A: (d, n) => -1 - (15 * (d * 4 + n)) / 23 }, 11),
  ];
}
