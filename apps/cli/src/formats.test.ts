// Bit depth, alpha, gray and EXIF orientation, checked pixel for pixel with the identity test
// model (output = input), so these hold whatever the trained weights look like.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readPixels, runCli, tempDir, testPattern, writeIdentityModel, writePng } from './testing.js';

describe('image formats', () => {
  let model: string;
  let dir: string;
  before(async () => {
    dir = tempDir();
    model = await writeIdentityModel(dir);
  });
  const restore = async (input: string, output: string, ...extra: string[]) => {
    const r = await runCli(['restore', input, '-o', output, '--model', model, '--device', 'cpu', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return r;
  };

  test('a 16-bit PNG stays a 16-bit PNG, every sample kept', async () => {
    const input = join(dir, 'deep.png');
    await writePng(input, 64, 40, 3, testPattern(64, 40, 3, 16));
    await restore(input, join(dir, 'deep-out.png'));
    const meta = await sharp(join(dir, 'deep-out.png')).metadata();
    assert.equal(meta.depth, 'ushort');
    assert.equal(meta.bitsPerSample, 16);
    assert.deepEqual((await readPixels(join(dir, 'deep-out.png'))).data, (await readPixels(input)).data);
  });

  test('a 16-bit PNG written as JPEG becomes 8-bit', async () => {
    const input = join(dir, 'deep2.png');
    await writePng(input, 64, 40, 3, testPattern(64, 40, 3, 16));
    await restore(input, join(dir, 'deep2.jpg'));
    assert.equal((await sharp(join(dir, 'deep2.jpg')).metadata()).depth, 'uchar');
  });

  test('RGBA keeps its alpha exactly (every value 0..255, transparent pixels included)', async () => {
    const input = join(dir, 'alpha.png');
    const src = testPattern(80, 64, 4);
    await writePng(input, 80, 64, 4, src);
    await restore(input, join(dir, 'alpha-out.png'));
    const out = await readPixels(join(dir, 'alpha-out.png'));
    assert.equal(out.channels, 4);
    const alpha = (d: Uint8Array | Uint16Array) => d.filter((_, i) => i % 4 === 3);
    assert.deepEqual(alpha(out.data), alpha(src));
  });

  test('a 16-bit RGBA PNG keeps its 16-bit alpha exactly', async () => {
    const input = join(dir, 'alpha16.png');
    const src = testPattern(48, 48, 4, 16);
    await writePng(input, 48, 48, 4, src);
    await restore(input, join(dir, 'alpha16-out.png'));
    const out = await readPixels(join(dir, 'alpha16-out.png'));
    assert.equal(out.depth, 'ushort');
    assert.deepEqual(out.data.filter((_, i) => i % 4 === 3), src.filter((_, i) => i % 4 === 3));
  });

  test('gray in, gray out (restored as RGB, written as one channel)', async () => {
    const input = join(dir, 'gray.png');
    await writePng(input, 64, 64, 1, testPattern(64, 64, 1));
    await restore(input, join(dir, 'gray-out.png'));
    const meta = await sharp(join(dir, 'gray-out.png')).metadata();
    assert.equal(meta.channels, 1);
    assert.deepEqual((await readPixels(join(dir, 'gray-out.png'))).data, (await readPixels(input)).data);
  });

  test('an EXIF-rotated JPEG comes out upright, dimensions swapped, with no orientation tag', async () => {
    const input = join(dir, 'rotated.jpg');
    // Stored 96 wide x 64 high; orientation 6 means "rotate 90 degrees clockwise to view".
    await sharp(Buffer.from(testPattern(96, 64, 3)), { raw: { width: 96, height: 64, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(input);
    assert.equal((await sharp(input).metadata()).orientation, 6);
    const out = join(dir, 'upright.png');
    await restore(input, out);
    const meta = await sharp(out).metadata();
    assert.deepEqual([meta.width, meta.height], [64, 96]);
    assert.equal(meta.orientation, undefined);
    // Same pixels as the upright view of the input (sharp's .rotate() applies the EXIF tag).
    const upright = await sharp(input).rotate().raw().toBuffer();
    const unrotated = await sharp(input).raw().toBuffer();
    const got = await sharp(out).raw().toBuffer();
    assert.deepEqual(new Uint8Array(got), new Uint8Array(upright));
    assert.notDeepEqual(new Uint8Array(got), new Uint8Array(unrotated));
  });

  test('JPEG to WebP and WebP to JPEG, by output extension', async () => {
    const jpg = join(dir, 'x.jpg');
    await sharp(Buffer.from(testPattern(64, 64, 3)), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toFile(jpg);
    await restore(jpg, join(dir, 'x.webp'));
    assert.equal((await sharp(join(dir, 'x.webp')).metadata()).format, 'webp');
    await restore(join(dir, 'x.webp'), join(dir, 'y.jpeg'));
    assert.equal((await sharp(join(dir, 'y.jpeg')).metadata()).format, 'jpeg');
  });

  test('RGBA to JPEG: flattened onto white, with a note', async () => {
    const input = join(dir, 'transparent.png');
    const src = new Uint8Array(32 * 32 * 4); // fully transparent black
    await writePng(input, 32, 32, 4, src);
    const r = await restore(input, join(dir, 'transparent.jpg'));
    assert.match(r.stderr, /JPEG has no alpha channel; flattened onto white/);
    const px = await sharp(join(dir, 'transparent.jpg')).raw().toBuffer();
    assert.ok(px.every((v) => v >= 250), 'white');
  });
});
