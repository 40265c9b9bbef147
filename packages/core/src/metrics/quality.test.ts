import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RgbImage } from '../pipeline/image.js';
import { parseSafetensors } from '../weights/safetensors.js';
import { psnr, ssim } from './quality.js';

// A crop of skimage's astronaut photo and a noisy copy. Reference values from scikit-image 0.19.3:
// peak_signal_noise_ratio(data_range=1) and structural_similarity(gaussian_weights=True, sigma=1.5,
// use_sample_covariance=False, data_range=1, channel_axis=2): the settings of Wang et al. 2004.
const fixture = parseSafetensors(readFileSync(new URL('./fixtures/astronaut-crop.safetensors', import.meta.url)));
const asImage = (name: string): RgbImage => ({ width: 80, height: 64, rgb: fixture.get(name) });
const clean = asImage('clean');
const noisy = asImage('noisy');
const dim: RgbImage = { ...clean, rgb: clean.rgb.map((v) => Math.min(1, Math.max(0, v * 0.7 + 0.1))) };

test('PSNR matches scikit-image', () => {
  assert.ok(Math.abs(psnr(clean, noisy) - 20.348415158634555) < 1e-4);
  assert.ok(Math.abs(psnr(clean, dim) - 19.112879584394616) < 1e-4);
  assert.equal(psnr(clean, clean), Infinity);
});

test('SSIM matches scikit-image', () => {
  assert.ok(Math.abs(ssim(clean, noisy) - 0.4240221739331724) < 1e-5, `${ssim(clean, noisy)}`);
  assert.ok(Math.abs(ssim(clean, dim) - 0.9389446676460934) < 1e-5, `${ssim(clean, dim)}`);
  assert.ok(Math.abs(ssim(clean, clean) - 1) < 1e-12);
});

test('metrics refuse images of different sizes', () => {
  assert.throws(() => psnr(clean, { ...clean, width: 40 }), /differ in size: 80x64 and 40x64/);
});
