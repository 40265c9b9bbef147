/**
 * Builds the plugin: dist/code.js (main thread, one script for Figma's sandbox) and dist/ui.html
 * (one HTML string: CSS, the UI script, the engine script, the ORT wasm and the model, the last
 * two gzip-compressed and base64-encoded; the iframe unpacks them with DecompressionStream).
 *
 *   npm run build                      the shipped model: @dpmambair/models' small (models/weights/small.*)
 *   npm run build -- --weights PREFIX  other weights (PREFIX.json + PREFIX.safetensors)
 *   DPM_PLUGIN_DEV_WEIGHTS=golden npm run build
 *                                      development only: the untrained golden weights, flagged in the UI
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ORT_WASM_FILES } from '@dpmambair/core';
import { DEFAULT_MODEL, loadModelFiles } from '@dpmambair/models';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(APP, '../..');
const DIST = join(APP, 'dist');
// onnxruntime-web as backend-webgpu resolves it (the same copy the engine bundle imports).
const requireFromBackend = createRequire(join(ROOT, 'packages/backend-webgpu/package.json'));

/*
 * The ORT wasm each device's onnxruntime-web build instantiates (core's ORT_WASM_FILES):
 * 'wasm' the plain build (CPU; smaller and, measured here in Chromium, faster to warm up and ~4x
 * faster on the extractor than the asyncify build), 'webgpu' the WebGPU build (asyncify). Both
 * builds are in the one engine bundle; the iframe unpacks only the wasm it uses.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(`figma-plugin build: ${message}`);
  process.exit(1);
}

interface Weights {
  manifestText: string;
  safetensors: Uint8Array;
  source: string;
  development: boolean;
  probe?: unknown;
}

async function findWeights(): Promise<Weights> {
  const given = arg('weights');
  const dev = process.env.DPM_PLUGIN_DEV_WEIGHTS === 'golden';
  if (!given && !dev) {
    // The shipped model: @dpmambair/models (its build checked the sha256 of models/weights/small.*).
    const files = await loadModelFiles(DEFAULT_MODEL);
    return { manifestText: files.manifestText, safetensors: files.safetensors, source: `@dpmambair/models '${DEFAULT_MODEL}'`, development: false, probe: files.probe };
  }
  const prefix = given ? resolve(given) : join(ROOT, 'models/golden/small/weights');
  const json = `${prefix}.json`;
  const st = `${prefix}.safetensors`;
  if (!existsSync(json) || !existsSync(st)) fail(`no weights at ${relative(ROOT, prefix)}.{json,safetensors}`);
  const manifestText = readFileSync(json, 'utf8');
  const manifest = JSON.parse(manifestText) as { files: Record<string, string>; probe?: unknown; training?: { probe?: unknown } };
  const safetensors = new Uint8Array(readFileSync(st));
  const [[file, expected]] = Object.entries(manifest.files);
  const actual = createHash('sha256').update(safetensors).digest('hex');
  if (actual !== expected) fail(`${relative(ROOT, st)}: sha256 ${actual} does not match ${file} in the manifest (${expected}); re-export the weights`);
  let probe: unknown = manifest.probe ?? manifest.training?.probe;
  const probeFile = `${prefix}.probe.json`;
  if (probe === undefined && existsSync(probeFile)) probe = JSON.parse(readFileSync(probeFile, 'utf8'));
  const isGolden = relative(ROOT, prefix).startsWith('models/golden');
  return { manifestText, safetensors, source: relative(ROOT, prefix), development: dev || isGolden, probe };
}

const b64gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).toString('base64');
/** JSON safe inside <script>: no "</" sequences. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function assertScriptSafe(js: string, what: string): string {
  if (/<\/script/i.test(js)) fail(`${what} contains "</script" and cannot be inlined`);
  return js;
}

async function bundle(entry: string, options: esbuild.BuildOptions): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [join(APP, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
    ...options,
  });
  return result.outputFiles![0].text;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const weights = await findWeights();
  const manifest = JSON.parse(weights.manifestText) as { config: { name: string; embedDim: number } };
  mkdirSync(DIST, { recursive: true });

  // Main thread: Figma's sandbox (ES2017 is safe there; no DOM).
  const code = await bundle('src/main/code.ts', { target: 'es2017', minify: false });
  writeFileSync(join(DIST, 'code.js'), code);

  // The engines: onnxruntime-web + core. import.meta.url has no meaning in an inlined script or a
  // blob: worker; with the wasm given as bytes and one thread, ORT never needs it.
  const engine = assertScriptSafe(await bundle('src/ui/engine-entry.ts', { target: 'es2022', minify: true, define: { 'import.meta.url': 'undefined' } }), 'the engine bundle');
  const wasms: Record<string, Uint8Array> = {};
  for (const [device, file] of Object.entries(ORT_WASM_FILES)) wasms[device] = new Uint8Array(readFileSync(requireFromBackend.resolve(`onnxruntime-web/${file}`)));
  const uiJs = assertScriptSafe(await bundle('src/ui/ui.ts', { target: 'es2022', minify: true }), 'the UI bundle');
  const css = readFileSync(join(APP, 'src/ui/ui.css'), 'utf8');

  const buildInfo = { weights: weights.source, development: weights.development, model: manifest.config.name, embedDim: manifest.config.embedDim, ortWasm: ORT_WASM_FILES, builtAt: new Date().toISOString() };
  const gz = Object.fromEntries(Object.entries(wasms).map(([k, w]) => [k, b64gz(w)]));
  const data = [
    `<script type="application/json" id="dpm-build">${scriptJson(buildInfo)}</script>`,
    `<script type="application/json" id="dpm-manifest">${JSON.stringify(JSON.parse(weights.manifestText)).replace(/</g, '\\u003c')}</script>`,
    weights.probe !== undefined ? `<script type="application/json" id="dpm-probe">${scriptJson(weights.probe)}</script>` : '',
    `<script type="text/plain" id="dpm-engine">${engine}</script>`,
    ...Object.keys(ORT_WASM_FILES).map((k) => `<script type="application/octet-stream" id="dpm-wasm-${k}" data-encoding="gzip+base64">${gz[k]}</script>`),
    `<script type="application/octet-stream" id="dpm-model" data-encoding="gzip+base64">${b64gz(weights.safetensors)}</script>`,
  ]
    .filter(Boolean)
    .join('\n');
  const template = readFileSync(join(APP, 'src/ui/ui.html'), 'utf8');
  const html = template
    .replace('/*STYLE*/', () => css)
    .replace('<!--DATA-->', () => data)
    .replace('/*SCRIPT*/', () => uiJs);
  writeFileSync(join(DIST, 'ui.html'), html);

  const size = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  const report = {
    ...buildInfo,
    probe: weights.probe !== undefined,
    bytes: {
      'ui.html': Buffer.byteLength(html),
      'code.js': Buffer.byteLength(code),
      uiJs: Buffer.byteLength(uiJs),
      engineJs: Buffer.byteLength(engine),
      wasmPlain: wasms.wasm.length,
      wasmPlainGzBase64: gz.wasm.length,
      wasmAsyncify: wasms.webgpu.length,
      wasmAsyncifyGzBase64: gz.webgpu.length,
      model: weights.safetensors.length,
    },
  };
  writeFileSync(join(DIST, 'build-info.json'), JSON.stringify(report, null, 2) + '\n');
  const b = report.bytes;
  console.log(
    `figma-plugin: dist/ui.html ${size(b['ui.html'])} (UI JS ${(b.uiJs / 1024).toFixed(1)} KiB; engine JS ${size(b.engineJs)}; ` +
      `ORT wasm ${size(b.wasmPlain)} + asyncify ${size(b.wasmAsyncify)} -> gzip+base64 ${size(b.wasmPlainGzBase64)} + ${size(b.wasmAsyncifyGzBase64)}; model ${weights.source} ${size(b.model)}), ` +
      `dist/code.js ${(b['code.js'] / 1024).toFixed(1)} KiB; probe: ${report.probe ? 'yes' : 'none'}${weights.development ? '; DEVELOPMENT WEIGHTS (untrained)' : ''} [${Date.now() - t0} ms]`,
  );
}

await main();
