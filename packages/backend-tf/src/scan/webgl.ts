import type { ScanShape } from './js.js';

/**
 * The selective scan as WebGL2 fragment programs (tfjs-backend-webgl GPGPUProgram shape; run with
 * backend.runWebGLProgram). A fragment shader writes one value per invocation, so the scan is split
 * over chunks of T tokens (T about sqrt(L)) in four passes, each fully parallel:
 *   1. `sumDt`  (b, c, d):      the chunk's sum of delta (its decay is exp(A sumDelta)).
 *   2. `local`  (b, c, d*N+n):  the chunk's end state from h = 0 (loop over the chunk's T tokens).
 *   3. `carry`  (b, c, d*N+n):  the chunk's start state: H = exp(A sumDelta_c') H + S_c' over c' < c.
 *   4. `output` (b, t, d):      rescan from the chunk start to t with the N states in registers; write y.
 * Work: ~L*Di*N*(T/2 + 2) + chunks^2 Di N / 2; memory O(batch * chunks * Di * N), never L x Di x N.
 * Loops have compile-time bounds where GLSL needs them and break early otherwise.
 */

interface Program {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput: boolean;
  enableShapeUniforms: boolean;
}

const program = (variableNames: string[], outputShape: number[], userCode: string): Program => ({
  variableNames, outputShape, userCode, packedInputs: false, packedOutput: false, enableShapeUniforms: false,
});

export function webglChunkLength(L: number): number {
  return Math.max(16, Math.ceil(Math.sqrt(L)));
}

export function webglScanPrograms({ batch, L, Di, N }: ScanShape) {
  const T = webglChunkLength(L);
  const nC = Math.ceil(L / T);
  const consts = `
    const int L = ${L}; const int DI = ${Di}; const int NS = ${N}; const int T = ${T}; const int NC = ${nC};`;
  const sumDt = program(['sdelta'], [batch, nC, Di], `${consts}
    void main() {
      ivec3 o = getOutputCoords();
      int b = o.x; int c = o.y; int d = o.z;
      float acc = 0.0;
      for (int i = 0; i < T; i++) {
        int t = c * T + i;
        if (t >= L) break;
        acc += getSdelta(b, t, d);
      }
      setOutput(acc);
    }`);
  const local = program(['sx', 'sdelta', 'sA', 'sB'], [batch, nC, Di * N], `${consts}
    void main() {
      ivec3 o = getOutputCoords();
      int b = o.x; int c = o.y; int d = o.z / NS; int s = o.z - d * NS;
      float a = getSA(d, s);
      float h = 0.0;
      for (int i = 0; i < T; i++) {
        int t = c * T + i;
        if (t >= L) break;
        float dt = getSdelta(b, t, d);
        h = exp(dt * a) * h + dt * getSx(b, t, d) * getSB(b, t, s);
      }
      setOutput(h);
    }`);
  const carry = program(['slocal', 'ssum', 'sA'], [batch, nC, Di * N], `${consts}
    void main() {
      ivec3 o = getOutputCoords();
      int b = o.x; int c = o.y; int d = o.z / NS; int s = o.z - d * NS;
      float a = getSA(d, s);
      float h = 0.0;
      for (int j = 0; j < NC; j++) {
        if (j >= c) break;
        h = exp(getSsum(b, j, d) * a) * h + getSlocal(b, j, o.z);
      }
      setOutput(h);
    }`);
  const output = program(['sx', 'sdelta', 'sA', 'sB', 'sC', 'sD', 'sstart'], [batch, L, Di], `${consts}
    void main() {
      ivec3 o = getOutputCoords();
      int b = o.x; int t = o.y; int d = o.z;
      int c = t / T;
      float h[${N}];
      float a[${N}];
      for (int s = 0; s < NS; s++) { h[s] = getSstart(b, c, d * NS + s); a[s] = getSA(d, s); }
      float y = 0.0;
      for (int i = 0; i < T; i++) {
        int u = c * T + i;
        if (u > t) break;
        float dt = getSdelta(b, u, d);
        float dtx = dt * getSx(b, u, d);
        for (int s = 0; s < NS; s++) h[s] = exp(dt * a[s]) * h[s] + dtx * getSB(b, u, s);
      }
      for (int s = 0; s < NS; s++) y += getSC(b, t, s) * h[s];
      setOutput(y + getSD(d) * getSx(b, t, d));
    }`);
  return { sumDt, local, carry, output };
}
