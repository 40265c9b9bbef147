/**
 * The plugin UI in real headless Chromium, end to end: a page playing Figma's role loads
 * dist/ui.html into a sandboxed srcdoc iframe (null origin), relays pluginMessages as Figma does,
 * and runs the real main-thread code against FakeFigma. It restores a real degraded photo
 * (a 256 px crop of samples/noisy-astronaut.png) with the embedded model in WASM and checks what
 * is written back: a PNG of the right size, closer to the clean photo than the input (PSNR).
 *
 * Needs dist/ (npm run build) and Chromium (/usr/bin/chromium or $CHROMIUM_PATH).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { builtInfo, startSession, type Session } from './host/launch.js';

const CROP = { x: 160, y: 40, size: 256 };
const RESTORE_TIMEOUT = 150_000;
/** No network at all (connect-src 'none'), scripts only inline plus WebAssembly, workers only from blob:. */
const STRICT_CSP = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval' blob:; style-src 'unsafe-inline'; img-src data: blob:; worker-src blob:; connect-src 'none'";

type State = 'idle' | 'running' | 'applying' | 'done' | 'cancelled' | 'error';

async function waitState(plugin: Frame, states: State[], timeout = RESTORE_TIMEOUT): Promise<State> {
  await plugin.waitForFunction((s) => (s as string[]).includes(document.body.dataset.state ?? ''), states, { timeout, polling: 200 });
  return (await plugin.evaluate(() => document.body.dataset.state)) as State;
}

