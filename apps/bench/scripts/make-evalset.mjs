#!/usr/bin/env node
// Writes apps/bench/fixtures/eval/: the bench's fixed evaluation set, one degraded crop per
// degradation type with its clean reference, cut from the held-out validation set that
// models/evaluate.py make-val writes to models/data/val/ (validation photos only, seeded).
//
//   node apps/bench/scripts/make-evalset.mjs [--size 128]
//
// The crops are committed, so the bench needs neither models/data nor Python.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const val = join(root, 'models', 'data', 'val');
const out = join(here, '..', 'fixtures', 'eval');
const sizeArg = process.argv.indexOf('--size');
const SIZE = sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 128;
// One item per type, from the skimage validation photos (chelsea, coffee), chosen for a
// moderate severity of each kind; indices refer to models/data/val/manifest.json.
const PICK = { noise: 0, jpeg: 6, blur: 0, lowlight: 4, haze: 0, rain: 4, snow: 0 };

const manifest = JSON.parse(readFileSync(join(val, 'manifest.json'), 'utf8'));
mkdirSync(out, { recursive: true });
const items = [];
for (const [type, index] of Object.entries(PICK)) {
  const all = manifest.items.filter((it) => it.type === type);
  const it = all[index];
  const meta = await sharp(join(val, it.file)).metadata();
  const left = Math.floor((meta.width - SIZE) / 2);
  const top = Math.floor((meta.height - SIZE) / 2);
  const crop = (file) => sharp(join(val, file)).removeAlpha().extract({ left, top, width: SIZE, height: SIZE }).png({ compressionLevel: 9 });
  await crop(it.file).toFile(join(out, `${type}.png`));
  await crop(it.ref).toFile(join(out, `${type}.ref.png`));
  items.push({ name: type, degradation: type, input: `${type}.png`, reference: `${type}.ref.png`, from: `models/data/val/${it.file}`, crop: { left, top, width: SIZE, height: SIZE }, source: it.source, params: it.params });
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify({
  description: `Fixed evaluation set of the bench: one ${SIZE}x${SIZE} centre crop per degradation type from the held-out validation set (models/evaluate.py make-val, seed ${manifest.seed}; photos skimage/chelsea and skimage/coffee, validation split of models/data_split.json).`,
  size: SIZE,
  items,
}, null, 1) + '\n');
console.log(`wrote ${items.length} pairs to ${out}`);
