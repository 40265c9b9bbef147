import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runReference } from '../reference/interpreter.js';
import { maxAbsDiff, tensor } from '../tensor.js';
import { parseSafetensors } from '../weights/safetensors.js';
import { CONFIGS, getConfig } from './config.js';
import { modelCost } from './cost.js';
import { buildExtractorGraph, EXTRACTOR_INPUT, EXTRACTOR_OUTPUT } from './dpmambair.js';
import { randomParams, seededRandom } from './init.js';
import { parameterCount, storedParameterShapes, withDerivedParams } from './parameters.js';
import { loadModel } from './prepare.js';

const golden = (name: string, file: string) => readFileSync(fileURLToPath(new URL(`../../../../models/golden/${name}/${file}`, import.meta.url)));

test('the re-parameterised extractor equals the multi-branch one', () => {
  for (const name of ['tiny', 'small'] as const) {
    const config = getConfig(name);
    const params = withDerivedParams(config, randomParams(config, 3));
    const rand = seededRandom(5);
    const crops = tensor([2, 3, 24, 40], Array.from({ length: 2 * 3 * 24 * 40 }, rand));
    const run = (reparameterised: boolean) =>
      runReference(buildExtractorGraph(config, { reparameterised }), params, { [EXTRACTOR_INPUT]: crops })[EXTRACTOR_OUTPUT];
    const multi = run(false);
    const merged = run(true);
    assert.deepEqual(merged.shape, [1, config.embedDim]);
    assert.ok(maxAbsDiff(multi.data, merged.data) < 1e-5, `${name}: ${maxAbsDiff(multi.data, merged.data)}`);
  }
});

test('parameter names and shapes match the PyTorch training reference (golden weights)', () => {
  for (const name of ['tiny', 'small'] as const) {
    const stored = parseSafetensors(golden(name, 'weights.safetensors'));
    const expected = storedParameterShapes(getConfig(name));
    assert.deepEqual(stored.names().sort(), [...expected.keys()].sort());
    for (const [param, shape] of expected) assert.deepEqual(stored.shape(param), shape, param);
  }
});

test('the reference graph reproduces the PyTorch golden vectors', async () => {
  for (const name of ['tiny', 'small'] as const) {
    const model = await loadModel(golden(name, 'weights.json').toString('utf8'), golden(name, 'weights.safetensors'));
    const io = parseSafetensors(golden(name, 'io.safetensors'));
    const image = { shape: io.shape('image'), data: io.get('image') };
    const embedding = runReference(model.extractor, model.params, { crops: image }).embedding;
    assert.ok(maxAbsDiff(embedding.data, io.get('embedding')) < 1e-5, `${name} embedding`);
    const restored = runReference(model.restorer, model.params, { image, embedding }).restored;
    assert.ok(maxAbsDiff(restored.data, io.get('output')) < 1e-5, `${name} output: ${maxAbsDiff(restored.data, io.get('output'))}`);
  }
});

test('parameter counts and FLOPs follow from the config', () => {
  const paper = parameterCount(getConfig('paper'));
  // Every stored tensor is counted once: the sum over storedParameterShapes.
  const sum = [...storedParameterShapes(getConfig('paper')).values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(paper.total, sum);
  const small = modelCost(CONFIGS.small, 256, 256);
  const double = modelCost(CONFIGS.small, 512, 256);
  // Everything in the restorer is per pixel: twice the pixels, twice the scan elements.
  assert.ok(Math.abs(double.scanElements / small.scanElements - 2) < 1e-9);
  assert.ok(small.convMatmulFlops > 0 && small.scanElements > 0);
});
