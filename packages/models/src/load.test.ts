import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_MODEL, MODEL_IDS, UnknownModelError, loadModel, loadModelFiles, loadProbe, modelPath } from '../dist/node.js';
// The built package: the weights lie in dist/weights/, beside the compiled table.
import * as browser from '../dist/index.js';

const repoWeights = fileURLToPath(new URL('../../../models/weights/', import.meta.url));

test("loadModel('small') is the shipped model: same manifest as models/weights, every parameter checked", async () => {
  const model = await loadModel('small');
  assert.equal(model.config.name, 'small');
  assert.deepEqual(model.manifest, JSON.parse(readFileSync(join(repoWeights, 'small.json'), 'utf8')));
  assert.equal(DEFAULT_MODEL, 'small');
  assert.deepEqual(MODEL_IDS, ['small']);
});

test('the files in the package are byte-identical copies of models/weights (one source of truth)', async () => {
  const files = await loadModelFiles();
  assert.deepEqual(files.safetensors, new Uint8Array(readFileSync(join(repoWeights, 'small.safetensors'))));
  assert.equal(modelPath('small', 'weights'), fileURLToPath(new URL('../dist/weights/small.safetensors', import.meta.url)));
});

test('the degradation probe is loaded and checked against the embedding size', async () => {
  const model = await loadModel();
  const probe = await loadProbe('small');
  assert.ok(probe);
  assert.equal(probe.mean.length, model.config.embedDim);
  assert.deepEqual(probe.types, ['noise', 'jpeg', 'blur', 'lowlight', 'haze', 'rain', 'snow']);
});

test('an unknown id throws UnknownModelError naming the known ids', async () => {
  await assert.rejects(loadModel('large'), (e: unknown) => {
    assert.ok(e instanceof UnknownModelError);
    assert.equal(e.modelId, 'large');
    assert.deepEqual(e.known, ['small']);
    assert.equal(e.message, "unknown model 'large' (known: small)");
    return true;
  });
  // Not a prototype key either.
  await assert.rejects(loadModel('toString'), UnknownModelError);
});

test('the browser entry fetches from baseUrl (how esbuild users or a CDN serve the files)', async (t) => {
  const dist = fileURLToPath(new URL('../dist/weights/', import.meta.url));
  const served: string[] = [];
  const server = createServer((req, res) => {
    served.push(req.url!);
    const name = req.url!.replace('/models/', '');
    if (!/^small\.(json|safetensors|probe\.json)$/.test(name)) return void res.writeHead(404).end();
    createReadStream(join(dist, name)).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`;
  const model = await browser.loadModel('small', { baseUrl: base });
  assert.equal(model.config.name, 'small');
  assert.ok(await browser.loadProbe('small', { baseUrl: base }));
  assert.deepEqual(served.sort(), ['/models/small.json', '/models/small.json', '/models/small.probe.json', '/models/small.probe.json', '/models/small.safetensors']);
  // A missing file is an error naming the URL; a missing probe is simply none.
  await assert.rejects(browser.loadModel('small', { baseUrl: `${base}nowhere/` }), /nowhere\/small\.json: HTTP 404/);
  assert.equal(await browser.loadProbe('small', { baseUrl: `${base}nowhere/`, embedDim: 64 }), undefined);
});
