/**
 * Screenshots of the real UI for the README (docs/*.png): dist/ui.html in the same host page as
 * the tests (sandboxed iframe, FakeFigma main thread, Figma's light and dark theme variables),
 * restoring a 256 px crop of samples/noisy-astronaut.png in WASM.
 *
 *   npm run build && npm run screenshots      (from apps/figma-plugin)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { APP, startSession } from '../test/host/launch.js';

const DOCS = join(APP, 'docs');
mkdirSync(DOCS, { recursive: true });
const shot = (page: Page, name: string) => page.frameLocator('#plugin').locator('#app').screenshot({ path: join(DOCS, name) }).then(() => console.log(`docs/${name}`));
const ready = (plugin: Frame) => plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
const until = (plugin: Frame, states: string[]) => plugin.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states, { timeout: 300_000, polling: 200 });

const session = await startSession();
try {
  {
    const { page, plugin } = await session.open({ theme: 'light', crop: { x: 160, y: 40, size: 256 }, extras: true, large: 512 });
    await ready(plugin);
    await plugin.$eval('#skipped-box', (d) => ((d as HTMLDetailsElement).open = true));
    await shot(page, 'selection-light.png');
    // Progress with time left: the 512 px image (4 tiles), cancelled after its first tile.
    await page.evaluate(() => (window as any).host.select('large'));
    await ready(plugin);
    await plugin.$eval('#restore', (b) => (b as HTMLButtonElement).click());
    await plugin.waitForFunction(() => /left/.test(document.getElementById('progress-text')!.textContent ?? ''), null, { timeout: 300_000, polling: 100 });
    await shot(page, 'progress-light.png');
    await plugin.$eval('#cancel', (b) => (b as HTMLButtonElement).click());
    await until(plugin, ['cancelled']);
    await page.evaluate(() => (window as any).host.select('photo'));
    await ready(plugin);
    await plugin.$eval('#restore', (b) => (b as HTMLButtonElement).click());
    await until(plugin, ['done', 'error']);
    await shot(page, 'restored-light.png');
    await page.evaluate(() => (window as any).host.select('none'));
    await plugin.waitForFunction(() => /Select one or more/.test(document.getElementById('selection-summary')!.textContent ?? ''));
    await shot(page, 'refusal-light.png');
    await page.close();
  }
  {
    const { page, plugin } = await session.open({ theme: 'dark', crop: { x: 160, y: 40, size: 256 } });
    await ready(plugin);
    await plugin.check('input[name="placement"][value="duplicate"]');
    await plugin.$eval('#restore', (b) => (b as HTMLButtonElement).click());
    await until(plugin, ['done', 'error']);
    await plugin.$eval('#split', (el) => {
      (el as HTMLInputElement).value = '35';
      el.dispatchEvent(new Event('input'));
    });
    await shot(page, 'restored-dark.png');
    await page.close();
  }
} finally {
  await session.close();
}