const host = <T>(page: Page, fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (window as any).host[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

describe('figma plugin UI in Chromium (sandboxed iframe, FakeFigma main thread)', { timeout: 300_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  it('restores a noisy photo end to end in WASM in a worker, under a no-network CSP, with progress; the written PNG is closer to the clean photo; one undo brings the original back', async () => {
    const info = builtInfo();
    const { page, plugin } = await session.open({ theme: 'light', crop: CROP, extras: true, large: 512, csp: STRICT_CSP });
    await plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled, null, { timeout: 30_000 });
    assert.match((await plugin.textContent('#selection-summary')) ?? '', /^1 image to restore/);
    assert.match((await plugin.textContent('#skipped-list')) ?? '', /Loading spinner\.gif: GIF images are not supported/);

    const progress = new Set<string>();
    const widths = new Set<string>();
    const poll = setInterval(() => {
      plugin
        .evaluate(() => [document.getElementById('progress-text')!.textContent ?? '', (document.getElementById('progress-bar') as HTMLElement).style.width])
        .then(([t, w]) => {
          progress.add(t);
          widths.add(w);
        })
        .catch(() => undefined);
    }, 150);
    await plugin.click('#restore');
    const state = await waitState(plugin, ['done', 'error', 'cancelled']);
    clearInterval(poll);
    const stats = await plugin.evaluate(() => (window as any).__dpm);
    assert.equal(state, 'done', `restore ended in '${state}': ${stats.error ?? (await plugin.textContent('#status'))}`);
    assert.equal(stats.device, 'wasm');
    assert.equal(stats.where, 'worker');
    assert.ok([...progress].some((t) => /Loading the model/.test(t)), 'showed model loading');
    assert.ok([...progress].some((t) => /analysing the image|tile/.test(t)), `showed restore progress: ${[...progress].join(' | ')}`);
    assert.ok(widths.size >= 2, `the progress bar moved: ${[...widths].join(', ')}`);
    assert.match((await plugin.textContent('#status')) ?? '', /Done: replaced 1 image fill/);
    assert.equal(await plugin.isVisible('#preview-box'), true, 'before/after preview shown');
    // The strength slider re-blends the preview from the stored result; the model does not run again.
    const restoresBefore = (await plugin.evaluate(() => (window as any).__dpm.restores.length)) as number;
    const blend = (await plugin.evaluate(`(() => {
      const px = (id) => { const c = document.querySelector('#' + id + ' canvas'); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; };
      const slider = document.getElementById('strength');
      const at = (v) => { slider.value = v; slider.dispatchEvent(new Event('input')); return px('after-holder'); };
      const full = px('after-holder');
      const none = at('0');
      const half = at('50');
      at('100');
      const before = px('before-holder');
      let noneOff = 0, halfOff = 0;
      for (let i = 0; i < before.length; i++) {
        noneOff = Math.max(noneOff, Math.abs(none[i] - before[i]));
        // (where the full result is clipped to 0 or 255, halfway is taken from the unclipped value)
        if (full[i] > 0 && full[i] < 255) halfOff = Math.max(halfOff, Math.abs(half[i] - (before[i] + full[i]) / 2));
      }
      return { noneOff, halfOff, label: document.getElementById('strength-value').textContent };
    })()`)) as { noneOff: number; halfOff: number; label: string };
    assert.equal(blend.noneOff, 0, 'strength 0% previews the input');
    assert.ok(blend.halfOff <= 1, `strength 50% is ${blend.halfOff} levels from halfway`);
    assert.equal(blend.label, '100%');
    assert.equal(await plugin.evaluate(() => (window as any).__dpm.restores.length), restoresBefore, 'no restore ran for the slider');
    assert.match((await plugin.textContent('#status')) ?? '', /Preview at 100% strength/);

    const q = await host<{ inputPsnr: number; outputPsnr: number; width: number; height: number; hashChanged: boolean; format: string }>(page, 'quality');
    console.log(`# 256x256 crop, weights ${info.weights}: PSNR input ${q.inputPsnr.toFixed(2)} dB -> written back ${q.outputPsnr.toFixed(2)} dB; model load ${stats.loadMs} ms, restore ${stats.restores[0].ms} ms (first, WASM, 1 thread)`);
    assert.equal(q.hashChanged, true);
    assert.equal(q.format, 'png');
    assert.deepEqual([q.width, q.height], [CROP.size, CROP.size]);
    if (info.development) console.log('# development weights (untrained): PSNR improvement not required');
    else assert.ok(q.outputPsnr > q.inputPsnr + 0.5, `restored PSNR ${q.outputPsnr.toFixed(2)} dB should beat the input's ${q.inputPsnr.toFixed(2)} dB`);

    assert.equal(await host(page, 'undo'), true);
    const after = await host<{ hashChanged: boolean }>(page, 'quality');
    assert.equal(after.hashChanged, false, 'one undo restores the original image');

    // Refusal follows the selection.
    await host(page, 'select', 'none');
    await plugin.waitForFunction(() => /Select one or more layers/.test(document.getElementById('selection-summary')!.textContent ?? ''));
    assert.equal(await plugin.isDisabled('#restore'), true);

    // Cancel stops the work (a longer job: 512 px, 4 tiles); nothing is written.
    const largeBefore = await host<string>(page, 'largeHash');
    await host(page, 'select', 'large');
    await plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled);
    await plugin.click('#restore');
    await plugin.waitForFunction(() => /analysing|tile/.test(document.getElementById('progress-text')!.textContent ?? ''), null, { timeout: 60_000 });
    const t0 = Date.now();
    // A DOM click: Playwright's synthesized pointer input waits on frames that a busy 2-core machine
    // can delay by many seconds; the handler is the same.
    await plugin.$eval('#cancel', (b) => (b as HTMLButtonElement).click());
    const tClick = Date.now();
    assert.equal(await waitState(plugin, ['cancelled', 'done', 'error'], 10_000), 'cancelled');
    const stopMs = Date.now() - t0;
    const { engineEvents: events, cancelMs, cancelClickedAt } = (await plugin.evaluate(() => (window as any).__dpm)) as { engineEvents: string[]; cancelMs: number; cancelClickedAt: number };
    console.log(`# cancel: work stopped ${cancelMs} ms after the click was handled (${events.join(', ')}); ${stopMs} ms as the test saw it (click handled ${cancelClickedAt - t0} ms after the test asked, click() returned after ${tClick - t0} ms)`);
    assert.ok(events.length === 1, 'the worker stopped (at a tile boundary or terminated)');
    assert.ok(stopMs < 5_000);
    assert.match((await plugin.textContent('#status')) ?? '', /Cancelled\. Nothing was changed/);
    assert.equal(await host<string>(page, 'largeHash'), largeBefore);
    await page.close();
  });

  it('runs the engine in the iframe when workers are forbidden (the path WebGPU takes too), loaded from a blob: URL, dark theme, three images (one EXIF-rotated JPEG) placed as duplicates', async () => {
    // Workers forbidden by the page's policy: the UI falls back to running the engine in the iframe.
    const workerAttempts: string[] = [];
    const { page, plugin } = await session.open({ theme: 'dark', crop: { ...CROP, size: 128 }, load: 'blob', large: 160, exifJpeg: true, select: false, csp: STRICT_CSP.replace('worker-src blob:', "worker-src 'none'") });
    page.on('console', (m) => {
      if (/Creating a worker/.test(m.text())) workerAttempts.push(m.text());
    });
    assert.equal(await plugin.evaluate(() => [location.protocol, origin].join(' ')), 'blob: null');
    const bg = await plugin.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(44, 44, 44)', 'follows figma-dark variables');
    await host(page, 'select', 'both');
    await plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled, null, { timeout: 30_000 });
    assert.match((await plugin.textContent('#selection-summary')) ?? '', /^3 images to restore/);
    // The designer places the restored copies beside the originals.
    await plugin.check('input[name="placement"][value="duplicate"]');
    await plugin.selectOption('#device-pref', 'wasm');
    await plugin.click('#restore');
    const state = await waitState(plugin, ['done', 'error', 'cancelled']);
    const stats = await plugin.evaluate(() => (window as any).__dpm);
    assert.equal(state, 'done', stats.error);
    assert.equal(stats.where, 'iframe');
    assert.match((await plugin.getAttribute('#device', 'title')) ?? '', /no worker/);
    assert.equal(workerAttempts.length, 1, 'one try at a worker, then the iframe');
    // The phone photo is a 96x64 JPEG that EXIF rotates: restored as shown, 64x96.
    assert.deepEqual(stats.restores.map((r: { width: number; height: number }) => `${r.width}x${r.height}`), ['128x128', '160x160', '64x96']);
    assert.equal(stats.lastApplied.duplicated, 3);
    assert.equal(await plugin.locator('#thumbs button').count(), 3, 'a thumbnail per image');
    const names = await page.evaluate(() => (window as any).host.photo.parent.children.map((c: { name: string }) => c.name));
    assert.deepEqual(names, ['Astronaut (noisy)', 'Astronaut (noisy) (restored)', 'Astronaut (large)', 'Astronaut (large) (restored)', 'Phone photo', 'Phone photo (restored)']);
    const phoneCopy = await page.evaluate(async () => {
      const h = (window as any).host;
      const dup = h.photo.parent.children.at(-1);
      const bytes = await h.figma.getImageByHash(dup.fills[0].imageHash).getBytesAsync();
      const bmp = await createImageBitmap(new Blob([bytes]));
      return { png: bytes[0] === 0x89, width: bmp.width, height: bmp.height };
    });
    assert.deepEqual(phoneCopy, { png: true, width: 64, height: 96 });
    assert.equal((await host<{ hashChanged: boolean }>(page, 'quality')).hashChanged, false, 'the original keeps its image');
    await page.close();
  });
});

