/**
 * Builds the docs site (apps/docs/site -> apps/docs/site/.vitepress/dist):
 *  1. static assets of the live demo into site/public/: the onnxruntime-web wasm, the tfjs wasm
 *     binaries, the model (@dpmambair/models' small), small versions of the samples, and the demo bundle (esbuild);
 *  2. generated pages and partials (gitignored): the API reference (TypeDoc +
 *     typedoc-plugin-markdown into site/api/), the model card and evaluation table from
 *     models/README.md, the Figma plugin guide, benchmark tables and SVG charts from
 *     benchmarks/results/*.json;
 *  3. vitepress build.
 *
 *   npm run build -w @dpmambair/docs            (all)
 *   tsx scripts/build.ts --prepare-only         (1 and 2: then `vitepress dev site`)
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import sharp from 'sharp';
import { ORT_WASM_FILES, seededRandom } from '@dpmambair/core';
import { DEFAULT_MODEL, loadModelFiles } from '@dpmambair/models';
import { loadRecords, loadUnavailable } from '../../bench/src/results.js';
import { renderCharts, renderReport } from '../../bench/src/report.js';
import { escapeForVue, extractSection, rewriteLinks } from './markdown.js';

const here = dirname(fileURLToPath(import.meta.url));
const docs = resolve(here, '..');
const root = resolve(docs, '..', '..');
const site = join(docs, 'site');
const pub = join(site, 'public');
const gen = join(site, 'generated');
const nm = join(root, 'node_modules');
const args = new Set(process.argv.slice(2));
const t0 = performance.now();
const step = (s: string) => console.log(`[docs ${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}`);

for (const d of [pub, gen]) mkdirSync(d, { recursive: true });
const write = (path: string, text: string | Uint8Array) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

// ------------------------------------------------------------------ 1. demo assets
step('demo assets');
/**
 * The onnxruntime-web builds backend-webgpu loads (core's ORT_WASM_FILES: one per device, the
 * asyncify build for webgpu and the plain one for wasm), each a .wasm plus its .mjs glue.
 */
function ortFiles(): string[] {
  return Object.values(ORT_WASM_FILES).flatMap((w) => [w, w.replace(/\.wasm$/, '.mjs')]);
}
const ORT_FILES = ortFiles();
rmSync(join(pub, 'ort'), { recursive: true, force: true });
step(`onnxruntime-web files: ${ORT_FILES.join(', ')}`);
for (const f of ORT_FILES) {
  mkdirSync(join(pub, 'ort'), { recursive: true });
  copyFileSync(join(nm, 'onnxruntime-web', 'dist', f), join(pub, 'ort', f));
}
mkdirSync(join(pub, 'tfwasm'), { recursive: true });
for (const f of readdirSync(join(nm, '@tensorflow', 'tfjs-backend-wasm', 'dist')).filter((n) => n.endsWith('.wasm'))) {
  copyFileSync(join(nm, '@tensorflow', 'tfjs-backend-wasm', 'dist', f), join(pub, 'tfwasm', f));
}

// The model: @dpmambair/models' files (a consistent copy of models/weights/small.*, checked when
// that package was built), served from model/ because esbuild does not copy `new URL` assets; the
// demo loads them with loadModel('small', { baseUrl }).
const files = await loadModelFiles(DEFAULT_MODEL);
const manifest = JSON.parse(files.manifestText) as { files: Record<string, string>; training?: Record<string, unknown> };
const [sha] = Object.values(manifest.files);
rmSync(join(pub, 'model'), { recursive: true, force: true });
write(join(pub, 'model', `${DEFAULT_MODEL}.json`), files.manifestText);
write(join(pub, 'model', `${DEFAULT_MODEL}.safetensors`), files.safetensors);
if (files.probe) write(join(pub, 'model', `${DEFAULT_MODEL}.probe.json`), JSON.stringify(files.probe));
const modelInfo = { source: `@dpmambair/models '${DEFAULT_MODEL}' (models/weights/${DEFAULT_MODEL}.*)`, trained: manifest.training?.status !== 'untrained', training: manifest.training ?? {} };
write(join(pub, 'model', 'info.json'), JSON.stringify({ source: modelInfo.source, trained: modelInfo.trained, sha256: sha, builtAt: new Date().toISOString() }, null, 1) + '\n');
step(`model: ${modelInfo.source}${modelInfo.trained ? '' : ' (UNTRAINED weights: development only)'}`);

