import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest, WEIGHTS_FORMAT } from '../weights/load.js';
import { CONFIG_LIMITS, getConfig, validateConfig, type ModelConfig } from './config.js';
import { buildExtractorGraph, buildRestorerGraph } from './dpmambair.js';
import { storedParameterShapes } from './parameters.js';

const manifest = (config: unknown) => JSON.stringify({ format: WEIGHTS_FORMAT, config, files: { 'w.safetensors': '0'.repeat(64) } });

/** The 'paper' config with one field replaced (a dotted path such as 'extractor.stages'). */
function paperWith(path: string, value: unknown): ModelConfig {
  const config = getConfig('paper') as unknown as Record<string, Record<string, unknown>>;
  const [head, tail] = path.split('.');
  if (tail === undefined) (config as Record<string, unknown>)[head] = value;
  else config[head][tail] = value;
  return config as unknown as ModelConfig;
}

test('the shipped configs are within the bounds', () => {
  for (const name of ['tiny', 'small', 'paper']) validateConfig(getConfig(name));
});

test('a manifest past any bound is refused at once, naming the field, before a graph is built', () => {
  const cases: [string, unknown, RegExp][] = [
    ['blocks', [200000, 1, 1, 1], /'blocks\[0\]' must be at most 64 \(got 200000\)/],
    ['extractor.stages', 100000, /'extractor.stages' must be at most 6/],
    ['dim', 1e6, /'dim' must be at most 256/],
    ['refinementBlocks', 65, /'refinementBlocks' must be at most 64/],
    ['expand', 9, /'expand' must be at most 8/],
    ['dState', 1e5, /'dState' must be at most 256/],
    ['embedDim', 5000, /'embedDim' must be at most 4096/],
    ['promptDim', 5000, /'promptDim' must be at most 4096/],
    ['extractor.dim', 257, /'extractor.dim' must be at most 256/],
    ['extractor.cdcKernels', [3, 5, 7, 9, 11, 13, 15, 3, 5], /at most 8 kernels/],
    ['extractor.cdcKernels', [3, 10001], /'extractor.cdcKernels\[1\]' must be at most 15/],
    ['extractor.plainKernel', 99, /'extractor.plainKernel' must be at most 15/],
    ['extractor.theta', 5, /'extractor.theta' must be a number from 0 to 1/],
    ['name', 'x'.repeat(101), /'name' must be at most 100 characters/],
  ];
  for (const [field, value, message] of cases) {
    const start = performance.now();
    assert.throws(() => parseManifest(manifest(paperWith(field, value))), message, field);
    assert.ok(performance.now() - start < 1000, `${field}: refused in ${performance.now() - start} ms`);
  }
});

test('a config at every bound still builds its graphs and parameter list quickly', () => {
  const L = CONFIG_LIMITS;
  const config: ModelConfig = {
    name: 'n'.repeat(L.nameLength), dim: L.dim, blocks: [L.blocksPerLevel, L.blocksPerLevel, L.blocksPerLevel, L.blocksPerLevel],
    refinementBlocks: L.refinementBlocks, expand: L.expand, dState: L.dState, embedDim: L.embedDim, promptDim: L.promptDim,
    extractor: { dim: L.extractorDim, stages: L.extractorStages, cdcKernels: Array(L.cdcKernelCount).fill(L.kernelSize), plainKernel: L.kernelSize, theta: 1 },
  };
  validateConfig(config);
  const start = performance.now();
  buildExtractorGraph(config);
  buildRestorerGraph(config);
  assert.ok(storedParameterShapes(config).size > 1000);
  const ms = performance.now() - start;
  // Measured about 0.1 s here; the bound is what keeps an untrusted manifest cheap to look at.
  assert.ok(ms < 5000, `${ms} ms`);
});
