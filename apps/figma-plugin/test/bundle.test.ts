/**
 * The built plugin as Figma loads it: manifest.json, dist/code.js in a bare JavaScript context
 * (a stand-in for Figma's sandbox: no window, document, atob or fetch) and dist/ui.html as one
 * self-contained HTML string. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(APP, 'manifest.json'), 'utf8'));

describe('built plugin', () => {
  it('has a manifest Figma accepts: api 1.0.0, dynamic-page, no network, built files present', () => {
    assert.equal(manifest.api, '1.0.0');
    assert.deepEqual(manifest.editorType, ['figma']);
    assert.equal(manifest.documentAccess, 'dynamic-page');
    assert.deepEqual(manifest.networkAccess, { allowedDomains: ['none'] });
    assert.ok(existsSync(join(APP, manifest.main)), `${manifest.main} (run npm run build)`);
    assert.ok(existsSync(join(APP, manifest.ui)), manifest.ui);
  });

  it('runs code.js with nothing but the figma object: shows the UI with theme colours and answers ready', async () => {
    const src = readFileSync(join(APP, manifest.main), 'utf8');
    const calls: unknown[][] = [];
    const figma = {
      showUI: (_html: string, options: unknown) => calls.push(['showUI', options]),
      ui: { postMessage: (m: { type: string }) => calls.push(['post', m.type]), onmessage: undefined as undefined | ((m: unknown, p: unknown) => void) },
      on: (event: string) => calls.push(['on', event]),
      currentPage: { selection: [] },
      mixed: Symbol('mixed'),
      getImageByHash: () => null,
      createImage: () => ({ hash: 'x' }),
      getNodeByIdAsync: async () => null,
      commitUndo() {},
      notify() {},
    };
    const context = vm.createContext({ figma, __html__: '<html></html>', setTimeout });
    vm.runInContext(src, context);
    figma.ui.onmessage!({ type: 'ready' }, {});
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(JSON.parse(JSON.stringify(calls[0])), ['showUI', { width: 380, height: 700, themeColors: true, title: 'Restore images (DPMambaIR)' }]);
    assert.deepEqual(calls.slice(1), [['on', 'selectionchange'], ['post', 'selection']]);
  });

  it('ships ui.html as one self-contained page: nothing loaded from anywhere', () => {
    const html = readFileSync(join(APP, manifest.ui), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+\bsrc=/i);
    assert.doesNotMatch(html, /<link[^>]+\bhref=/i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    for (const id of ['dpm-engine', 'dpm-wasm-wasm', 'dpm-wasm-webgpu', 'dpm-model', 'dpm-manifest', 'dpm-build']) assert.match(html, new RegExp(`id="${id}"`));
    const build = JSON.parse(/<script type="application\/json" id="dpm-build">(.*?)<\/script>/.exec(html)![1]);
    assert.equal(typeof build.weights, 'string');
  });
});
