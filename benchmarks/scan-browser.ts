/**
 * The selective-scan kernel alone in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core), at every scan shape of `small` (512² tile, as benchmarks/scan.ts), in ns per
 * (token, channel, state): the whole call, inputs copied into the kernel's memory and y out, as
 * backend-webgpu's `wasm` device pays it between ONNX segments. In one run: one thread on a plain
 * page, the entry's default threads (Web Workers) on the same page served with COOP/COEP, and the
 * same kernel on one thread in Node.
 *
 *   npx turbo run build --filter=@dpmambair/scan-wasm && npx tsx benchmarks/scan-browser.ts [--paper] [--no-write]
 *
 * Prints one JSON line per shape and the table, and replaces the Chromium section of
 * benchmarks/results/scan.md (between its markers; benchmarks/scan.ts keeps that section).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getConfig } from '@dpmambair/core';
import { bundleForBrowser } from '../packages/backend-webgpu/src/testing/bundle.js';
import { launchChromium } from '../packages/backend-webgpu/src/testing/chromium.js';
import { startStaticServer } from '../packages/backend-webgpu/src/testing/server.js';
import { createScanKernel } from '@dpmambair/scan-wasm';
import { chromiumSection, kernelNs, load, machine, markChromiumSection } from './scan-costs.js';
import { elements, scanShapes, shapeKey, type ScanShape } from './scan-inputs.js';

const { values } = parseArgs({ options: { paper: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false } } });
const here = fileURLToPath(new URL('.', import.meta.url));
const shapes: { config: string; shape: ScanShape }[] = [];
for (const [config, side] of [['small', 512], ...(values.paper ? [['paper', 256] as const] : [])] as const) {
  for (const shape of scanShapes(getConfig(config), side)) shapes.push({ config, shape });
}

const before = load();
const bundle = await bundleForBrowser({ contents: "import './scan-browser-page.ts';", resolveDir: here });
const files = {
  '/': { body: '<!doctype html><meta charset="utf-8"><title>scan kernel</title><script type="module" src="/scan.js"></script>', type: 'text/html; charset=utf-8' },
  '/scan.js': { body: bundle, type: 'text/javascript' },
  '/favicon.ico': { body: new Uint8Array(0) },
};
// The same page twice: plain (one thread, as in Figma) and with COOP/COEP (the kernel's default threads).
const [plain, isolated] = await Promise.all([startStaticServer({ files }), startStaticServer({ files, crossOriginIsolated: true })]);
const browser = await launchChromium({ webgpu: false });
type PageResult = { threads: number; crossOriginIsolated: boolean; description: string; rows: { shape: ScanShape; ns: number }[] };
const version = browser.version();
async function measure(url: string): Promise<PageResult> {
  const tab = await browser.newPage();
  tab.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await tab.goto(`${url}/`);
  await tab.waitForFunction(() => (globalThis as { __scan?: unknown }).__scan !== undefined);
  const result = (await tab.evaluate((s) => (globalThis as any).__scan.run(s), shapes.map((s) => s.shape))) as PageResult;
  await tab.close();
  return result;
}
let one: PageResult;
let many: PageResult;
try {
  one = await measure(plain.url);
  many = await measure(isolated.url);
} finally {
  await browser.close();
  await Promise.all([plain.close(), isolated.close()]);
}
if (one.crossOriginIsolated || !many.crossOriginIsolated) throw new Error('scan-browser: the plain page must not be cross-origin isolated and the COOP/COEP page must be');
const node = await createScanKernel({ threads: 1 });
const rows = [];
for (const [i, r] of one.rows.entries()) {
  rows.push({
    config: shapes[i].config, shape: shapeKey(r.shape), melements: +(elements(r.shape) / 1e6).toFixed(1),
    chromium1: +r.ns.toFixed(3), chromiumThreads: +many.rows[i].ns.toFixed(3), node1: +(await kernelNs(node, r.shape)).toFixed(3),
  });
}
await node.dispose();
for (const row of rows) console.log(JSON.stringify(row));

const n = many.threads;
const md = markChromiumSection([
  '## The kernel alone in Chromium: one thread, and threads on a cross-origin-isolated page',
  '',
  `Command: \`npx tsx benchmarks/scan-browser.ts${values.paper ? ' --paper' : ''}\`. Date: ${new Date().toISOString()}. Chromium ${version} headless (playwright-core).`,
  `Machine: ${machine()}. Load before the run: ${before}. After: ${load()}.`,
  "The kernel from @dpmambair/scan-wasm's browser entry (as backend-webgpu's `wasm` device and the Figma plugin load it), the inputs of benchmarks/scan.ts, the whole call (inputs copied in, y out), best of 2-4 runs after a warm-up.",
  `Chromium 1 thread = a plain page (${one.description}); Chromium ${n} threads = the same page served with COOP/COEP, the entry's default (${many.description}); Node 1 thread = the same kernel through the Node entry, right after in the same run. Issue 12's target: <= 3 ns/element on one thread in Chromium.`,
  '',
  `| config | tokens/channels/states | M elements | Chromium 1 thread (ns/element) | Chromium ${n} threads | 1 / ${n} threads | Node 1 thread | Chromium / Node, 1 thread |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.config} | ${r.shape} | ${r.melements} | ${r.chromium1.toFixed(2)} | ${r.chromiumThreads.toFixed(2)} | ${(r.chromium1 / r.chromiumThreads).toFixed(2)}x | ${r.node1.toFixed(2)} | ${(r.chromium1 / r.node1).toFixed(2)}x |`),
  '', // notes written by hand below the table stay a paragraph of their own
]);
console.log(md);
if (!values['no-write']) {
  const file = `${here}/results/scan.md`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const section = chromiumSection(old);
  const kept = section ? old.replace(section, '').replace(/\n*$/, '') : old.trimEnd();
  writeFileSync(file, `${kept}${kept ? '\n\n' : ''}${md}\n`);
  console.error(`wrote the Chromium section of ${file}`);
}
