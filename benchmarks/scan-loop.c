/*
 * The plain-loop yardstick for the selective scan (benchmarks/scan.ts compiles it with
 * `gcc -O3 -march=native` when gcc is present): the Mamba-1 recurrence on ONE thread, channels
 * innermost so the compiler vectorises it, exp by the same range reduction and degree-5
 * polynomial as packages/scan-wasm. Usage: scan-loop L Di N  ->  prints ns per (token, channel, state).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline float expf_poly(float z) {
  z = z < -87.f ? -87.f : (z > 88.f ? 88.f : z);
  float shifted = z * 1.44269504089f + 12582912.f;
  float n = shifted - 12582912.f;
  float r = z - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 8.247390389442444e-3f;
  p = p * r + 4.189976677298546e-2f;
  p = p * r + 1.6668395698070526e-1f;
  p = p * r + 4.999912679195404e-1f;
  p = p * r + 9.999994039535522e-1f;
  p = p * r + 1.f;
  int32_t bits;
  memcpy(&bits, &shifted, 4);
  bits = (bits - (0x4B400000 - 127)) << 23;
  float scale;
  memcpy(&scale, &bits, 4);
  return p * scale;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: scan-loop L Di N\n"); return 2; }
  const long L = atol(argv[1]), Di = atol(argv[2]), N = atol(argv[3]);
  float *x = malloc(L * Di * 4), *dt = malloc(L * Di * 4), *y = malloc(L * Di * 4);
  float *B = malloc(L * N * 4), *C = malloc(L * N * 4), *AT = malloc(N * Di * 4), *h = malloc(N * Di * 4), *D = malloc(Di * 4);
  srand(1);
  for (long i = 0; i < L * Di; i++) { x[i] = rand() / (float)RAND_MAX - 0.5f; dt[i] = 0.001f + 0.1f * rand() / (float)RAND_MAX; }
  for (long i = 0; i < L * N; i++) { B[i] = rand() / (float)RAND_MAX; C[i] = rand() / (float)RAND_MAX; }
  for (long i = 0; i < N * Di; i++) AT[i] = -1.f - N * (rand() / (float)RAND_MAX);
  for (long i = 0; i < Di; i++) D[i] = rand() / (float)RAND_MAX;
  double best = 1e30;
  for (int rep = 0; rep < 4; rep++) {
    double t0 = now();
    memset(h, 0, N * Di * 4);
    for (long t = 0; t < L; t++) {
      const float *xr = x + t * Di, *dr = dt + t * Di;
      float *yr = y + t * Di;
      for (long d = 0; d < Di; d++) yr[d] = D[d] * xr[d];
      for (long s = 0; s < N; s++) {
        const float b = B[t * N + s], c = C[t * N + s];
        float *hs = h + s * Di;
        const float *as = AT + s * Di;
        for (long d = 0; d < Di; d++) {
          hs[d] = expf_poly(dr[d] * as[d]) * hs[d] + dr[d] * b * xr[d];
          yr[d] += c * hs[d];
        }
      }
    }
    double dtime = now() - t0;
    if (dtime < best) best = dtime;
  }
  double check = 0;
  for (long i = 0; i < L * Di; i++) check += y[i];
  printf("%.4f %g\n", best * 1e9 / (L * Di * N), check);
  return 0;
}
