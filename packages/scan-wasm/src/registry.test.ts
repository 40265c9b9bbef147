import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceOps, seededRandom, tensor, type Tensor } from '@dpmambair/core';
import { kernels } from './node.js';

function scanInputs(n: number, L: number, Di: number, N: number): Tensor[] {
  const rand = seededRandom(3);
  const fill = (shape: number[], f: () => number) => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f));
  return [
    fill([n, L, Di], () => rand() * 2 - 1), fill([n, L, Di], () => 0.01 + 0.2 * rand()), fill([Di, N], () => -1 - 3 * rand()),
    fill([n, L, N], () => rand() * 2 - 1), fill([n, L, N], () => rand() * 2 - 1), fill([Di], () => rand()),
  ];
}

test('the scan kernel is registered for every CPU device and for no GPU device', () => {
  assert.deepEqual(kernels.list().map((k) => `${k.device}/${k.op} ${k.mode}`), [
    'cpu/selectiveScan async', 'wasm/selectiveScan async', 'tf-cpu/selectiveScan sync', 'tf-wasm/selectiveScan sync',
  ]);
  for (const device of ['cuda', 'webgpu', 'tf-webgl', 'tf-webgpu'] as const) assert.equal(kernels.find(device, 'selectiveScan'), undefined);
  assert.equal(kernels.find('cpu', 'selectiveScan')?.unsupportedReason(), undefined, 'Node 20+ has WebAssembly SIMD');
});

test('a second kernel for the same device and op is refused', () => {
  const taken = kernels.async('cpu', 'selectiveScan');
  assert.throws(() => kernels.register({ ...taken }), /a kernel for op 'selectiveScan' on device 'cpu' is already registered \(our WebAssembly SIMD/);
  assert.equal(kernels.list().length, 4);
});

test('looking up a missing pair or the wrong kind names what was asked', () => {
  assert.throws(() => kernels.async('webgpu', 'selectiveScan'), /no kernel for op 'selectiveScan' on device 'webgpu' \(registered: cpu\/selectiveScan, wasm\/selectiveScan, tf-cpu/);
  assert.throws(() => kernels.sync('cpu', 'selectiveScan'), /the kernel for op 'selectiveScan' on device 'cpu' is async, not sync/);
});

test('the registered kernels compute the reference scan', async () => {
  const [x, delta, A, B, C, D] = scanInputs(1, 40, 6, 4);
  const expected = referenceOps.selectiveScan(x, delta, A, B, C, D).data;
  const close = (got: Float32Array) => got.every((v, i) => Math.abs(v - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])));

  const threaded = await kernels.async('cpu', 'selectiveScan').create({ threads: 2 });
  try {
    assert.ok(close((await threaded.scan(x, delta, A, B, C, D)).data));
  } finally {
    await threaded.dispose();
  }
  const out = new Float32Array(expected.length);
  kernels.sync('tf-wasm', 'selectiveScan').create().scanInto(x.data, delta.data, A.data, B.data, C.data, D.data, { batch: 1, L: 40, Di: 6, N: 4 }, out);
  assert.ok(close(out));
});
