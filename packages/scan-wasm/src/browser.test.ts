/**
 * The browser entry in real headless Chromium (Debian's /usr/bin/chromium, playwright-core; the
 * shared harness of packages/backend-webgpu/src/testing serves the pages): threads on Web Workers
 * where the page is cross-origin isolated (served with COOP/COEP), one thread, saying why, where
 * it is not. Needs `npm run build` first (the bundle takes the generated kernel from src/).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { bundleForBrowser } from '../../backend-webgpu/src/testing/bundle.js';
import { launchChromium } from '../../backend-webgpu/src/testing/chromium.js';
import { startStaticServer, type StaticServer } from '../../backend-webgpu/src/testing/server.js';

/** The page: kernels on `threads` threads (undefined: the default) and on one, against core's reference scan. */
const PAGE = `
import { referenceOps, seededRandom, tensor } from '@dpmambair/core';
import { createScanKernel, kernels } from './index.ts';

function inputs({ n, L, Di, N, deltaRange = [1e-3, 0.5] }, seed) {
  const rand = seededRandom(seed);
  const fill = (shape, f) => tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f));
  const [lo, hi] = deltaRange;
  return [
    fill([n, L, Di], () => rand() * 2 - 1), fill([n, L, Di], () => lo * (hi / lo) ** rand()), fill([Di, N], () => -(0.5 + rand() * N)),
    fill([n, L, N], () => rand() * 2 - 1), fill([n, L, N], () => rand() * 2 - 1), fill([Di], () => rand()),
  ];
}
/** max |a - b| / max(1, max |b|), the conformance suite's measure. */
function scaledError(a, b) {
  let maxAbs = 0, scale = 1;
  for (let i = 0; i < b.data.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(a.data[i] - b.data[i])); scale = Math.max(scale, Math.abs(b.data[i])); }
  return maxAbs / scale;
}
globalThis.__scan = {
  info: () => ({ isolated: globalThis.crossOriginIsolated === true, cores: navigator.hardwareConcurrency, description: kernels.async('wasm', 'selectiveScan').description }),
  async defaultThreads() { const k = await createScanKernel(); await k.dispose(); return k.threads; },
  async threadsError(threads) { try { await createScanKernel({ threads }); return 'no error'; } catch (e) { return e.message; } },
  async compare(threads, cases) {
    const many = await createScanKernel({ threads });
    const one = await createScanKernel({ threads: 1 });
    const results = [];
    for (const [i, c] of cases.entries()) {
      const [x, delta, A, B, C, D] = inputs(c, 100 + i);
      const reference = referenceOps.selectiveScan(x, delta, A, B, C, D);
      const threaded = await many.scan(x, delta, A, B, C, D);
      const single = await one.scan(x, delta, A, B, C, D);
      results.push({ c, vsOne: scaledError(threaded, single), vsReference: scaledError(threaded, reference) });
    }
    await Promise.all([many.dispose(), one.dispose()]);
    return { threads: many.threads, results };
  },
};
`;

/** Shapes whose channels split over 3 threads, with tails that are not multiples of 4, one token, a long sequence, extreme delta. */
const CASES = [
  { n: 1, L: 1, Di: 24, N: 4 },
  { n: 1, L: 4096, Di: 48, N: 4 },
  { n: 2, L: 37, Di: 41, N: 5 },
  { n: 1, L: 300, Di: 36, N: 16, deltaRange: [1e-6, 60] },
  { n: 1, L: 65, Di: 7, N: 3 },
];

let browser: Browser;
let isolated: StaticServer;
let plain: StaticServer;

async function open(server: StaticServer): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (globalThis as { __scan?: unknown }).__scan !== undefined, undefined, { timeout: 20_000 }).catch((e) => {
    throw new Error(`the test page did not load: ${errors.join('; ') || (e as Error).message}`);
  });
  return page;
}

before(async () => {
  const bundle = await bundleForBrowser({ contents: PAGE, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' });
  const files = {
    '/': { body: '<!doctype html><meta charset="utf-8"><title>scan-wasm</title><script type="module" src="/page.js"></script>', type: 'text/html; charset=utf-8' },
    '/page.js': { body: bundle, type: 'text/javascript' },
    '/favicon.ico': { body: new Uint8Array(0) },
  };
  [isolated, plain] = await Promise.all([startStaticServer({ files, crossOriginIsolated: true }), startStaticServer({ files })]);
  browser = await launchChromium({ webgpu: false });
});
after(async () => {
  await browser?.close();
  await Promise.all([isolated?.close(), plain?.close()]);
});

test('cross-origin isolated page: threads on Web Workers by default, min(4, cores), and the registry says so', async () => {
  const page = await open(isolated);
  const info = await page.evaluate(() => (globalThis as any).__scan.info());
  assert.equal(info.isolated, true);
  const expected = Math.max(1, Math.min(4, info.cores));
  assert.equal(await page.evaluate(() => (globalThis as any).__scan.defaultThreads()), expected);
  assert.match(info.description, expected > 1 ? new RegExp(`${expected} threads over channels \\(cross-origin isolated`) : /one thread \(cross-origin isolated/);
});

test('cross-origin isolated page: the kernel on 3 Web Workers equals the one-thread kernel and the reference scan', async () => {
  const page = await open(isolated);
  const { threads, results } = await page.evaluate(([cases]) => (globalThis as any).__scan.compare(3, cases), [CASES] as const);
  assert.equal(threads, 3);
  for (const { c, vsOne, vsReference } of results) {
    assert.ok(vsOne <= 1e-6, `${JSON.stringify(c)}: 3 threads vs 1 thread, scaled difference ${vsOne.toExponential(2)}`);
    assert.ok(vsReference <= 1e-5, `${JSON.stringify(c)}: 3 threads vs the reference scan, scaled error ${vsReference.toExponential(2)}`);
  }
});

test('plain page: one thread by default, and asking for more fails saying the page is not cross-origin isolated', async () => {
  const page = await open(plain);
  const info = await page.evaluate(() => (globalThis as any).__scan.info());
  assert.equal(info.isolated, false);
  assert.match(info.description, /one thread: the page is not cross-origin isolated/);
  assert.equal(await page.evaluate(() => (globalThis as any).__scan.defaultThreads()), 1);
  assert.match(await page.evaluate(() => (globalThis as any).__scan.threadsError(2)), /2 threads cannot run here: the page is not cross-origin isolated .*Cross-Origin-Embedder-Policy: require-corp.*; use threads: 1$/);
});
