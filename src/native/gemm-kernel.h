// The body of the cache-blocked GEMM, included once per instruction set (gemm-avx512.cc, gemm-avx2.cc,
// gemm-generic.cc) with GEMM_NS, GEMM_VW (floats per vector) and GEMM_MR (rows per micro-tile) defined. Written with
// GCC vector extensions so the same code becomes zmm, ymm or xmm FMAs under each file's target pragma.
#include <cstring>
#include "gemm.h"

namespace uselite {
namespace GEMM_NS {

typedef float vf __attribute__((vector_size(GEMM_VW * 4), aligned(4)));
constexpr int VW = GEMM_VW, MR = GEMM_MR, NV = kPanel / GEMM_VW;
constexpr int KC = 256;  // rows of a panel kept hot: 256 × 32 floats = 32 KB, L1-sized
constexpr int MC = 8 * MR;  // rows of A per block: MC × KC floats stay in L2

static inline vf load(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
static inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// C[MR × kPanel] += A[MR × kc] · panel[kc × kPanel]; lda and ldc are the row strides.
static inline void micro(const float* a, int lda, const float* b, int kc, float* c, int ldc) {
  vf acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = load(c + i * ldc + v * VW);
  for (int p = 0; p < kc; p++) {
    vf bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = load(b + p * kPanel + v * VW);
    for (int i = 0; i < MR; i++) {
      vf ai = vf{} + a[i * lda + p];
      for (int v = 0; v < NV; v++) acc[i][v] += ai * bv[v];
    }
  }
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) store(c + i * ldc + v * VW, acc[i][v]);
}

void gemm(const float* a, int m, int k, const float* packed, int n, float* c) {
  float ta[MR * KC], tc[MR * kPanel];  // the last rows when m is not a multiple of MR
  std::memset(tc, 0, sizeof tc);  // its rows past the last are computed and dropped: finite, never garbage
  for (int ic = 0; ic < m; ic += MC) {
    int mc = m - ic < MC ? m - ic : MC;
    const int full = mc - mc % MR, rest = mc - full;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      // The last rows, zero-padded to a whole micro-tile once per block of A (not once per panel).
      if (rest) {
        std::memset(ta, 0, sizeof ta);
        for (int r = 0; r < rest; r++)
          std::memcpy(ta + r * KC, a + (size_t)(ic + full + r) * k + pc, kc * sizeof(float));
      }
      for (int jp = 0; jp < n; jp += kPanel) {
        const float* panel = packed + (size_t)jp * k + (size_t)pc * kPanel;
        for (int i = 0; i < full; i += MR)
          micro(a + (size_t)(ic + i) * k + pc, k, panel, kc, c + (size_t)(ic + i) * n + jp, n);
        if (rest) {
          const int i = full;
          for (int r = 0; r < rest; r++)
            std::memcpy(tc + r * kPanel, c + (size_t)(ic + i + r) * n + jp, kPanel * sizeof(float));
          micro(ta, KC, panel, kc, tc, kPanel);
          for (int r = 0; r < rest; r++)
            std::memcpy(c + (size_t)(ic + i + r) * n + jp, tc + r * kPanel, kPanel * sizeof(float));
        }
      }
    }
  }
}

}  // namespace GEMM_NS
}  // namespace uselite
