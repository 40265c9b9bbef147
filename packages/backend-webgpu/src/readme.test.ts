/**
 * The README's usage example, verbatim, in headless Chromium: its first ```ts block is bundled
 * with esbuild and run on a page with a canvas; the restored pixels must match core's reference
 * backend (to within one 8-bit level).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromInterleaved, loadModel, openModelSession, referenceBackend, restoreImage, toInterleaved } from '@dpmambair/core';
import { GOLDEN_DIR } from '@dpmambair/conformance/node';
import type { Browser } from 'playwright-core';
import { bundleForBrowser, launchChromium, ORT_WEB_DIST, startStaticServer, type StaticServer } from './testing/index.js';

const PACKAGE_DIR = dirname(fileURLToPath(new URL('../package.json', import.meta.url)));
const MODEL_DIR = fileURLToPath(new URL('tiny/', GOLDEN_DIR));
const WIDTH = 40;
const HEIGHT = 24;

/** Draws a deterministic noisy gradient and keeps a copy of the input pixels. */
const PAGE = `<!doctype html><meta charset="utf-8"><canvas width="${WIDTH}" height="${HEIGHT}"></canvas>
<script>
  const ctx = document.querySelector('canvas').getContext('2d');
  const img = ctx.createImageData(${WIDTH}, ${HEIGHT});
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < ${WIDTH * HEIGHT}; i++) {
    const x = i % ${WIDTH}, y = Math.floor(i / ${WIDTH});
    img.data[4 * i] = 40 + 4 * x + 30 * rnd(); img.data[4 * i + 1] = 60 + 6 * y + 30 * rnd(); img.data[4 * i + 2] = 120 + 30 * rnd(); img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  window.__input = Array.from(ctx.getImageData(0, 0, ${WIDTH}, ${HEIGHT}).data);
</script>
<script type="module" src="/readme.js"></script>`;

let server: StaticServer;
let browser: Browser;

before(async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const usage = readme.slice(readme.indexOf('## Usage'));
  const block = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  assert.ok(block, 'README.md has a ```ts block under ## Usage');
  const bundle = await bundleForBrowser({
    contents: `${block}\n;(globalThis as any).__done = true;\n`,
    resolveDir: PACKAGE_DIR,
  });
  server = await startStaticServer({
    mounts: { '/ort/': ORT_WEB_DIST, '/models/': MODEL_DIR },
    files: { '/': { body: PAGE, type: 'text/html; charset=utf-8' }, '/readme.js': { body: bundle }, '/favicon.ico': { body: new Uint8Array(0) } },
  });
  // Without the WebGPU flags: Chromium here has no adapter, so the example's 'auto' exercises the wasm fallback.
  browser = await launchChromium({ webgpu: false });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('README usage example runs in Chromium and matches the reference backend', { timeout: 180_000 }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (globalThis as any).__done === true || document.title === 'failed', undefined, { timeout: 170_000 })
    .catch((e: Error) => { throw new Error(`the example did not finish: ${e.message.split('\n')[0]}; errors: ${errors.join(' | ')}`); });
  assert.deepEqual(errors, []);
  // The page stays responsive after ORT ran (timers fire: the WebGPU build must not stall the event loop).
  assert.equal(await page.evaluate(() => new Promise((resolve) => setTimeout(() => resolve('timer fired'), 20))), 'timer fired');
  const [input, output] = await page.evaluate(() => [
    (globalThis as any).__input as number[],
    Array.from(document.querySelector('canvas')!.getContext('2d')!.getImageData(0, 0, 40, 24).data),
  ]);
  await page.close();

  // The same restore on the reference backend, quantised the same way.
  const model = await loadModel(await readFile(new URL('weights.json', `file://${MODEL_DIR}/`), 'utf8'), await readFile(new URL('weights.safetensors', `file://${MODEL_DIR}/`)));
  const session = await openModelSession(referenceBackend, model, 'cpu');
  const image = fromInterleaved({ width: WIDTH, height: HEIGHT, channels: 4, data: Uint8Array.from(input) });
  const expected = toInterleaved(await restoreImage(session, image, { tile: 256 })).data;
  let worst = 0;
  let changed = 0;
  for (let i = 0; i < output.length; i++) {
    worst = Math.max(worst, Math.abs(output[i] - expected[i]));
    if (output[i] !== input[i]) changed++;
  }
  assert.ok(worst <= 1, `restored pixels differ from the reference by up to ${worst} levels`);
  assert.ok(changed > output.length / 10, `the example barely changed the canvas (${changed} of ${output.length} values)`);
});