// Opt-in (DPM_TEST_WEBGPU=1): SwiftShader took ~3 minutes for this 64 px restore here (seen: PSNR
// 20.42 -> 25.70 dB, i.e. the WebGPU path in a null-origin iframe works end to end).
describe('figma plugin UI on WebGPU (SwiftShader: correct but slow, so a 64 px crop)', { timeout: 420_000, skip: process.env.DPM_TEST_WEBGPU === '1' ? false : 'set DPM_TEST_WEBGPU=1 (about 4 minutes on SwiftShader)' }, () => {
  let session: Session;
  before(async () => {
    session = await startSession({ webgpu: true });
  });
  after(async () => {
    await session?.close();
  });

  it('picks WebGPU in the iframe when an adapter exists, and restores', async () => {
    const { page, plugin } = await session.open({ theme: 'light', crop: { x: 200, y: 80, size: 64 } });
    await plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled, null, { timeout: 30_000 });
    await plugin.click('#restore');
    const state = await waitState(plugin, ['done', 'error', 'cancelled'], 400_000);
    const stats = await plugin.evaluate(() => (window as any).__dpm);
    assert.equal(state, 'done', stats.error);
    assert.equal(stats.device, 'webgpu', `ran on ${stats.device}: ${await plugin.getAttribute('#device', 'title')}`);
    assert.equal(stats.where, 'iframe');
    const q = await host<{ inputPsnr: number; outputPsnr: number; width: number; height: number }>(page, 'quality');
    console.log(`# WebGPU (SwiftShader) 64x64: PSNR ${q.inputPsnr.toFixed(2)} -> ${q.outputPsnr.toFixed(2)} dB; load ${stats.loadMs} ms, restore ${stats.restores[0].ms} ms`);
    assert.deepEqual([q.width, q.height], [64, 64]);
    if (!builtInfo().development) assert.ok(q.outputPsnr > q.inputPsnr, 'WebGPU output is closer to the clean photo');
    await page.close();
  });
});

