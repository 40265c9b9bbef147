/**
 * Screenshots of the built site in headless Chromium: the home page and the demo after restoring
 * the bundled noisy astronaut on `wasm`. Written to site/public/screenshots/ (committed; shown on
 * the Screenshots page after the next build) and copied into the current dist.
 *
 *   npm run build -w @dpmambair/docs && npm run screenshots -w @dpmambair/docs && npm run build -w @dpmambair/docs
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../../packages/backend-webgpu/src/testing/chromium.js';
import { restoreNoisySample } from './demo-driver.js';
import { DIST, serveSite } from './serve.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'site', 'public', 'screenshots');
mkdirSync(out, { recursive: true });
mkdirSync(join(DIST, 'screenshots'), { recursive: true });
const server = await serveSite();
const browser = await launchChromium({ webgpu: false });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('.VPHero');
  await page.screenshot({ path: join(out, 'home.png') });
  console.log(`home.png`);
  const r = await restoreNoisySample(page, server.url, 'wasm');
  console.log(`demo restored in ${(r.ms / 1000).toFixed(1)} s: PSNR ${r.psnrIn?.toFixed(2)} -> ${r.psnrOut?.toFixed(2)} dB (${r.state})`);
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.locator('#restore-demo [data-role="compare"]').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'demo.png'), fullPage: true });
  console.log('demo.png');
  for (const f of ['home.png', 'demo.png']) copyFileSync(join(out, f), join(DIST, 'screenshots', f));
} finally {
  await browser.close();
  await server.close();
}
