/** Drives the built demo page in Chromium (shared by the e2e test and the screenshot script). */
import type { Page } from 'playwright-core';

export interface DemoResult {
  state: string;
  changed: number;
  psnrIn: number | null;
  psnrOut: number | null;
  ssimIn: number | null;
  ssimOut: number | null;
  status: string;
  /** The text under the slider (timings, where it ran, notes). */
  results: string;
  ms: number;
}

/** Opens /demo.html, loads the bundled noisy sample, restores it on `device`, returns what the page reports. */
export async function restoreNoisySample(page: Page, origin: string, device = 'wasm', timeoutMs = 540_000): Promise<DemoResult> {
  await page.goto(`${origin}/demo.html`);
  const root = page.locator('#restore-demo');
  await page.waitForSelector('#restore-demo[data-state="idle"]', { timeout: 60_000 });
  await root.locator('[data-role="sample-noisy"]').click();
  await page.waitForSelector('#restore-demo [data-role="restore"]:not([disabled])', { timeout: 60_000 });
  await root.locator('[data-role="device"]').selectOption(device);
  const t0 = Date.now();
  await root.locator('[data-role="restore"]').click();
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector<HTMLElement>('#restore-demo')?.dataset.state ?? ''), undefined, { timeout: timeoutMs, polling: 500 });
  const ms = Date.now() - t0;
  const d = await root.evaluate((el: HTMLElement) => ({ ...el.dataset }));
  const status = (await root.locator('[data-role="status"]').textContent()) ?? '';
  const results = (await root.locator('[data-role="results"]').textContent()) ?? '';
  const num = (v: string | undefined) => (v === undefined ? null : Number(v));
  return { state: d.state ?? '', changed: Number(d.changed ?? NaN), psnrIn: num(d.psnrIn), psnrOut: num(d.psnrOut), ssimIn: num(d.ssimIn), ssimOut: num(d.ssimOut), status, results, ms };
}
