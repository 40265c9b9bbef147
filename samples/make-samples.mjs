#!/usr/bin/env node
// Writes samples/noisy-astronaut.png: samples/astronaut.png plus seeded Gaussian noise, sigma 25/255.
//
//   node samples/make-samples.mjs [path/to/skimage/data/astronaut.png]
//
// With a path, that file is first copied to samples/astronaut.png (how the committed copy was made:
// `apt-get download python3-skimage && dpkg -x python3-skimage_*.deb x`, then
// x/usr/lib/python3/dist-packages/skimage/data/astronaut.png). Same seed, same output, byte for byte.
// Needs @dpmambair/core built (`npx turbo run build --filter=@dpmambair/core`): its seeded PRNG.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@dpmambair/core';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const clean = join(here, 'astronaut.png');
const noisy = join(here, 'noisy-astronaut.png');
const SIGMA = 25; // on the 0..255 scale, i.e. 25/255 on [0, 1]
const SEED = 20251126;

if (process.argv[2]) copyFileSync(process.argv[2], clean);

/** Standard normal samples by Box-Muller. */
function gaussian(rand) {
  let spare = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand(); // (0, 1]
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

const { data, info } = await sharp(clean).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
const normal = gaussian(seededRandom(SEED));
const out = Buffer.alloc(data.length);
let sq = 0;
for (let i = 0; i < data.length; i++) {
  const v = Math.min(255, Math.max(0, Math.round(data[i] + SIGMA * normal())));
  out[i] = v;
  sq += (v - data[i]) ** 2;
}
await sharp(out, { raw: { width: info.width, height: info.height, channels: info.channels } }).png({ compressionLevel: 9 }).toFile(noisy);
const psnr = 10 * Math.log10((255 * 255) / (sq / data.length));
console.log(`wrote ${noisy}: ${info.width}x${info.height}, sigma ${SIGMA}/255, seed ${SEED}, PSNR vs clean ${psnr.toFixed(2)} dB`);
