// `dpmambair restore --strength`: how much of the model's change is applied.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readPixels, runCli, SAMPLES, tempDir } from './testing.js';

test('--strength 0 gives the input back, 0.5 lands halfway between the input and the full restoration', async () => {
  const dir = tempDir();
  // A 128x128 crop of the noisy sample keeps the three restores quick.
  const input = join(dir, 'noisy.png');
  await sharp(join(SAMPLES, 'noisy-astronaut.png')).extract({ left: 160, top: 96, width: 128, height: 128 }).toFile(input);
  const out = (s: string) => join(dir, `out-${s}.png`);
  for (const s of ['1', '0.5', '0']) {
    const r = await runCli(['restore', input, '-o', out(s), '--device', 'cpu', '--strength', s, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const [src, full, half, none] = await Promise.all([input, out('1'), out('0.5'), out('0')].map(readPixels));
  assert.deepEqual(none.data, src.data);
  let worst = 0;
  let moved = 0;
  for (let i = 0; i < src.data.length; i++) {
    // Where the full restoration was clipped to 0 or 255, halfway is computed from the unclipped value.
    if (full.data[i] > 0 && full.data[i] < 255) worst = Math.max(worst, Math.abs(half.data[i] - (src.data[i] + full.data[i]) / 2));
    moved += Math.abs(full.data[i] - src.data[i]);
  }
  assert.ok(worst <= 1, `strength 0.5 is ${worst} levels from halfway`); // 8-bit rounding of each output
  assert.ok(moved / src.data.length > 3, 'the full restoration changed the image');
});

test('--strength outside 0..1 is a usage error (exit 2) naming the value', async () => {
  for (const bad of ['1.5', '-1', 'half']) {
    const r = await runCli(['restore', join(SAMPLES, 'noisy-astronaut.png'), '-o', join(tempDir(), 'o.png'), `--strength=${bad}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--strength must be a number from 0 to 1, got '${bad}'`));
  }
});
