import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ORT_WASM_FILES, ortSessionOptions } from './runtime.js';

test('a whole-graph session: every optimisation, warnings off, onnxruntime\'s arena and threads', () => {
  assert.deepEqual(ortSessionOptions({ executionProvider: 'cpu' }), { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
});

test('a segment session has no CPU arena; its pool stops spinning only where asked; threads pass through', () => {
  assert.deepEqual(ortSessionOptions({ executionProvider: 'wasm', segment: true }), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3, enableCpuMemArena: false,
  });
  assert.deepEqual(ortSessionOptions({ executionProvider: 'cpu', segment: true, segmentSpinning: false, intraOpNumThreads: 2 }), {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3, enableCpuMemArena: false,
    extra: { session: { intra_op: { allow_spinning: '0' } } }, intraOpNumThreads: 2,
  });
  // Spinning is a segment matter: a whole graph keeps onnxruntime's default.
  assert.equal(ortSessionOptions({ executionProvider: 'cpu', segmentSpinning: false }).extra, undefined);
});

test('a whole graph that runs once per image (the extractor) can leave the arena off', () => {
  assert.equal(ortSessionOptions({ executionProvider: 'cpu', cpuArena: false }).enableCpuMemArena, false);
  assert.equal(ortSessionOptions({ executionProvider: 'cpu', cpuArena: true }).enableCpuMemArena, undefined);
});

test('the onnxruntime-web wasm file of each device', () => {
  assert.deepEqual(ORT_WASM_FILES, { webgpu: 'ort-wasm-simd-threaded.asyncify.wasm', wasm: 'ort-wasm-simd-threaded.wasm' });
});
