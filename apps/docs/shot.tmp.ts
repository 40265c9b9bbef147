import { launchChromium } from '../../packages/backend-webgpu/src/testing/chromium.js';
import { serveSite } from './scripts/serve.js';
const server = await serveSite();
const browser = await launchChromium({ webgpu: false });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
for (const p of process.argv.slice(2)) {
  await page.goto(`${server.url}/${p}`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: `/tmp/shot-${p.replace(/[\/.]/g, '_')}.png`, fullPage: true });
}
await browser.close(); await server.close();
