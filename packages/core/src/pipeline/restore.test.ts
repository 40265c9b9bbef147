import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModelSession, type ModelSession } from '../backend/backend.js';
import { getConfig } from '../model/config.js';
import { randomParams, seededRandom } from '../model/init.js';
import { prepareModel } from '../model/prepare.js';
import { referenceBackend } from '../reference/backend.js';
import { maxAbsDiff, tensor } from '../tensor.js';
import type { RgbImage } from './image.js';
import { EXTRACTOR_CROP, extractorInput, memorySource, restoreBands, restoreImage, type Region, type RestoreProgress } from './restore.js';
import { blendWeight, spans, tileGrid } from './tiling.js';

function photoLike(width: number, height: number, seed = 1, alpha = false): RgbImage {
  const rand = seededRandom(seed);
  const n = width * height;
  const rgb = Float32Array.from({ length: 3 * n }, (_, i) => 0.5 + 0.3 * Math.sin((i % n) * 0.013 + Math.floor(i / n)) + 0.1 * rand());
  return { width, height, rgb, alpha: alpha ? Float32Array.from({ length: n }, rand) : undefined };
}

const tinySession = () => {
  const config = getConfig('tiny');
  return openModelSession(referenceBackend, prepareModel(config, randomParams(config, 2)), 'cpu');
};

/**
 * A session whose "restoration" is a fixed per-pixel function: any blending mistake (weights that
 * do not sum to one, misplaced tiles, wrong crops) shows up as a difference from the direct result.
 */
const pointwiseSession: ModelSession = {
  device: 'cpu',
  model: undefined as never,
  embed: async () => tensor([1, 8]),
  restore: async (image) => ({ shape: image.shape, data: image.data.map((v) => v * v - 0.25 * v) }),
  dispose: async () => {},
};

test('spans cover the axis with at least the requested overlap', () => {
  for (const [length, tile, overlap] of [[1000, 256, 32], [257, 256, 32], [512, 128, 64], [100, 256, 32]]) {
    const list = spans(length, tile, overlap);
    assert.equal(list[0].start, 0);
    assert.equal(list.at(-1)!.start + list.at(-1)!.length, length);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i - 1].start + list[i - 1].length - list[i].start >= overlap, `${length}/${tile}/${overlap}`);
    }
  }
  const [first] = spans(1000, 256, 32);
  assert.equal(blendWeight(0, first, 1000, 32), 1, 'image borders are not faded');
  assert.ok(blendWeight(255, first, 1000, 32) < 0.02, 'inner borders fade out');
});

test('tileGrid: the default tile of 280 cuts every size into tiles of 256-280 px', () => {
  const side = (size: number) => { const g = tileGrid(size, size, 280, 32); return [g.xs.length, g.tileWidth]; };
  assert.deepEqual(side(512), [2, 272]);
  assert.deepEqual(side(1024), [4, 280]);
  assert.deepEqual(side(2048), [9, 256]);
});

test('tileGrid rounds the tile to a multiple of 8, caps the overlap at half of it and pads small images', () => {
  const g = tileGrid(1000, 600, 300, 32);
  assert.equal(g.tile, 304);
  assert.equal(g.tileWidth % 8, 0);
  assert.ok(g.xs.every((s) => s.length === g.xs[0].length && s.length <= 304));
  assert.equal(tileGrid(500, 500, 40, 32).overlap, 20);
  const small = tileGrid(100, 60, 280, 32);
  assert.deepEqual([small.xs, small.ys], [[{ start: 0, length: 100 }], [{ start: 0, length: 60 }]]);
  assert.deepEqual([small.tileWidth, small.tileHeight], [104, 64]);
});

test('tiles blend seamlessly: a per-pixel model gives the same result tiled and whole', async () => {
  const image = photoLike(203, 150);
  const whole = await restoreImage(pointwiseSession, image, { tile: 256 });
  const tiled = await restoreImage(pointwiseSession, image, { tile: 64, overlap: 16 });
  assert.ok(maxAbsDiff(whole.rgb, tiled.rgb) < 1e-6, `${maxAbsDiff(whole.rgb, tiled.rgb)}`);
});

