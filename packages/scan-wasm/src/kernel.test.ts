import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { referenceOps, seededRandom, tensor, type Tensor } from '@dpmambair/core';
import { channelRanges, createScanKernel } from './node.js';

const one = await createScanKernel({ threads: 1 });
const two = await createScanKernel({ threads: 2 });
const three = await createScanKernel({ threads: 3 });
after(() => Promise.all([one.dispose(), two.dispose(), three.dispose()]));

interface Case { n: number; L: number; Di: number; N: number; deltaRange?: [number, number]; aScale?: number }

/** Seeded scan inputs in Mamba's ranges: delta > 0, A < 0 (decay), B and C of either sign. */
function inputs({ n, L, Di, N, deltaRange = [1e-3, 0.5], aScale = 1 }: Case, seed: number): Tensor[] {
  const rand = seededRandom(seed);
  const fill = (shape: number[], f: () => number) => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f));
  const [lo, hi] = deltaRange;
  return [
    fill([n, L, Di], () => rand() * 2 - 1),
    fill([n, L, Di], () => lo * (hi / lo) ** rand()), // log-uniform
    fill([Di, N], () => -aScale * (0.5 + rand() * N)),
    fill([n, L, N], () => rand() * 2 - 1),
    fill([n, L, N], () => rand() * 2 - 1),
    fill([Di], () => rand()),
  ];
}

/** max |kernel - reference| / max(1, max |reference|): the conformance suite's measure. */
function scaledError(actual: Tensor, expected: Tensor): number {
  assert.deepEqual(actual.shape, expected.shape);
  let maxAbs = 0;
  let scale = 1;
  for (let i = 0; i < expected.data.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual.data[i] - expected.data[i]));
    scale = Math.max(scale, Math.abs(expected.data[i]));
  }
  return maxAbs / scale;
}

async function check(c: Case, seed: number, tolerance = 1e-5): Promise<void> {
  const args = inputs(c, seed);
  const [x, delta, A, B, C, D] = args;
  const expected = referenceOps.selectiveScan(x, delta, A, B, C, D);
  for (const kernel of [one, two, three]) {
    const err = scaledError(await kernel.scan(x, delta, A, B, C, D), expected);
    assert.ok(err <= tolerance, `${JSON.stringify(c)} on ${kernel.threads} thread(s): scaled error ${err.toExponential(2)} > ${tolerance}`);
  }
}

test('one token (L = 1): y = C.(delta B x) + D x, no decay yet', () => check({ n: 1, L: 1, Di: 8, N: 4 }, 1));

test('a long sequence (L = 8192) stays on the reference: float32 state does not drift', () => check({ n: 1, L: 8192, Di: 16, N: 4 }, 2));

test('extreme delta: 1e-6 (state barely moves) to 60 (state forgets at once), A up to -16 per step', () =>
  check({ n: 1, L: 300, Di: 12, N: 16, deltaRange: [1e-6, 60], aScale: 1 }, 3));

test('random shapes: channels not a multiple of 4 (scalar tail), odd state sizes, batches', async () => {
  const rand = seededRandom(4);
  for (let i = 0; i < 12; i++) {
    const c = { n: 1 + Math.floor(rand() * 2), L: 1 + Math.floor(rand() * 70), Di: 1 + Math.floor(rand() * 40), N: 1 + Math.floor(rand() * 17) };
    await check(c, 100 + i);
  }
});

