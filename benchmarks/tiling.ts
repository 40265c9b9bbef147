/**
 * How far tiled restoration is from restoring the whole image at once, with the shipped weights.
 *
 *   npx tsx benchmarks/tiling.ts [image.png]   (default: samples/noisy-astronaut.png, 512x512)
 *
 * The raster scan and HEB's per-channel mean see only the tile they are given, so tiles cannot
 * reproduce the whole-image result exactly (docs/architecture.md); this prints by how much, for
 * several tile sizes and overlaps: mean and max absolute difference (0..1 scale) and the PSNR of
 * the tiled result against the whole one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadModel, openModelSession, psnr, restoreImage, type RgbImage } from '@dpmambair/core';
import { onnxNodeBackend } from '@dpmambair/backend-cuda';

const root = fileURLToPath(new URL('..', import.meta.url));
const path = process.argv[2] ?? `${root}samples/noisy-astronaut.png`;
const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const n = info.width * info.height;
const rgb = new Float32Array(3 * n);
for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[c * n + i] = data[i * 3 + c] / 255;
const image: RgbImage = { width: info.width, height: info.height, rgb };

const weights = `${root}models/weights/small`;
const model = await loadModel(readFileSync(`${weights}.json`, 'utf8'), readFileSync(`${weights}.safetensors`));
const session = await openModelSession(onnxNodeBackend, model, 'cpu');
const side = Math.max(info.width, info.height);
const whole = await restoreImage(session, image, { tile: side });
console.log(`${path}: ${info.width}x${info.height}, whole image in one tile of ${side}`);
console.log('| tile | overlap | mean abs diff | max abs diff | PSNR vs whole (dB) |\n| --- | --- | --- | --- | --- |');
for (const [tile, overlap] of [[256, 32], [256, 64], [256, 128], [384, 32], [128, 32]]) {
  const tiled = await restoreImage(session, image, { tile, overlap });
  let sum = 0;
  let max = 0;
  for (let i = 0; i < tiled.rgb.length; i++) {
    const d = Math.abs(tiled.rgb[i] - whole.rgb[i]);
    sum += d;
    max = Math.max(max, d);
  }
  const p = psnr({ ...whole, rgb: whole.rgb.map((v) => Math.min(1, Math.max(0, v))) }, { ...tiled, rgb: tiled.rgb.map((v) => Math.min(1, Math.max(0, v))) });
  console.log(`| ${tile} | ${overlap} | ${(sum / tiled.rgb.length).toExponential(2)} | ${max.toExponential(2)} | ${p.toFixed(1)} |`);
}
await session.dispose();
