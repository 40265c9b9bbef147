/**
 * How far tiled restoration is from restoring the whole image at once, with the shipped weights.
 *
 *   npx tsx benchmarks/tiling.ts [image.png]   (default: samples/noisy-astronaut.png, 512x512)
 *
 * The raster scan and HEB's per-channel mean see only the tile they are given, so tiles cannot
 * reproduce the whole-image result exactly (docs/architecture.md); this prints by how much, for
 * several tile sizes and overlaps: mean and max absolute difference (0..1 scale) and the PSNR of
 * the tiled result against the whole one. The table also goes to benchmarks/results/tiling.md.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fromInterleaved, openModelSession, psnr, restoreImage, type RgbImage } from '@dpmambair/core';
import { onnxNodeBackend } from '@dpmambair/backend-cuda';
import { loadModel } from '@dpmambair/models';

const root = fileURLToPath(new URL('..', import.meta.url));
const path = process.argv[2] ?? `${root}samples/noisy-astronaut.png`;
const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
const image = fromInterleaved({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });

const model = await loadModel('small');
const session = await openModelSession(onnxNodeBackend, model, 'cpu');
const side = Math.max(info.width, info.height);
const whole = await restoreImage(session, image, { tile: side });
const clamped = (img: RgbImage): RgbImage => ({ ...img, rgb: img.rgb.map((v) => Math.min(1, Math.max(0, v))) });
const lines = [
  '# Tiled vs whole-image restoration (onnxruntime-node, CPU)',
  '',
  `Command: \`npx tsx benchmarks/tiling.ts\`. Date: ${new Date().toISOString()}. Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, node ${process.version}.`,
  `Image: ${path.startsWith(root) ? path.slice(root.length) : path} (${info.width}x${info.height}); weights: small (@dpmambair/models, from models/weights); whole image = one tile of ${side}. Differences on the 0..1 scale.`,
  '',
  '| tile | overlap | mean abs diff | max abs diff | PSNR vs whole (dB) |',
  '| --- | --- | --- | --- | --- |',
];
for (const [tile, overlap] of [[256, 32], [256, 64], [256, 128], [384, 32], [128, 32]]) {
  const tiled = await restoreImage(session, image, { tile, overlap });
  let sum = 0;
  let max = 0;
  for (let i = 0; i < tiled.rgb.length; i++) {
    const d = Math.abs(tiled.rgb[i] - whole.rgb[i]);
    sum += d;
    max = Math.max(max, d);
  }
  lines.push(`| ${tile} | ${overlap} | ${(sum / tiled.rgb.length).toExponential(2)} | ${max.toExponential(2)} | ${psnr(clamped(whole), clamped(tiled)).toFixed(1)} |`);
}
await session.dispose();
writeFileSync(`${root}benchmarks/results/tiling.md`, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