test('the vectorised exp is accurate to 2e-6 relative from exp(-87) to exp(10), plus the rounding of A in base 2', async () => {
  // Two tokens: token 0 writes h = delta0 * B * x0 = 1, token 1 has x = 0, so y1 = exp(delta1 * A) exactly.
  const zs = Array.from({ length: 4096 }, (_, i) => -87 + (97 * i) / 4095);
  const Di = zs.length;
  const x = tensor([1, 2, Di], [...zs.map(() => 1), ...zs.map(() => 0)]);
  const delta = tensor([1, 2, Di], [...zs.map(() => 1), ...zs.map(() => 1)]);
  const A = tensor([Di, 1], zs);
  const ones = tensor([1, 2, 1], [1, 1]);
  const y = await one.scan(x, delta, A, ones, ones, tensor([Di], new Float32Array(Di)));
  // The kernel computes 2^(delta * A * log2(e)) with A * log2(e) rounded to float32 (src/kernel.ts):
  // its polynomial is checked against 2^ of that rounded exponent, and the whole against exp(z),
  // which may differ by the rounding, |z| * 2^-24 relative (5e-6 at z = -87).
  let worstExp2 = 0;
  let worstOverBound = 0;
  zs.forEach((z, d) => {
    const base2 = Math.fround(Math.fround(z) * Math.LOG2E);
    worstExp2 = Math.max(worstExp2, Math.abs(y.data[Di + d] / 2 ** base2 - 1));
    worstOverBound = Math.max(worstOverBound, Math.abs(y.data[Di + d] / Math.exp(Math.fround(z)) - 1) / (2e-6 + Math.abs(z) * 2 ** -24));
  });
  assert.ok(worstExp2 <= 2e-6, `worst relative error of 2^x: ${worstExp2.toExponential(2)}`);
  assert.ok(worstOverBound <= 1, `relative error of exp over 2e-6 + |z| 2^-24: ${worstOverBound.toFixed(2)}`);
});

test('channel ranges start on SIMD vectors and cover every channel once', () => {
  assert.deepEqual(channelRanges(16, 2), [[0, 8], [8, 16]]);
  assert.deepEqual(channelRanges(10, 4), [[0, 4], [4, 8], [8, 10]]);
  assert.deepEqual(channelRanges(3, 2), [[0, 3]]);
});

test('y goes into the caller\'s array when one is given (even an input\'s), on every thread count', async () => {
  const [x, delta, A, B, C, D] = inputs({ n: 2, L: 37, Di: 20, N: 4 }, 12);
  const expected = referenceOps.selectiveScan(x, delta, A, B, C, D);
  for (const kernel of [one, two, three]) {
    const out = new Float32Array(2 * 37 * 20).fill(Number.NaN);
    const y = await kernel.scan(x, delta, A, B, C, D, out);
    assert.equal(y.data, out);
    assert.ok(scaledError(y, expected) <= 1e-5, `${kernel.threads} thread(s)`);
  }
  const spentDelta = tensor(delta.shape, delta.data.slice());
  assert.ok(scaledError(await two.scan(x, spentDelta, A, B, C, D, spentDelta.data), expected) <= 1e-5, 'y written over delta');
  await assert.rejects(one.scan(x, delta, A, B, C, D, new Float32Array(7)), /out must hold 1480 floats \(y is \[2,37,20\]\), got 7/);
});

test('shape mismatches are named', async () => {
  const [x, delta, A, B, C, D] = inputs({ n: 1, L: 4, Di: 8, N: 4 }, 5);
  await assert.rejects(one.scan(x, delta, A, B, C, tensor([7])), /D must be \[8\], got \[7\]/);
  await assert.rejects(one.scan(x, delta, A, tensor([1, 4, 3]), C, D), /B must be \[1,4,4\], got \[1,4,3\]/);
});

test('the browser entry outside a cross-origin-isolated page runs on one thread and says why when asked for more', async () => {
  const browser = await import('./index.js');
  await assert.rejects(browser.createScanKernel({ threads: 2 }), /2 threads cannot run here: the page is not cross-origin isolated.*; use threads: 1/);
  const k = await browser.createScanKernel();
  assert.equal(k.threads, 1);
  const [x, delta, A, B, C, D] = inputs({ n: 1, L: 9, Di: 6, N: 3 }, 9);
  assert.ok(scaledError(await k.scan(x, delta, A, B, C, D), referenceOps.selectiveScan(x, delta, A, B, C, D)) <= 1e-5);
  await k.dispose();
});

test('the synchronous kernel writes the same y into a caller array', async () => {
  const { createSyncScanKernel } = await import('./index.js');
  const sync = createSyncScanKernel();
  const [x, delta, A, B, C, D] = inputs({ n: 2, L: 33, Di: 10, N: 5 }, 11);
  const out = new Float32Array(2 * 33 * 10);
  sync.scanInto(x.data, delta.data, A.data, B.data, C.data, D.data, { batch: 2, L: 33, Di: 10, N: 5 }, out);
  assert.deepEqual(out, (await one.scan(x, delta, A, B, C, D)).data);
});