// Small versions of the bundled samples: the clean 512² photo resized to 256², and the same
// seeded sigma-25 noise as samples/make-samples.mjs added to it (resizing the noisy file would
// average the noise away).
{
  const SIZE = 256;
  const { data, info } = await sharp(join(root, 'samples', 'astronaut.png')).removeAlpha().resize(SIZE, SIZE, { kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  mkdirSync(join(pub, 'samples'), { recursive: true });
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png({ compressionLevel: 9 }).toFile(join(pub, 'samples', 'astronaut-256.png'));
  const rand = seededRandom(20251126);
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const noisy = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) noisy[i] = Math.min(255, Math.max(0, Math.round(data[i] + 25 * normal())));
  await sharp(noisy, { raw: { width: info.width, height: info.height, channels: 3 } }).png({ compressionLevel: 9 }).toFile(join(pub, 'samples', 'noisy-astronaut-256.png'));
}

step('demo bundle (esbuild)');
await esbuild({
  entryPoints: [join(docs, 'src', 'demo', 'demo.ts'), join(docs, 'src', 'demo', 'worker.ts')],
  outdir: join(pub, 'demo'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  external: ['node:*'],
  logLevel: 'warning',
});

// ------------------------------------------------------------------ 2. generated pages
step('generated pages');
const modelReadme = join(root, 'models', 'README.md');
const includeMd = (text: string, from: string) => escapeForVue(rewriteLinks(text, from, root));
if (existsSync(modelReadme)) {
  const text = readFileSync(modelReadme, 'utf8');
  write(join(gen, 'model-card.md'), includeMd(extractSection(text, /^## Model card/m) ?? '_models/README.md has no model card section._', 'models'));
  write(join(gen, 'evaluation.md'), includeMd(extractSection(text, /^## Evaluation/m) ?? '_models/README.md has no evaluation section yet._', 'models'));
} else {
  write(join(gen, 'model-card.md'), '_models/README.md is not in this checkout._\n');
  write(join(gen, 'evaluation.md'), '_No evaluation yet (models/README.md is not in this checkout)._\n');
}
const training = modelInfo.training;
/** The training record of the shipped weights as prose and a table (the raw JSON folded below). */
function trainingSummary(t: Record<string, unknown>): string {
  const out: string[] = [];
  const it = t.iterations as Record<string, number> | undefined;
  const min = t.minutes as Record<string, number> | undefined;
  if (it || min) out.push(`Trained ${[it && `${it.stage1 ?? 0} + ${it.stage2 ?? 0} iterations (stage 1 + stage 2)`, min && `${min.stage1 ?? 0} + ${min.stage2 ?? 0} minutes`, t.device && `on ${t.device}`].filter(Boolean).join(', ')}${t.date ? `, exported ${t.date}` : ''}.`, '');
  const val = t.validation_psnr as Record<string, unknown> | undefined;
  if (val) {
    const rows = Object.entries(val).filter(([, v]) => v && typeof v === 'object' && 'input' in (v as object)) as [string, { input: number; output: number }][];
    if (rows.length) {
      out.push(`Validation PSNR recorded by the training run (${typeof val.set === 'string' ? val.set : 'validation crops'}):`, '');
      out.push('| degradation | input (dB) | restored (dB) | gain |', '| --- | --- | --- | --- |');
      for (const [k, v] of rows) out.push(`| ${k} | ${v.input} | ${v.output} | ${(v.output - v.input >= 0 ? '+' : '') + (v.output - v.input).toFixed(2)} |`);
      out.push('');
    }
  }
  out.push('<details><summary>The full training record (<code>training</code> in the weights manifest)</summary>', '', '```json', JSON.stringify(t, null, 2), '```', '', '</details>', '');
  return out.join('\n');
}
write(join(gen, 'model-shipped.md'), modelInfo.trained
  ? `The demo on this site ships \`${modelInfo.source}\` (copied when the site was built, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC).\n\n${Object.keys(training).length ? trainingSummary(training) : ''}`
  : `::: warning\nThis build of the site ships the **golden random weights** (\`${modelInfo.source}\`): no trained model (\`models/weights/small.json\`) existed when it was built. The demo runs, but its output is not a restoration. Rebuild once the training run has exported weights.\n:::\n`);

const figma = join(root, 'apps', 'figma-plugin', 'README.md');
write(join(gen, 'figma-plugin.md'), existsSync(figma)
  ? escapeForVue(rewriteLinks(readFileSync(figma, 'utf8').replace(/^# .*\n/, ''), 'apps/figma-plugin', root, (path) => {
      const name = basename(path);
      mkdirSync(join(pub, 'figma-plugin'), { recursive: true });
      copyFileSync(join(root, path), join(pub, 'figma-plugin', name));
      return `/figma-plugin/${name}`;
    }))
  : '_The plugin\'s own guide (`apps/figma-plugin/README.md`) is not in this checkout yet; see the source under `apps/figma-plugin/`._\n');

const shots = [['home.png', 'Home', 'The docs home page'], ['demo.png', 'Live demo', 'The live demo after a restore on wasm']];
write(join(gen, 'screenshots.md'), shots.map(([f, title, alt]) => `## ${title}\n\n${existsSync(join(pub, 'screenshots', f)) ? `![${alt}](/screenshots/${f})` : `_Not taken yet: run \`npm run screenshots -w @dpmambair/docs\`._`}\n`).join('\n'));

const records = loadRecords(join(root, 'benchmarks', 'results'));
for (const [name, svg] of Object.entries(renderCharts(records))) write(join(pub, 'bench', name), svg);
const report = renderReport(records, { chartPrefix: '/bench/', unavailable: loadUnavailable(join(root, 'benchmarks', 'results')) }).replace(/^# .*\n/, '');
write(join(gen, 'benchmarks.md'), escapeForVue(report));
const cpuMd = join(root, 'benchmarks', 'results', 'cpu.md');
write(join(gen, 'cpu-floor.md'), existsSync(cpuMd) ? escapeForVue(readFileSync(cpuMd, 'utf8').replace(/^# .*\n/, '')) : '_`benchmarks/results/cpu.md` is not there yet: run `npx tsx benchmarks/cpu.ts`._\n');
step(`benchmarks: ${records.length} record(s)`);

// ------------------------------------------------------------------ 3. API reference
if (!args.has('--skip-api')) {
  step('API reference (TypeDoc)');
  const { Application } = await import('typedoc');
  rmSync(join(site, 'api'), { recursive: true, force: true });
  const app = await Application.bootstrapWithPlugins({
    entryPoints: ['core', 'backend-cuda', 'backend-webgpu', 'backend-tf'].map((p) => join(root, 'packages', p, 'src', 'index.ts')),
    tsconfig: join(docs, 'tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown'],
    out: join(site, 'api'),
    readme: 'none',
    entryFileName: 'index.md',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    excludePrivate: true,
    excludeInternal: true,
    skipErrorChecking: true,
    disableSources: true,
    logLevel: 'Warn',
  } as never);
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc failed to convert the packages');
  await app.generateOutputs(project);
  // Vue must not read "<T>" or "{{" in generated pages as template syntax.
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.md') ? [join(d, e.name)] : []));
  const pkgName = (text: string) => text.replace(/\[(core|backend-cuda|backend-webgpu|backend-tf)\/src\]/g, '[@dpmambair/$1]').replace(/^# (core|backend-cuda|backend-webgpu|backend-tf)\/src$/m, '# @dpmambair/$1').replace(/^# dpmambair$/m, '# API reference');
  for (const f of walk(join(site, 'api'))) writeFileSync(f, escapeForVue(pkgName(readFileSync(f, 'utf8'))));
}

if (args.has('--prepare-only')) {
  step('prepared (no vitepress build)');
} else {
  step('vitepress build');
  const { build } = await import('vitepress');
  await build(site);
  step(`built: ${relative(root, join(site, '.vitepress', 'dist'))}`);
}
