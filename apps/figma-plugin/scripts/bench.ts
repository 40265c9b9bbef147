/**
 * The budget check: the first restore of a 1024x1024 image in the plugin UI, in WASM (one thread,
 * as in Figma's iframe), in headless Chromium through the same host page as the tests. Records
 * the time and the progress it showed in benchmarks/results/figma-plugin.md, with bundle sizes.
 *
 *   npm run build && npm run bench      (from apps/figma-plugin)
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { builtInfo, ROOT, startSession } from '../test/host/launch.js';

const SIZE = 1024;
const session = await startSession();
try {
  const info = builtInfo();
  // The whole 512 px noisy sample, upsampled 2x: a 1024x1024 PNG (timing does not depend on content).
  const { page, plugin } = await session.open({ theme: 'light', crop: { x: 0, y: 0, size: 512, scale: 2 } });
  await plugin.waitForFunction(() => !(document.getElementById('restore') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
  await plugin.selectOption('#device-pref', 'wasm');
  const load0 = loadavg()[0];
  const t0 = Date.now();
  const seen: { s: number; text: string; bar: string }[] = [];
  let last = '';
  await plugin.$eval('#restore', (b) => (b as HTMLButtonElement).click());
  for (;;) {
    const [state, text, bar] = await plugin.evaluate(() => [document.body.dataset.state ?? '', document.getElementById('progress-text')!.textContent ?? '', (document.getElementById('progress-bar') as HTMLElement).style.width]);
    if (text !== last) {
      seen.push({ s: (Date.now() - t0) / 1000, text, bar });
      console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${bar.padStart(4)}  ${text}`);
      last = text;
    }
    if (state === 'done' || state === 'error' || state === 'cancelled') break;
    if (Date.now() - t0 > 20 * 60_000) throw new Error('no result after 20 minutes');
    await page.waitForTimeout(250);
  }
  const totalMs = Date.now() - t0;
  const stats = await plugin.evaluate(() => (window as any).__dpm);
  if (stats.state !== 'done') throw new Error(`restore ended in ${stats.state}: ${stats.error}`);
  const q = await page.evaluate(() => (window as any).host.quality());
  const load1 = loadavg()[0];
  const chromium = execSync('/usr/bin/chromium --version 2>/dev/null || true').toString().trim();
  const r = stats.restores[0];
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  const rows = seen
    .filter((x, i) => i === 0 || i === seen.length - 1 || /tile|analysing|detecting|Loading/.test(x.text))
    .map((x) => `| ${x.s.toFixed(1)} | ${x.bar} | ${x.text.replace(/\|/g, '/')} |`)
    .join('\n');
  const md = `# Figma plugin: size and first-restore time

Measured by \`apps/figma-plugin/scripts/bench.ts\` (\`npm run build && npm run bench\` in apps/figma-plugin) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

## Bundle

| file | size |
| --- | --- |
| \`dist/ui.html\` | ${mib(info.bytes['ui.html'])} (${info.bytes['ui.html']} bytes) |
| \`dist/code.js\` | ${(info.bytes['code.js'] / 1024).toFixed(1)} KiB (${info.bytes['code.js']} bytes) |

ui.html holds: the UI script (${(info.bytes.uiJs / 1024).toFixed(1)} KiB); the engine script (core + backend-webgpu + two
onnxruntime-web builds: the plain WebAssembly one for the CPU and the WebGPU one, ${mib(info.bytes.engineJs)});
their ORT wasm files, gzip + base64: \`ort-wasm-simd-threaded.wasm\` ${mib(info.bytes.wasmPlain)} -> ${mib(info.bytes.wasmPlainGzBase64)} and
\`ort-wasm-simd-threaded.asyncify.wasm\` ${mib(info.bytes.wasmAsyncify)} -> ${mib(info.bytes.wasmAsyncifyGzBase64)}; and the model
\`${info.weights}\` (${mib(info.bytes.model)} safetensors, gzip + base64). Uncompressed, the same page would be about
${mib(info.bytes['ui.html'] - info.bytes.wasmPlainGzBase64 - info.bytes.wasmAsyncifyGzBase64 + Math.ceil(((info.bytes.wasmPlain + info.bytes.wasmAsyncify) * 4) / 3))}.

## First restore of a ${SIZE}x${SIZE} image, WASM, one thread

A fresh page: the click on Restore starts everything (unpacking the wasm and the model, compiling
both graphs, decoding, the degradation embedding, ${r.tiles} tiles, PNG encoding, the write-back).

| | |
| --- | --- |
| image | samples/noisy-astronaut.png upsampled 2x to ${SIZE}x${SIZE} (PNG) |
| device | ${stats.device} (${stats.where === 'worker' ? 'in a Web Worker' : 'in the iframe'}), 1 thread (the iframe is not cross-origin isolated) |
| model load (first use) | ${(stats.loadMs / 1000).toFixed(1)} s |
| restore (embedding + ${r.tiles} tiles of ${r.tile} px, blending) | ${(r.ms / 1000).toFixed(1)} s |
| click to written back | **${(totalMs / 1000).toFixed(1)} s** |
| result | ${q.width}x${q.height} PNG written into the fill |
| machine | ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end (a shared machine: other jobs may run; see the history below) |
| browser | ${chromium || 'Debian chromium'}, headless |

Progress as the designer saw it (seconds after the click, bar width, text):

| s | bar | text |
| --- | --- | --- |
${rows}

History (same machine and image, click to written back): 261.6 s (26 Nov 07:39 UTC, onnxruntime-web's
asyncify build for the CPU too); 176.1 s (07:57 UTC, the plain wasm build, load average ~10 to 7);
137.3 s (26 Nov 08:32 UTC, load average 4.8 to 8.6, the lead's training running) with the selective
scan on com.microsoft.LinearAttention, before our WebAssembly scan kernel (@dpmambair/scan-wasm, one
thread here) ran it between ONNX segments; 19.8 s (1 Dec 13:30 UTC, kernel, training paused for the
run, load average 2.0). 137.3 -> 19.8 s is 6.9x, but the loads differ; for a closer comparison see
benchmarks/results/cpu.md: Chromium wasm, one thread, 1024², 79.17 s before the kernel, 17.05 s with it (4.6x).

Notes: the timing is from a shared, loaded 2-core machine and varies run to run by tens of
percent; an unloaded laptop core is faster. The first tile of a session is slower than later ones
(onnxruntime sets up its memory on the first run). WebGPU, where Figma's iframe offers it, runs the same
model on the GPU; it is not timed here (no GPU on this machine).
`;
  mkdirSync(join(ROOT, 'benchmarks/results'), { recursive: true });
  writeFileSync(join(ROOT, 'benchmarks/results/figma-plugin.md'), md);
  console.log(`\nclick to written back: ${(totalMs / 1000).toFixed(1)} s (load ${stats.loadMs} ms, restore ${r.ms} ms); wrote benchmarks/results/figma-plugin.md`);
  await page.close();
} finally {
  await session.close();
}
