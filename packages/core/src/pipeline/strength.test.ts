import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModelSession } from '../backend/backend.js';
import { getConfig } from '../model/config.js';
import { randomParams, seededRandom } from '../model/init.js';
import { prepareModel } from '../model/prepare.js';
import { referenceBackend } from '../reference/backend.js';
import type { RgbImage } from './image.js';
import { applyStrength, restoreImage } from './restore.js';

const image = (width: number, height: number): RgbImage => {
  const rand = seededRandom(7);
  return { width, height, rgb: Float32Array.from({ length: 3 * width * height }, rand) };
};

test('strength s gives input + s x (full restoration - input), tiled or whole; 0 is the input', async () => {
  const config = getConfig('tiny');
  const session = await openModelSession(referenceBackend, prepareModel(config, randomParams(config, 3)), 'cpu');
  const input = image(40, 24);
  for (const tile of [16, 64]) {
    const full = await restoreImage(session, input, { tile, overlap: 8 });
    const half = await restoreImage(session, input, { tile, overlap: 8, strength: 0.5 });
    const none = await restoreImage(session, input, { tile, overlap: 8, strength: 0 });
    let worst = 0;
    for (let i = 0; i < full.rgb.length; i++) worst = Math.max(worst, Math.abs(half.rgb[i] - (input.rgb[i] + 0.5 * (full.rgb[i] - input.rgb[i]))));
    assert.ok(worst < 1e-6, `tile ${tile}: strength 0.5 is off by ${worst}`);
    assert.deepEqual(none.rgb, input.rgb);
    assert.notDeepEqual(full.rgb, input.rgb);
  }
});

test('applyStrength previews another strength from one restored result, without the model', () => {
  const input: RgbImage = { width: 2, height: 1, rgb: Float32Array.of(0, 1, 0.5, 0.5, 1, 0) };
  const restored: RgbImage = { width: 2, height: 1, rgb: Float32Array.of(1, 0, 0.5, 1, 0, 0) };
  assert.deepEqual(applyStrength({ ...restored, rgb: restored.rgb.slice() }, input, 0.25).rgb, Float32Array.of(0.25, 0.75, 0.5, 0.625, 0.75, 0));
  assert.equal(applyStrength(restored, input, 1), restored);
});

test('a strength outside 0..1 is a RangeError naming it', async () => {
  const input = image(8, 8);
  for (const bad of [-0.1, 1.5, Number.NaN]) {
    assert.throws(() => applyStrength(input, input, bad), { name: 'RangeError', message: `strength must be a number from 0 to 1, got ${bad}` });
  }
  const session = await openModelSession(referenceBackend, prepareModel(getConfig('tiny'), randomParams(getConfig('tiny'), 3)), 'cpu');
  await assert.rejects(restoreImage(session, input, { strength: 2 }), /strength must be a number from 0 to 1, got 2/);
});
