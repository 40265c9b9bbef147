// The Node API: restoreFile and restoreBuffer, on the built package (dist), real images, real onnxruntime.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { InputError, restoreBuffer, restoreFile } from '../dist/index.js';
import { psnr8, readPixels, SAMPLES, tempDir } from './testing.js';

const crop = { left: 160, top: 96, width: 160, height: 128 };
const dir = tempDir();
const noisy = join(dir, 'noisy.png');
const clean = join(dir, 'clean.png');
await sharp(join(SAMPLES, 'noisy-astronaut.png')).extract(crop).toFile(noisy);
await sharp(join(SAMPLES, 'astronaut.png')).extract(crop).toFile(clean);

test('restoreFile restores a noisy photo into a new file (closer to the clean photo than the input)', async () => {
  const out = join(dir, 'sub', 'restored.png');
  const stages = new Set<string>();
  const r = await restoreFile(noisy, out, { device: 'cpu', onProgress: (p) => stages.add(p.stage) });
  assert.deepEqual({ ...r, ms: 0 }, { input: noisy, output: out, width: 160, height: 128, format: 'png', device: 'cpu', ms: 0 });
  assert.deepEqual([...stages], ['embed', 'restore']);
  const [ref, before, after] = await Promise.all([clean, noisy, out].map(readPixels));
  const gain = psnr8(ref.data, after.data) - psnr8(ref.data, before.data);
  assert.ok(gain > 3, `PSNR gain ${gain.toFixed(2)} dB`);
});

test('restoreFile never overwrites without force, and never an input even with it', async () => {
  const out = join(dir, 'exists.png');
  writeFileSync(out, 'keep me');
  await assert.rejects(restoreFile(noisy, out, { device: 'cpu' }), (e: unknown) => e instanceof InputError && /already exists; not overwritten \(use --force\)/.test(e.message));
  assert.equal(readFileSync(out, 'utf8'), 'keep me');
  await restoreFile(noisy, out, { device: 'cpu', force: true, strength: 0 });
  assert.deepEqual((await readPixels(out)).data, (await readPixels(noisy)).data); // strength 0: the input
  await assert.rejects(restoreFile(noisy, noisy, { device: 'cpu', force: true }), /is the input itself; refused/);
});

test('an aborted restore rejects with AbortError and leaves no output or temporary file', async () => {
  const d = tempDir();
  const ctl = new AbortController();
  const p = restoreFile(noisy, join(d, 'o.png'), { device: 'cpu', tile: 64, signal: ctl.signal, onProgress: (x) => x.stage === 'restore' && ctl.abort() });
  await assert.rejects(p, { name: 'AbortError' });
  assert.deepEqual(readdirSync(d), []);
});

test('restoreBuffer: encoded bytes in, encoded bytes out (the input format, or the one asked for)', async () => {
  const png = await restoreBuffer(readFileSync(noisy), { device: 'cpu' });
  assert.deepEqual(png.subarray(0, 4), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpeg = await restoreBuffer(readFileSync(noisy), { device: 'cpu', format: 'jpeg', quality: 95 });
  const meta = await sharp(jpeg).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 160, 128]);
  await assert.rejects(restoreBuffer(Buffer.from('not an image')), (e: unknown) => e instanceof InputError && /^the input bytes: not a readable PNG, JPEG or WebP image/.test(e.message));
  await assert.rejects(restoreBuffer(readFileSync(noisy), { maxPixels: 1000 }), /the input bytes: image is 160x128 \(20480 pixels\), over the limit of 1000 pixels/);
});

test('a script that calls restoreFile exits by itself when done', async () => {
  const out = join(tempDir(), 'clean.png');
  const index = new URL('../dist/index.js', import.meta.url).href;
  await promisify(execFile)(process.execPath, ['-e', `import(${JSON.stringify(index)}).then((m) => m.restoreFile(${JSON.stringify(noisy)}, ${JSON.stringify(out)}))`], { timeout: 60_000 });
  assert.ok(existsSync(out));
});
