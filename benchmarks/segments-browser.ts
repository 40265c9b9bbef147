/**
 * Where the time of Chromium's `wasm` device goes (issue 12): `small` on backend-webgpu's `wasm`
 * (onnxruntime-web segments + our scan kernel between them) in headless Chromium, on a plain page
 * (one thread, as in Figma) or with --isolated on a COOP/COEP one (threads). Each onnxruntime-web
 * run is timed with the bytes it is fed and returns; the scan kernel, the runner and (for a whole
 * image) tiling and blending take the rest. Variants (session options laid over the backend's, a
 * whole image with a tile size, or one tile) take turns in one page, --rounds times, so their
 * ratios come from one window.
 *
 *   npx tsx benchmarks/segments-browser.ts [--variants '<json>'] [--rounds 3] [--runs 1] [--isolated]
 *
 * --variants: a JSON array of { "label", "image"?: side, "tile"?: side, "sessionOptions"?: {...},
 * "configure"?: backend-webgpu configure() options, e.g. { "layerNorm": "op" } };
 * default: one 280² tile (the tile a 1024² image gets) with the backend's options.
 */
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { bundleForBrowser } from '../packages/backend-webgpu/src/testing/bundle.js';
import { chromiumPeaks, launchChromium } from '../packages/backend-webgpu/src/testing/chromium.js';
import { startStaticServer } from '../packages/backend-webgpu/src/testing/server.js';
import { join } from 'node:path';
import { appendFileSync } from 'node:fs';

const { values } = parseArgs({ options: { variants: { type: 'string' }, rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '1' }, isolated: { type: 'boolean', default: false } } });
interface Variant { label: string; image?: number; tile?: number; sessionOptions?: Record<string, unknown>; configure?: Record<string, unknown> }
const variants = JSON.parse(values.variants ?? '[{"label":"tile 280","tile":280}]') as Variant[];
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const here = fileURLToPath(new URL('.', import.meta.url));
const bundle = await bundleForBrowser({ contents: "import './segments-browser-page.ts';", resolveDir: here });
const files = {
  '/': { body: '<!doctype html><meta charset="utf-8"><title>segments</title><script type="module" src="/p.js"></script>', type: 'text/html; charset=utf-8' },
  '/p.js': { body: bundle, type: 'text/javascript' },
  '/favicon.ico': { body: new Uint8Array(0) },
};
const server = await startStaticServer({ files, mounts: { '/ort/': join(here, '..', 'node_modules', 'onnxruntime-web', 'dist') }, crossOriginIsolated: values.isolated });
console.log(`${values.isolated ? 'COOP/COEP page (threads)' : 'plain page (one thread)'}; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${rounds} rounds x ${variants.length} variants, ${runs} timed run(s) each after one warm-up, each in a fresh Chromium`);
type Row = { run: number; wallMs: number; extractorMs: number; segmentsMs: number; segmentRuns: number; crossingMiB: number; restOfWallMs: number };
const walls = new Map<string, number[]>();
const peaks = new Map<string, number[]>();
let version = '';
try {
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const tag = `--dpm-segments=${process.pid}-${round}-${walls.size}-${Math.random()}`;
      const browser = await launchChromium({ webgpu: false, args: [tag] });
      version = browser.version();
      try {
        const page = await browser.newPage();
        page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') console.error(`console.error: ${m.text()}`);
          else if (process.env.SEGMENTS_CONSOLE) appendFileSync(process.env.SEGMENTS_CONSOLE, `${m.text()}\n`);
        });
        await page.goto(`${server.url}/`);
        await page.waitForFunction(() => (globalThis as { __prof?: unknown }).__prof !== undefined);
        const r = (await page.evaluate(([req]) => (globalThis as any).__prof.profile(req), [{ ...v, runs }] as const)) as { results: Row[]; copyGBs: number; crossOriginIsolated: boolean };
        if (r.crossOriginIsolated !== values.isolated) throw new Error(`segments-browser: the page was ${r.crossOriginIsolated ? '' : 'not '}cross-origin isolated`);
        const peak = chromiumPeaks(tag).renderer ?? 0;
        peaks.set(v.label, [...(peaks.get(v.label) ?? []), peak]);
        for (const x of r.results.slice(1)) {
          walls.set(v.label, [...(walls.get(v.label) ?? []), x.wallMs]);
          console.log(`round ${round} ${v.label}: ${x.wallMs.toFixed(0)} ms wall = onnxruntime-web segments ${x.segmentsMs.toFixed(0)} ms (${x.segmentRuns} runs, ${x.crossingMiB.toFixed(0)} MiB fed + returned, ~${((x.crossingMiB * 2 ** 20) / (r.copyGBs * 1e9) * 1000).toFixed(0)} ms of it copies at ${r.copyGBs.toFixed(1)} GB/s)`
            + `${x.extractorMs ? ` + extractor ${x.extractorMs.toFixed(0)} ms` : ''} + scan kernel, runner${x.extractorMs ? ', tiling, blending' : ''} ${x.restOfWallMs.toFixed(0)} ms; first run ${r.results[0].wallMs.toFixed(0)} ms; renderer peak RSS ${peak.toFixed(0)} MB`);
        }
      } finally {
        await browser.close();
      }
    }
  }
} finally {
  await server.close();
}
console.log(`Chromium ${version}`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(walls.get(variants[0].label)!);
for (const v of variants) {
  const w = walls.get(v.label)!;
  const px = (v.image ?? v.tile ?? 280) ** 2;
  console.log(`${v.label}: median ${median(w).toFixed(0)} ms (${((median(w) * 1000) / px).toFixed(2)} µs per pixel; renderer peak ${Math.max(...peaks.get(v.label)!).toFixed(0)} MB) of ${w.length} (${w.map((x) => x.toFixed(0)).join(', ')}); over ${variants[0].label}: ${(median(w) / base).toFixed(3)}`);
}
