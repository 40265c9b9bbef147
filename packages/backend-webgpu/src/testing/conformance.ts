import { after, before, describe, it } from 'node:test';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { Device } from '@dpmambair/core';
import { CASES, EXCLUSIONS, type CaseMetrics } from '@dpmambair/conformance';
import { GOLDEN_DIR } from '@dpmambair/conformance/node';
import { bundleForBrowser } from './bundle.js';
import { launchChromium } from './chromium.js';
import { startStaticServer, type StaticServer } from './server.js';

/** What a case run in the browser reports back. */
export interface BrowserCaseResult {
  ok: boolean;
  metrics?: CaseMetrics;
  error?: string;
  /** Wall time of the case inside the browser. */
  ms: number;
}

export interface BrowserHarnessOptions {
  /**
   * Absolute path (or file: URL) of a module that exports `backend: Backend` and, optionally,
   * `setup(origin: string): void | Promise<void>` (called once before anything runs; e.g.
   * `configure({ wasmPaths: origin + '/ort/' })`). It is bundled with esbuild for the browser.
   */
  entry: string | URL;
  /** URL prefix -> folder served under it (wasm files, models). `/golden/` serves models/golden unless given. */
  mounts?: Record<string, string>;
  /** Add the SwiftShader WebGPU flags (default true). */
  webgpu?: boolean;
  /** Send COOP/COEP headers: cross-origin isolated pages (wasm threads). Default false, like a Figma plugin iframe. */
  crossOriginIsolated?: boolean;
  /** Where the suite runs: the page's main thread (default) or a dedicated module Web Worker. */
  context?: 'page' | 'worker';
}

/**
 * One browser page running the conformance suite against one backend: Chromium + a static server
 * on 127.0.0.1 + an esbuild bundle of the backend entry, @dpmambair/conformance and a small RPC.
 * Use it directly (`open`, `init`, `runCase`, `close`) or through `describeBrowserConformance`.
 */
export class BrowserHarness {
  server?: StaticServer;
  browser?: Browser;
  private pages = new Map<string, Page>();
  /** Console output and page errors, newest last (for failure messages). */
  readonly console: string[] = [];

  constructor(readonly options: BrowserHarnessOptions) {}

  /** Bundles, starts the server and launches Chromium. */
  async open(): Promise<void> {
    const entry = typeof this.options.entry === 'string' ? this.options.entry : fileURLToPath(this.options.entry);
    const worker = this.options.context === 'worker';
    const bundle = await bundleForBrowser({ contents: runtimeSource(entry), resolveDir: dirname(entry) });
    const files = {
      '/': { body: PAGE_HTML(worker ? '/proxy.js' : '/bundle.js'), type: 'text/html; charset=utf-8' },
      '/bundle.js': { body: bundle },
      '/proxy.js': { body: PROXY_SOURCE },
      '/favicon.ico': { body: new Uint8Array(0), type: 'image/x-icon' },
    };
    this.server = await startStaticServer({
      mounts: { '/golden/': fileURLToPath(GOLDEN_DIR), ...(this.options.mounts ?? {}) },
      files,
      crossOriginIsolated: this.options.crossOriginIsolated,
    });
    this.browser = await launchChromium({ webgpu: this.options.webgpu });
  }

