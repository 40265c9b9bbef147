/**
 * Node side of the Chromium tests, screenshots and the benchmark: builds the host page bundle,
 * serves it with dist/ui.html and the samples on 127.0.0.1, and opens it in headless Chromium.
 * Reuses backend-webgpu's browser harness (launchChromium, startStaticServer).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium, startStaticServer, type StaticServer } from '../../../../packages/backend-webgpu/src/testing/index.js';
import type { HostOptions } from './host.js';

export const APP = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ROOT = resolve(APP, '../..');

export interface Session {
  browser: Browser;
  server: StaticServer;
  open(options: HostOptions): Promise<{ page: Page; plugin: Frame }>;
  close(): Promise<void>;
}

/** dist/ui.html, failing clearly when it was not built. */
export function builtUi(): string {
  const file = join(APP, 'dist/ui.html');
  if (!existsSync(file)) throw new Error('apps/figma-plugin/dist/ui.html is missing: run `npm run build` in apps/figma-plugin first');
  return readFileSync(file, 'utf8');
}

export function builtInfo(): { weights: string; development: boolean; bytes: Record<string, number> } {
  return JSON.parse(readFileSync(join(APP, 'dist/build-info.json'), 'utf8'));
}

export async function startSession(options: { webgpu?: boolean } = {}): Promise<Session> {
  const hostJs = (
    await esbuild.build({
      entryPoints: [join(APP, 'test/host/host.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'warning',
    })
  ).outputFiles[0].text;
  const server = await startStaticServer({
    files: {
      '/': { body: '<!doctype html><meta charset="utf-8"><title>Figma (fake host)</title><body style="margin:0;background:#e5e5e5"><script src="/host.js"></script></body>', type: 'text/html; charset=utf-8' },
      '/host.js': { body: hostJs },
      '/favicon.ico': { body: '', type: 'image/x-icon' },
      '/ui.html': { body: builtUi(), type: 'text/html; charset=utf-8' },
    },
    mounts: { '/samples/': join(ROOT, 'samples') },
  });
  const browser = await launchChromium({ webgpu: options.webgpu ?? false });
  return {
    browser,
    server,
    async open(hostOptions) {
      const page = await browser.newPage({ viewport: { width: 420, height: 800 }, deviceScaleFactor: 2 });
      page.on('pageerror', (e) => console.error(`[host page error] ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') console.error(`[browser ${m.type()}] ${m.text()}`);
      });
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => !!(window as unknown as { host?: unknown }).host);
      await page.evaluate((o) => (window as any).host.start(o), hostOptions);
      const handle = await page.waitForSelector('#plugin');
      const plugin = (await handle.contentFrame())!;
      await plugin.waitForSelector('body[data-state]');
      return { page, plugin };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export const builtAt = () => statSync(join(APP, 'dist/ui.html')).mtimeMs;
