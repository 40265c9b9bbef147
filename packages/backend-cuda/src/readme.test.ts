// The README's example, run as written (with its placeholders bound to the shipped weights and a
// noisy crop of the sample photo), on whatever device 'auto' picks here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSession, fromInterleaved, loadModel, psnr, restoreImage, parseSafetensors } from '@dpmambair/core';
import './index.js';

const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

test('the README example restores a noisy photo', async () => {
  const manifestPath = repo('models/weights/small.json');
  const weightsPath = repo('models/weights/small.safetensors');
  // 64x80 crop of the astronaut photo and a noisy copy (sigma 0.1), planar float, from core's fixtures.
  const crops = parseSafetensors(await readFile(repo('packages/core/src/metrics/fixtures/astronaut-crop.safetensors')));
  const [width, height] = [80, 64];
  const planarToBytes = (planar: Float32Array) =>
    Uint8Array.from({ length: width * height * 3 }, (_, i) => Math.round(planar[(i % 3) * width * height + Math.floor(i / 3)] * 255));
  const rgbBytes = planarToBytes(crops.get('noisy'));

  const model = await loadModel(await readFile(manifestPath, 'utf8'), await readFile(weightsPath));
  const { session, warnings } = await createSession(model, 'auto');
  const noisy = fromInterleaved({ width, height, channels: 3, data: rgbBytes });
  const restored = await restoreImage(session, noisy, { onProgress: (p) => console.log(`${p.done}/${p.total}`) });
  await session.dispose();

  assert.ok(Array.isArray(warnings));
  const clean = { width, height, rgb: crops.get('clean') };
  assert.ok(psnr(restored, clean) > psnr(noisy, clean) + 1, `restored ${psnr(restored, clean).toFixed(2)} dB vs noisy ${psnr(noisy, clean).toFixed(2)} dB`);
});
