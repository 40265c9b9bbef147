import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getConfig } from '../model/config.js';
import { randomParams } from '../model/init.js';
import { loadWeights, sha256Hex, WEIGHTS_FORMAT } from './load.js';
import { ParamStore } from './params.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';

const config = getConfig('tiny');

async function weightsFile(params: ParamStore, configOverride: unknown = config) {
  const bytes = serializeSafetensors(params);
  const manifest = { format: WEIGHTS_FORMAT, config: configOverride, files: { 'tiny.safetensors': await sha256Hex(bytes) } };
  return { bytes, json: JSON.stringify(manifest) };
}

function withChange(change: (store: ParamStore) => void): ParamStore {
  const store = randomParams(config, 1);
  change(store);
  return store;
}

test('valid weights load and round-trip exactly', async () => {
  const params = randomParams(config, 1);
  const { bytes, json } = await weightsFile(params);
  const loaded = await loadWeights(json, bytes);
  assert.equal(loaded.manifest.config.name, 'tiny');
  for (const name of params.names()) assert.deepEqual(loaded.params.get(name), params.get(name));
});

test('a missing parameter is named', async () => {
  const { bytes, json } = await weightsFile(withChange((s) => s.tensors.delete('shallow.bias')));
  await assert.rejects(loadWeights(json, bytes), /parameter 'shallow.bias' \[8\] is missing/);
});

test('a wrong shape is named with both shapes', async () => {
  const { bytes, json } = await weightsFile(withChange((s) => s.set('output.bias', [4], new Float32Array(4))));
  await assert.rejects(loadWeights(json, bytes), /'output.bias' has shape \[4\], config 'tiny' needs \[3\]/);
});

test('an unexpected parameter is named', async () => {
  const { bytes, json } = await weightsFile(withChange((s) => s.set('encoder.9.extra', [1], new Float32Array(1))));
  await assert.rejects(loadWeights(json, bytes), /unexpected parameter 'encoder.9.extra'/);
});

test('a corrupted file fails its sha256 check', async () => {
  const { bytes, json } = await weightsFile(randomParams(config, 1));
  bytes[bytes.length - 1] ^= 0xff;
  await assert.rejects(loadWeights(json, bytes), /sha256 of tiny.safetensors is [0-9a-f]{64}, the manifest says/);
});

test('truncated and malformed safetensors say what is wrong', () => {
  const bytes = serializeSafetensors(randomParams(config, 1));
  assert.throws(() => parseSafetensors(bytes.subarray(0, 4)), /too short/);
  assert.throws(() => parseSafetensors(bytes.subarray(0, 100)), /header claims \d+ bytes/);
  assert.throws(() => parseSafetensors(bytes.subarray(0, bytes.length - 8)), /past the end of the file .* truncated/);
  const badJson = bytes.slice();
  badJson[8] = 0x21; // '!' where '{' was
  assert.throws(() => parseSafetensors(badJson), /header is not valid JSON/);
  const header = JSON.stringify({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } });
  const f16 = new Uint8Array(8 + header.length + 4);
  new DataView(f16.buffer).setBigUint64(0, BigInt(header.length), true);
  f16.set(new TextEncoder().encode(header), 8);
  assert.throws(() => parseSafetensors(f16), /tensor 'w' has dtype F16; only F32/);
});

test('a bad manifest names the field', async () => {
  const { bytes, json } = await weightsFile(randomParams(config, 1), { ...config, dState: 0 });
  await assert.rejects(loadWeights(json, bytes), /field 'dState' must be a positive integer/);
  await assert.rejects(loadWeights('{"format":"other"}', bytes), /'format' must be 'dpmambair-weights\/1'/);
  await assert.rejects(loadWeights('not json', bytes), /not valid JSON/);
});
