import type { ScanShape } from './js.js';

/**
 * The selective scan as WebGPU compute programs (tfjs-backend-webgpu's WebGPUProgram shape; run with
 * backend.runWebGPUProgram). Chunked over time so the GPU has batch * chunks * Di threads, not just
 * batch * Di:
 *   1. `local`:  one thread per (b, chunk, d): scan the chunk from h = 0 with the N states in
 *                registers; write the chunk's end state (N values) and the chunk's sum of delta.
 *   2. `carry`:  one thread per (b, d): walk the chunks in order, H_c = exp(A sumDelta_{c-1}) H_{c-1}
 *                + S_{c-1}; write every chunk's start state.
 *   3. `output`: one thread per (b, chunk, d): rescan the chunk from its start state and write y.
 * Work is about 2x the sequential scan; memory is O(batch * chunks * Di * N), never L x Di x N.
 * Storage buffer names are prefixed (sx, sdelta, ...) to keep clear of tfjs's generated names.
 */

const WG = 64;

interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size?: boolean;
  getUserCode(): string;
}

function program(name: string, variableNames: string[], outputShape: number[], threads: number, key: string, code: string): Program {
  return {
    variableNames,
    outputShape,
    shaderKey: `dpm_scan_${name}_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / WG), 1, 1],
    workgroupSize: [WG, 1, 1],
    getUserCode: () => code,
  };
}

export function chunkLength(L: number): number {
  // About sqrt(L) chunks of about sqrt(L) tokens, at least 32 tokens each.
  return Math.max(32, Math.ceil(Math.sqrt(L)));
}

/** The three programs for one scan shape. Inputs: local(sx, sdelta, sA, sB), carry(slocal, sA), output(all). */
export function webgpuScanPrograms({ batch, L, Di, N }: ScanShape) {
  const T = chunkLength(L);
  const nC = Math.ceil(L / T);
  const key = `${batch}_${L}_${Di}_${N}_${T}`;
  const M = N + 1; // per (b, c, d): N end-state values, then the chunk's sum of delta
  const header = `
    const L = ${L}; const DI = ${Di}; const NS = ${N}; const T = ${T}; const NC = ${nC}; const BATCH = ${batch};`;
  const local = program('local', ['sx', 'sdelta', 'sA', 'sB'], [batch, nC, Di, M], batch * nC * Di, key, `${header}
    fn main(index : i32) {
      _ = uniforms.NAN; // tfjs always binds its uniform buffer; 'auto' layouts drop unused bindings
      if (index >= BATCH * NC * DI) { return; }
      let d = index % DI;
      let c = (index / DI) % NC;
      let b = index / (DI * NC);
      var h : array<f32, ${N}>;
      var a : array<f32, ${N}>;
      for (var s = 0; s < NS; s++) { h[s] = 0.0; a[s] = sA[d * NS + s]; }
      var sumDt = 0.0;
      let t1 = min(L, (c + 1) * T);
      for (var t = c * T; t < t1; t++) {
        let row = (b * L + t) * DI + d;
        let bc = (b * L + t) * NS;
        let dt = sdelta[row];
        let dtx = dt * sx[row];
        sumDt = sumDt + dt;
        for (var s = 0; s < NS; s++) { h[s] = exp(dt * a[s]) * h[s] + dtx * sB[bc + s]; }
      }
      let o = index * ${M};
      for (var s = 0; s < NS; s++) { result[o + s] = h[s]; }
      result[o + NS] = sumDt;
    }`);
  const carry = program('carry', ['slocal', 'sA'], [batch, nC, Di, N], batch * Di, key, `${header}
    fn main(index : i32) {
      _ = uniforms.NAN; // tfjs always binds its uniform buffer; 'auto' layouts drop unused bindings
      if (index >= BATCH * DI) { return; }
      let d = index % DI;
      let b = index / DI;
      var h : array<f32, ${N}>;
      var a : array<f32, ${N}>;
      for (var s = 0; s < NS; s++) { h[s] = 0.0; a[s] = sA[d * NS + s]; }
      for (var c = 0; c < NC; c++) {
        let cell = (b * NC + c) * DI + d;
        for (var s = 0; s < NS; s++) { result[cell * NS + s] = h[s]; }
        let sumDt = slocal[cell * ${M} + NS];
        for (var s = 0; s < NS; s++) { h[s] = exp(sumDt * a[s]) * h[s] + slocal[cell * ${M} + s]; }
      }
    }`);
  const output = program('output', ['sx', 'sdelta', 'sA', 'sB', 'sC', 'sD', 'sstart'], [batch, L, Di], batch * nC * Di, key, `${header}
    fn main(index : i32) {
      _ = uniforms.NAN; // tfjs always binds its uniform buffer; 'auto' layouts drop unused bindings
      if (index >= BATCH * NC * DI) { return; }
      let d = index % DI;
      let c = (index / DI) % NC;
      let b = index / (DI * NC);
      var h : array<f32, ${N}>;
      var a : array<f32, ${N}>;
      for (var s = 0; s < NS; s++) { h[s] = sstart[index * NS + s]; a[s] = sA[d * NS + s]; }
      let dd = sD[d];
      let t1 = min(L, (c + 1) * T);
      for (var t = c * T; t < t1; t++) {
        let row = (b * L + t) * DI + d;
        let bc = (b * L + t) * NS;
        let dt = sdelta[row];
        let xv = sx[row];
        let dtx = dt * xv;
        var y = dd * xv;
        for (var s = 0; s < NS; s++) {
          h[s] = exp(dt * a[s]) * h[s] + dtx * sB[bc + s];
          y = y + sC[bc + s] * h[s];
        }
        result[row] = y;
      }
    }`);
  return { local, carry, output };
}
