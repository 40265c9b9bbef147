import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, parseProbe, PROBE_FORMAT } from './probe.js';

describe('degradation probe', () => {
  const E = 3;
  const probe = {
    format: PROBE_FORMAT,
    types: ['noise', 'blur'],
    mean: [0, 0, 0],
    std: [1, 1, 1],
    weight: [
      [2, -2],
      [0, 0],
      [0, 0],
    ],
    bias: [0, 0],
    severity: { weight: [0.25, 0, 0], bias: 0.5 },
  };
  it('validates against the embedding size', () => {
    assert.equal(parseProbe(probe, E).types.length, 2);
    assert.throws(() => parseProbe(probe, 4), /'mean' must be 4/);
    assert.throws(() => parseProbe({ ...probe, format: 'x' }, E), /format/);
    assert.throws(() => parseProbe({ ...probe, bias: [0] }, E), /'bias' must be 2/);
  });
  it('classifies with a softmax over standardised features, most likely first, with severity', () => {
    const r = classify(parseProbe(probe, E), [1, 5, 5]);
    assert.equal(r.classes[0].type, 'noise');
    assert.ok(Math.abs(r.classes[0].probability - 1 / (1 + Math.exp(-4))) < 1e-12);
    assert.equal(r.severity, 0.75);
  });
});
