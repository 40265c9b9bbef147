/** The test harness's static server: mounts, index.html, in-memory files, no escaping the mounted folder. */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startStaticServer } from './testing/index.js';

test('serves mounts, index.html, in-memory files; 404 outside', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dpm-server-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'index.html'), '<p>root');
  await writeFile(join(dir, 'sub', 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(tmpdir(), 'dpm-secret.txt'), 'secret');
  const server = await startStaticServer({ mounts: { '/': dir }, files: { '/gen.js': { body: 'export {}' } }, crossOriginIsolated: true });
  try {
    const root = await fetch(`${server.url}/`);
    assert.equal(await root.text(), '<p>root');
    assert.equal(root.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const wasm = await fetch(`${server.url}/sub/a.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal((await wasm.arrayBuffer()).byteLength, 4);
    assert.equal(await (await fetch(`${server.url}/gen.js`)).text(), 'export {}');
    assert.equal((await fetch(`${server.url}/%2e%2e/dpm-secret.txt`)).status, 404);
    assert.equal((await fetch(`${server.url}/missing`)).status, 404);
  } finally {
    await server.close();
  }
});
