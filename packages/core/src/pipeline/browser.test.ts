import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { fromImageData, toImageData } from './browser.js';

const rgba = (...px: number[]) => ({ width: px.length / 8, height: 2, data: Uint8ClampedArray.from(px) });

test('ImageData <-> RgbImage: planes in [0, 1], alpha kept only when not fully opaque (plain objects in Node)', () => {
  const opaque = fromImageData(rgba(255, 0, 0, 255, 0, 51, 255, 255, 10, 20, 30, 255, 0, 0, 0, 255));
  assert.deepEqual([opaque.width, opaque.height, opaque.alpha], [2, 2, undefined]);
  assert.deepEqual([...opaque.rgb].map((v) => Math.round(v * 255)), [255, 0, 10, 0, 0, 51, 20, 0, 0, 255, 30, 0]);
  const back = toImageData(opaque);
  assert.deepEqual([...back.data], [255, 0, 0, 255, 0, 51, 255, 255, 10, 20, 30, 255, 0, 0, 0, 255]);
  const seeThrough = fromImageData(rgba(1, 2, 3, 0, 4, 5, 6, 128, 7, 8, 9, 255, 0, 0, 0, 255));
  assert.deepEqual([...seeThrough.alpha!].map((v) => Math.round(v * 255)), [0, 128, 255, 255]);
  assert.deepEqual([...toImageData(seeThrough).data].filter((_, i) => i % 4 === 3), [0, 128, 255, 255]);
});

test('imageFromBlob, imageFromBitmap, imageToBlob and toImageData in Chromium', { skip: !existsSync('/usr/bin/chromium') && 'no /usr/bin/chromium' }, async (t) => {
  const bundle = await build({
    stdin: { contents: `import * as m from ${JSON.stringify(fileURLToPath(new URL('./browser.ts', import.meta.url)))}; globalThis.dpm = m;`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent',
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  const result = await page.evaluate(async () => {
    const { imageFromBlob, imageFromBitmap, imageToBlob, toImageData } = (globalThis as any).dpm;
    // A 3x2 PNG with known pixels, one of them half transparent, made by the browser's own encoder.
    const src = new OffscreenCanvas(3, 2);
    const pixels = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255, 200, 100, 50, 255, 90, 90, 90, 128]);
    src.getContext('2d')!.putImageData(new ImageData(pixels, 3, 2), 0, 0);
    const png = await src.convertToBlob({ type: 'image/png' });
    const image = await imageFromBlob(png);
    const bitmap = imageFromBitmap(await createImageBitmap(src));
    const jpeg = await imageToBlob(image, 'image/jpeg', 0.9);
    const again = await imageFromBlob(await imageToBlob(image));
    const data = toImageData(image);
    return {
      size: [image.width, image.height],
      red: [...image.rgb.subarray(0, 6)].map((v: number) => Math.round(v * 255)),
      alpha: [...image.alpha].map((v: number) => Math.round(v * 255)),
      sameFromBitmap: [...bitmap.rgb.subarray(0, 5)].map((v: number) => Math.round(v * 255)),
      jpeg: jpeg.type,
      pngRoundTrip: [...again.rgb.subarray(0, 6)].map((v: number) => Math.round(v * 255)),
      isImageData: data instanceof ImageData,
    };
  });
  assert.deepEqual(result.size, [3, 2]);
  assert.deepEqual(result.red, [255, 0, 0, 10, 200, 90]);
  assert.deepEqual(result.alpha, [255, 255, 255, 255, 255, 128]);
  assert.deepEqual(result.sameFromBitmap, [255, 0, 0, 10, 200]);
  assert.equal(result.jpeg, 'image/jpeg');
  assert.deepEqual(result.pngRoundTrip, [255, 0, 0, 10, 200, 90]);
  assert.equal(result.isImageData, true);
});