  /** A fresh page (one per key, e.g. per device: each gets its own runtime instance). */
  async page(key = 'default'): Promise<Page> {
    let page = this.pages.get(key);
    if (page) return page;
    if (!this.browser || !this.server) throw new Error('BrowserHarness: call open() first');
    page = await this.browser.newPage();
    page.on('console', (m) => this.note(`[${key}] console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.note(`[${key}] page error: ${e.message}`));
    await page.goto(`${this.server.url}/`);
    await page.waitForFunction(() => (globalThis as { __conformance?: unknown }).__conformance !== undefined, undefined, { timeout: 30_000 });
    this.pages.set(key, page);
    return page;
  }

  private note(line: string): void {
    this.console.push(line);
    if (this.console.length > 200) this.console.shift();
  }

  /** `backend.init(device)` in the browser; returns the error message, or undefined when it worked. */
  async init(device: Device): Promise<string | undefined> {
    const page = await this.page(device);
    return (await page.evaluate((d) => (globalThis as any).__conformance.init(d), device)) ?? undefined;
  }

  /** Runs one case of CASES by name in the browser. */
  async runCase(device: Device, name: string): Promise<BrowserCaseResult> {
    const page = await this.page(device);
    return page.evaluate(([d, n]) => (globalThis as any).__conformance.run(d, n), [device, name] as const);
  }

  /** Evaluates a function in the page of `key` (e.g. to run extra checks). */
  async evaluate<R, A>(key: string, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    return (await this.page(key)).evaluate(fn as any, arg) as Promise<R>;
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.server?.close();
  }
}

const PAGE_HTML = (script: string) => `<!doctype html><meta charset="utf-8"><title>conformance</title><script type="module" src="${script}"></script>`;

/** The module bundled for the page or worker: imports the backend entry and exposes init/run. */
function runtimeSource(entry: string): string {
  return `
import * as entry from ${JSON.stringify(entry)};
import { CASES, fetchFixtures } from '@dpmambair/conformance';
const origin = self.location.origin;
const ready = Promise.resolve().then(() => entry.setup?.(origin));
let fixtures;
const message = (e) => (e && e.message ? e.message : String(e));
const api = {
  async init(device) {
    try { await ready; await entry.backend.init(device); return null; } catch (e) { return message(e); }
  },
  async run(device, name) {
    const t0 = performance.now();
    try {
      await ready;
      const c = CASES.find((c) => c.name === name);
      if (!c) throw new Error('no conformance case named ' + JSON.stringify(name));
      fixtures ??= fetchFixtures(origin + '/golden/');
      const f = await fixtures;
      const metrics = c.measure ? await c.measure(entry.backend, device, f) : (await c.run(entry.backend, device, f), {});
      return { ok: true, metrics, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: message(e), ms: performance.now() - t0 };
    }
  },
};
if (typeof window === 'undefined') {
  self.onmessage = async (e) => { const { id, method, args } = e.data; self.postMessage({ id, result: await api[method](...args) }); };
  self.postMessage({ ready: true });
} else {
  globalThis.__conformance = api;
  globalThis.__entry = entry;
}
`;
}

/** Page side of the worker context: the same API, forwarded to a module worker running the bundle. */
const PROXY_SOURCE = `
const worker = new Worker('/bundle.js', { type: 'module' });
const pending = new Map();
let next = 0;
worker.onmessage = (e) => {
  if (e.data.ready) { globalThis.__conformance = api; return; }
  pending.get(e.data.id)?.(e.data.result);
  pending.delete(e.data.id);
};
worker.onerror = (e) => { console.error('worker error: ' + e.message); for (const r of pending.values()) r({ ok: false, error: 'worker error: ' + e.message, ms: 0 }); pending.clear(); };
const call = (method, args) => new Promise((resolve) => { const id = next++; pending.set(id, resolve); worker.postMessage({ id, method, args }); });
const api = { init: (d) => call('init', [d]), run: (d, n) => call('run', [d, n]) };
`;

export interface BrowserConformanceOptions extends BrowserHarnessOptions {
  /** node:test suite title, e.g. 'onnxruntime-web in Chromium'. */
  title: string;
  devices: Device[];
  /** Per-case timeout in ms (default 120 s), or per device. */
  timeout?: number | Partial<Record<Device, number>>;
  /** Which cases to run (default all of CASES). */
  filter?: (caseName: string, device: Device) => boolean;
  /** Default: the suite's EXCLUSIONS. */
  exclusions?: typeof EXCLUSIONS;
}

/**
 * Registers the conformance suite for a backend in headless Chromium with node:test: one `describe`
 * per device, one test per case (excluded cases are skipped with their reason). The numbers each case
 * measured are printed as test diagnostics. Call it at the top level of a *.test.ts file.
 */
export function describeBrowserConformance(options: BrowserConformanceOptions): BrowserHarness {
  const harness = new BrowserHarness(options);
  const exclusions = options.exclusions ?? EXCLUSIONS;
  describe(options.title, () => {
    before(() => harness.open());
    after(() => harness.close());
    for (const device of options.devices) {
      describe(device, () => {
        let initError: string | undefined;
        before(async () => {
          initError = await harness.init(device);
        });
        const timeout = typeof options.timeout === 'number' ? options.timeout : options.timeout?.[device] ?? 120_000;
        it(`init ${device}`, async () => {
          if (initError) throw new Error(`backend.init('${device}') failed in Chromium: ${initError}`);
          // The page must stay responsive after the runtime started: timers still fire (checked on the page, also in worker context).
          const fired = await Promise.race([
            harness.evaluate(device, () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 10)), null),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
          ]);
          if (!fired) throw new Error(`after backend.init('${device}') a 10 ms timer did not fire within 10 s: the runtime stalls the event loop`);
        });
        for (const c of CASES) {
          if (options.filter && !options.filter(c.name, device)) continue;
          const reason = exclusions[device]?.[c.name];
          it(c.name, { skip: reason ? `excluded on ${device}: ${reason}` : false, timeout }, async (t) => {
            if (initError) throw new Error(`not run: backend.init('${device}') failed: ${initError}`);
            const r = await harness.runCase(device, c.name);
            if (!r.ok) {
              const logs = harness.console.slice(-5).join('\n');
              throw new Error(`${r.error} [${r.ms.toFixed(0)} ms]${logs ? `\nlast browser console lines:\n${logs}` : ''}`);
            }
            t.diagnostic(JSON.stringify({ ...r.metrics, ms: Math.round(r.ms) }));
          });
        }
      });
    }
  });
  return harness;
}
