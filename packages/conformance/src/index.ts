/**
 * The conformance suite every DPMambaIR backend passes. Runner-agnostic: each case is a plain async
 * function that throws (with the numbers) on failure, so it runs under node:test, in a browser
 * page, or in a worker. Node helpers (fixtures from disk, node:test registration) are in
 * `@dpmambair/conformance/node`.
 */
import { OP_NAMES, type OpName } from '@dpmambair/core';
import { MODEL_CASES } from './model.js';
import { OP_CASES } from './ops.js';
import type { MeasuredCase } from './types.js';

export type { GoldenFixture, ConformanceFixtures, ConformanceCase, CaseMetrics, MeasuredCase } from './types.js';
export { TOLERANCE } from './types.js';
export { EXCLUSIONS, exclusionReason } from './exclusions.js';
export { fetchFixtures, GOLDEN_CONFIGS, GOLDEN_FILES } from './fixtures.js';
export { diff, expectClose, expectIdentical, type Diff } from './compare.js';
export { OpGraph, checkGraph, seedOf } from './ops.js';
export { testImage, TILING } from './model.js';

/** Every case, op-level first, then whole model, pipeline and determinism. Names are stable ids. */
export const CASES: MeasuredCase[] = [...OP_CASES, ...MODEL_CASES];

/** The op each op case covers (`op/<name> ...`); every name in core's OP_NAMES has at least one. */
export function opOfCase(caseName: string): OpName | undefined {
  const m = /^op\/(\w+)/.exec(caseName);
  return m && (OP_NAMES as readonly string[]).includes(m[1]) ? (m[1] as OpName) : undefined;
}
