// The selective scan and its gradient for training on the CPU (models/dpmambair/scan_cpu.py
// builds this with gcc and calls it through ctypes). Same maths as selective_scan_reference:
//   h[t,n,d] = exp(delta[t,d] A[n,d]) h[t-1,n,d] + delta[t,d] x[t,d] B[t,n]
//   y[t,d]   = sum_n C[t,n] h[t,n,d] + D[d] x[t,d]
// Why: PyTorch's parallel scan materialises (L, Di, N) decays and inputs and makes a dozen passes
// over them; this is one pass forward and one back. Channels are the inner loop (contiguous, so
// gcc vectorises it, exp included, with -O3 -ffast-math; the backward's loops need `omp simd`: gcc
// gave up on their runtime alias checks), batch items run on OpenMP threads.
// Layouts, float32 row-major: x, delta, y, gx, gdelta (batch, L, Di); B, C, gB, gC (batch, L, N);
// AT (N, Di) = A transposed; D (Di); hs (batch, L, N, Di) the states, saved for the backward;
// gAT (batch, N, Di) and gD (batch, Di) per batch item (the caller sums them); zeros (N, Di) is
// h[-1], all zero (the caller's, so that nothing here allocates or can fail). No two alias but
// the read-only zeros.
#include <math.h>
#include <stddef.h>
#include <string.h>

void scan_forward(const float *restrict x, const float *restrict delta, const float *restrict AT, const float *restrict B, const float *restrict C,
                  const float *restrict D, const float *zeros, float *restrict y, float *restrict hs, int batch, int L, int Di, int N, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int b = 0; b < batch; b++) {
    const size_t row = (size_t)Di, plane = (size_t)N * Di;
    float *hb = hs + (size_t)b * L * plane;
    for (int t = 0; t < L; t++) {
      const size_t bt = (size_t)b * L + t;
      const float *xt = x + bt * row, *dt = delta + bt * row, *Bt = B + bt * N, *Ct = C + bt * N;
      float *yt = y + bt * row, *ht = hb + (size_t)t * plane;
      const float *hp = t > 0 ? ht - plane : zeros;
      for (int d = 0; d < Di; d++) yt[d] = D[d] * xt[d];
      for (int n = 0; n < N; n++) {
        const float *a = AT + (size_t)n * Di, *h0 = hp + (size_t)n * Di;
        float *h = ht + (size_t)n * Di;
        const float bn = Bt[n], cn = Ct[n];
        for (int d = 0; d < Di; d++) {
          h[d] = expf(dt[d] * a[d]) * h0[d] + dt[d] * xt[d] * bn;
          yt[d] += cn * h[d];
        }
      }
    }
  }
}

// The reverse pass. g = dLoss/dh[t] is gy[t] C[t] plus the carry from t+1 (scratch: batch x N x Di,
// holding exp(delta[t+1] A) g[t+1]); then
//   gdelta += g (exp(delta A) A h[t-1] + x B),  gA += g exp(delta A) delta h[t-1],
//   gx += g delta B (+ gy D),  gB[t,n] = sum_d g delta x,  gC[t,n] = sum_d gy h[t],  gD += gy x.
void scan_backward(const float *restrict x, const float *restrict delta, const float *restrict AT, const float *restrict B, const float *restrict C,
                   const float *restrict D, const float *zeros, const float *restrict hs, const float *restrict gy, float *restrict gx, float *restrict gdelta, float *restrict gAT,
                   float *restrict gB, float *restrict gC, float *restrict gD, float *restrict scratch, int batch, int L, int Di, int N,
                   int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int b = 0; b < batch; b++) {
    const size_t row = (size_t)Di, plane = (size_t)N * Di;
    const float *hb = hs + (size_t)b * L * plane;
    float *carry = scratch + (size_t)b * plane, *gA = gAT + (size_t)b * plane, *gDb = gD + (size_t)b * Di;
    memset(carry, 0, plane * sizeof(float));
    memset(gA, 0, plane * sizeof(float));
    memset(gDb, 0, row * sizeof(float));
    for (int t = L - 1; t >= 0; t--) {
      const size_t bt = (size_t)b * L + t;
      const float *xt = x + bt * row, *dt = delta + bt * row, *Bt = B + bt * N, *Ct = C + bt * N;
      const float *gyt = gy + bt * row, *ht = hb + (size_t)t * plane;
      const float *hp = t > 0 ? ht - plane : zeros;
      float *gxt = gx + bt * row, *gdt = gdelta + bt * row;
      for (int d = 0; d < Di; d++) {
        gxt[d] = gyt[d] * D[d];
        gdt[d] = 0.0f;
        gDb[d] += gyt[d] * xt[d];
      }
      for (int n = 0; n < N; n++) {
        const float *a = AT + (size_t)n * Di, *h = ht + (size_t)n * Di;
        float *c = carry + (size_t)n * Di, *ga = gA + (size_t)n * Di;
        const float bn = Bt[n], cn = Ct[n];
        const float *h0 = hp + (size_t)n * Di;
        float sumB = 0.0f, sumC = 0.0f;
#pragma omp simd reduction(+ : sumB, sumC)
        for (int d = 0; d < Di; d++) {
          const float g = gyt[d] * cn + c[d];
          const float dA = expf(dt[d] * a[d]);
          const float gh0 = g * dA * h0[d];
          gdt[d] += gh0 * a[d] + g * xt[d] * bn;
          ga[d] += gh0 * dt[d];
          gxt[d] += g * dt[d] * bn;
          sumB += g * dt[d] * xt[d];
          sumC += gyt[d] * h[d];
          c[d] = g * dA;
        }
        gB[bt * N + n] = sumB;
        gC[bt * N + n] = sumC;
      }
    }
  }
}