test('with the real network, tiles agree with the whole image up to the scan context they cannot see', async () => {
  const session = await tinySession();
  const image = photoLike(96, 64);
  const whole = await restoreImage(session, image, { tile: 96 });
  const tiled = await restoreImage(session, image, { tile: 48, overlap: 24 });
  const diff = maxAbsDiff(whole.rgb, tiled.rgb);
  // The raster scan and HEB's mean see the whole input, so tiles differ where context is cut;
  // blending keeps the difference small and smooth (measured 0.01 to 0.02 on random weights).
  assert.ok(diff > 0 && diff < 0.05, `max diff ${diff}`);
});

test('progress counts tiles and an abort stops between tiles', async () => {
  const session = await tinySession();
  const image = photoLike(64, 48);
  const events: RestoreProgress[] = [];
  await restoreImage(session, image, { tile: 32, overlap: 8, onProgress: (p) => events.push({ ...p }) });
  assert.deepEqual(events.map((e) => `${e.stage}:${e.done}/${e.total}`), ['embed:0/6', 'restore:1/6', 'restore:2/6', 'restore:3/6', 'restore:4/6', 'restore:5/6', 'restore:6/6']);

  const controller = new AbortController();
  let tiles = 0;
  await assert.rejects(
    restoreImage(session, image, { tile: 32, overlap: 8, signal: controller.signal, onProgress: (p) => { if (p.stage === 'restore' && ++tiles === 2) controller.abort(); } }),
    { name: 'AbortError' },
  );
  assert.equal(tiles, 2, 'no tile runs after the abort');
});

test('alpha passes through untouched and odd sizes come back at their size', async () => {
  const session = await tinySession();
  const image = photoLike(37, 21, 3, true);
  const out = await restoreImage(session, image);
  assert.equal(out.width, 37);
  assert.equal(out.height, 21);
  assert.equal(out.alpha, image.alpha);
  assert.ok(out.rgb.every(Number.isFinite));
});

test('the extractor sees small images whole and large ones as a grid of native-resolution crops', () => {
  assert.deepEqual(extractorInput(photoLike(300, 200)).shape, [1, 3, 200, 300]);
  assert.deepEqual(extractorInput(photoLike(1024, 768)).shape, [9, 3, 256, 256]);
  assert.deepEqual(extractorInput(photoLike(2000, 150)).shape, [3, 3, 150, 256]);
});

test('bands: each region read lies within one band of tiles, each row is delivered once, top to bottom, as restoreImage gives it', async () => {
  const image = photoLike(150, 1801, 5); // over 512 x 512 pixels: the extractor reads 256-row crops, not the whole image
  // overlap = tile / 2: neighbouring bands share half their rows, the most the options allow.
  for (const [tile, overlap] of [[64, 16], [64, 32], [256, 32]]) {
    const whole = await restoreImage(pointwiseSession, image, { tile, overlap });
    const source = memorySource(image);
    const reads: Region[] = [];
    const rows: number[] = [];
    const got = new Float32Array(3 * image.width * image.height);
    const n = image.width * image.height;
    await restoreBands(pointwiseSession, { ...source, read: (r) => (reads.push(r), source.read(r)) }, (y, band) => {
      const m = band.width * band.height;
      for (let c = 0; c < 3; c++) got.set(band.rgb.subarray(c * m, (c + 1) * m), c * n + y * image.width);
      for (let i = 0; i < band.height; i++) rows.push(y + i);
    }, { tile, overlap });
    assert.deepEqual(rows, Array.from({ length: image.height }, (_, i) => i), `${tile}/${overlap}: rows in order, once`);
    assert.ok(reads.every((r) => r.height <= Math.max(tile, EXTRACTOR_CROP)), `${tile}/${overlap}: no read taller than a tile or an extractor crop`);
    assert.ok(maxAbsDiff(got, whole.rgb) < 1e-7);
    // Against the exact per-pixel result: blending across bands is seamless.
    assert.ok(maxAbsDiff(got, image.rgb.map((v) => v * v - 0.25 * v)) < 1e-5, `${tile}/${overlap}`);
  }
});
