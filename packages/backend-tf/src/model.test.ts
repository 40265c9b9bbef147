/** Whole model: seeded random tiny model on tf-cpu and tf-wasm vs core's reference backend. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getConfig, maxAbsDiff, openModelSession, prepareModel, randomParams, referenceBackend, seededRandom, type Tensor } from '@dpmambair/core';
import { tfBackend } from './index.js';
import { quietTfjs } from './testing/quiet.js';

quietTfjs();

const config = getConfig('tiny');
const model = prepareModel(config, randomParams(config, 5));
const rand = seededRandom(11);
const H = 24;
const W = 40;
const image: Tensor = { shape: [1, 3, H, W], data: Float32Array.from({ length: 3 * H * W }, () => rand()) };
const expected = (async () => {
  const ref = await openModelSession(referenceBackend, model, 'cpu');
  const embedding = await ref.embed(image);
  return { embedding, restored: await ref.restore(image, embedding) };
})();

for (const device of ['tf-cpu', 'tf-wasm'] as const) {
  test(`${device}: tiny model (random seeded weights) matches the reference`, async (t) => {
    const e = await expected;
    const session = await openModelSession(tfBackend, model, device);
    try {
      const embedding = await session.embed(image);
      const restored = await session.restore(image, e.embedding);
      const de = maxAbsDiff(embedding.data, e.embedding.data);
      const dr = maxAbsDiff(restored.data, e.restored.data);
      t.diagnostic(`embedding max abs diff ${de.toExponential(2)}, restored max abs diff ${dr.toExponential(2)}`);
      assert.ok(de < 1e-5 && dr < 1e-5, `embedding ${de}, restored ${dr}`);
      // Same input twice: bit-identical.
      const again = await session.restore(image, e.embedding);
      assert.equal(maxAbsDiff(again.data, restored.data), 0);
    } finally {
      await session.dispose();
    }
  });
}

test('two devices at once: tf-cpu and tf-wasm sessions running concurrently give the same results', async () => {
  const e = await expected;
  const [a, b] = await Promise.all([openModelSession(tfBackend, model, 'tf-cpu'), openModelSession(tfBackend, model, 'tf-wasm')]);
  try {
    const [ra, rb, ra2] = await Promise.all([a.restore(image, e.embedding), b.restore(image, e.embedding), a.restore(image, e.embedding)]);
    for (const r of [ra, rb, ra2]) assert.ok(maxAbsDiff(r.data, e.restored.data) < 1e-5);
    assert.equal(maxAbsDiff(ra.data, ra2.data), 0);
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
});
