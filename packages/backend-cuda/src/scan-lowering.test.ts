// The two scan lowerings on device cpu agree: our kernel between ONNX segments and
// com.microsoft.LinearAttention in one model, on the shipped weights and a noisy crop of a photo.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel, openModelSession, parseSafetensors, type Tensor } from '@dpmambair/core';
import { createOnnxNodeBackend, onnxNodeBackend } from './index.js';

const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

test('kernel and LinearAttention lowerings give the same restored image (<= 1e-5 relative)', async (t) => {
  const model = await loadModel(await readFile(repo('models/weights/small.json'), 'utf8'), await readFile(repo('models/weights/small.safetensors')));
  // 64x80 noisy crop of the astronaut photo (planar float), from core's fixtures.
  const crops = parseSafetensors(await readFile(repo('packages/core/src/metrics/fixtures/astronaut-crop.safetensors')));
  const image: Tensor = { shape: [1, 3, 64, 80], data: crops.get('noisy') };
  const kernel = await openModelSession(onnxNodeBackend, model, 'cpu');
  const linear = await openModelSession(createOnnxNodeBackend({ scan: 'linearAttention' }), model, 'cpu');
  try {
    const embedding = await linear.embed(image);
    const [a, b] = [await kernel.restore(image, embedding), await linear.restore(image, embedding)];
    let maxAbs = 0;
    let scale = 1;
    for (let i = 0; i < a.data.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(a.data[i] - b.data[i]));
      scale = Math.max(scale, Math.abs(b.data[i]));
    }
    t.diagnostic(`max |kernel - LinearAttention| = ${maxAbs.toExponential(2)}, scale ${scale.toFixed(2)}`);
    assert.ok(maxAbs / scale <= 1e-5, `kernel vs LinearAttention: max |diff| ${maxAbs.toExponential(2)} (scale ${scale.toFixed(2)})`);
  } finally {
    await Promise.all([kernel.dispose(), linear.dispose()]);
  }
});
