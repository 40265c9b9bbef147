/**
 * A small Chromium harness for this package's browser tests: esbuild bundles src/browser/page.ts,
 * a static server on 127.0.0.1 serves it with the tfjs wasm binaries and models/golden, and
 * playwright-core drives Debian's /usr/bin/chromium (WebGPU via SwiftShader).
 * (A shared harness is planned in packages/backend-webgpu; this one is self-contained until it lands.)
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgRoot = path.resolve(here, '../..');
const repoRoot = path.resolve(pkgRoot, '../..');
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-angle=swiftshader', '--ignore-gpu-blocklist',
];

async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [path.join(pkgRoot, 'src/browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: ['node:*'],
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

export interface Harness {
  url: string;
  close(): Promise<void>;
}

/** Serves the page bundle, /wasm/* (tfjs-backend-wasm dist) and /golden/* (models/golden) on 127.0.0.1. */
export async function serve(): Promise<Harness> {
  const js = await bundle();
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const goldenDir = path.join(repoRoot, 'models/golden');
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string | Uint8Array, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        return send(200, '<!doctype html><meta charset="utf-8"><title>backend-tf</title><script type="module" src="/page.js"></script>', TYPES['.html']);
      }
      if (url.pathname === '/page.js') return send(200, js, TYPES['.js']);
      const route = (prefix: string, dir: string) => {
        if (!url.pathname.startsWith(prefix)) return undefined;
        const file = path.resolve(dir, '.' + decodeURIComponent(url.pathname.slice(prefix.length - 1)));
        return file.startsWith(dir + path.sep) ? file : null;
      };
      const file = route('/wasm/', wasmDir) ?? route('/golden/', goldenDir);
      if (!file) return send(404, 'not found');
      send(200, new Uint8Array(await readFile(file)), TYPES[path.extname(file)] ?? 'application/octet-stream');
    } catch {
      send(404, 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface PageResult {
  device: string;
  init?: string;
  scan?: string;
  results: { name: string; ok: boolean; ms: number; metrics?: Record<string, number>; error?: string }[];
  console: string[];
}

/** Opens the page for one device in a fresh Chromium and waits for its scan checks to finish. */
export async function runInChromium(device: string, scans: [number, number, number][], timeoutMs = 180_000): Promise<PageResult> {
  const { chromium } = await import('playwright-core');
  const harness = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const logs: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const q = new URLSearchParams({ device, scan: JSON.stringify(scans) });
    await page.goto(`${harness.url}?${q}`);
    await page.waitForFunction(() => (globalThis as unknown as { __dpm?: { done: boolean } }).__dpm?.done === true, undefined, { timeout: timeoutMs, polling: 250 });
    const state = await page.evaluate(() => (globalThis as unknown as { __dpm: Omit<PageResult, 'console'> }).__dpm);
    return { ...state, console: logs };
  } finally {
    await browser.close();
    await harness.close();
  }
}
