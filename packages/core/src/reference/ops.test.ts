import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../model/init.js';
import { conv2d, mean, pixelShuffle, pixelUnshuffle, selectiveScan } from './ops.js';
import { maxAbsDiff, tensor } from '../tensor.js';

const random = (shape: number[], seed: number, scale = 1) => {
  const r = seededRandom(seed);
  return tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * scale));
};

test('the scan with one token is C . (delta B x) + D x', () => {
  const [x, delta, B, C] = [random([1, 1, 2], 1), tensor([1, 1, 2], [0.5, 2]), random([1, 1, 3], 3), random([1, 1, 3], 4)];
  const A = random([2, 3], 5);
  const D = tensor([2], [0.25, -1]);
  const y = selectiveScan(x, delta, A, B, C, D);
  for (let d = 0; d < 2; d++) {
    let expected = D.data[d] * x.data[d];
    for (let n = 0; n < 3; n++) expected += C.data[n] * delta.data[d] * B.data[n] * x.data[d];
    assert.ok(Math.abs(y.data[d] - expected) < 1e-6);
  }
});

test('with A = 0 the scan state is a running sum', () => {
  const L = 50;
  const x = random([1, L, 1], 1);
  const ones = tensor([1, L, 1], new Array(L).fill(1));
  const y = selectiveScan(x, ones, tensor([1, 1], [0]), ones, ones, tensor([1], [0]));
  let sum = 0;
  for (let t = 0; t < L; t++) {
    sum += x.data[t];
    assert.ok(Math.abs(y.data[t] - sum) < 1e-5);
  }
});

test('a strongly negative delta * A forgets the past', () => {
  const L = 10;
  const x = random([1, L, 1], 2);
  const big = tensor([1, L, 1], new Array(L).fill(20));
  const ones = tensor([1, L, 1], new Array(L).fill(1));
  const y = selectiveScan(x, big, tensor([1, 1], [-16]), ones, ones, tensor([1], [0]));
  for (let t = 0; t < L; t++) assert.ok(Math.abs(y.data[t] - 20 * x.data[t]) < 1e-5);
});

test('pixel unshuffle inverts pixel shuffle (PyTorch channel order)', () => {
  const x = random([1, 8, 3, 5], 7);
  assert.equal(maxAbsDiff(pixelUnshuffle(pixelShuffle(x)).data, x.data), 0);
  const ramp = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
  assert.deepEqual([...pixelUnshuffle(ramp).data], [1, 2, 3, 4]); // channel c*4 + i*2 + j
});

test('conv2d with a centred one-hot kernel is the identity, stride 2 subsamples', () => {
  const x = random([1, 1, 6, 6], 8);
  const k = tensor([1, 1, 3, 3], [0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.equal(maxAbsDiff(conv2d(x, k, undefined, 1, 1).data, x.data), 0);
  const s = conv2d(x, k, undefined, 2, 1);
  assert.deepEqual(s.shape, [1, 1, 3, 3]);
  assert.equal(s.data[4], x.data[2 * 6 + 2]);
});

test('mean reduces the named axes', () => {
  const x = tensor([2, 1, 1, 2], [1, 2, 3, 4]);
  assert.deepEqual([...mean(x, [0, 2, 3], false).data], [2.5]);
  assert.deepEqual(mean(x, [2, 3], true).shape, [2, 1, 1, 1]);
});
