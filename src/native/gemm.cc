// Packing and the choice of kernel (gemm.h).
#include "gemm.h"
#include <cstring>

namespace uselite {

void pack_panels(const float* b, int k, int n, float* out) {
  for (int jp = 0; jp < n; jp += kPanel)
    for (int p = 0; p < k; p++) std::memcpy(out + (size_t)jp * k + (size_t)p * kPanel, b + (size_t)p * n + jp, kPanel * sizeof(float));
}

static GemmFn choose(const char** name) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return *name = "avx512f", avx512::gemm;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return *name = "avx2", avx2::gemm;
#endif
  return *name = "generic", generic::gemm;
}

static const char* chosen_name = nullptr;
static const GemmFn chosen = choose(&chosen_name);

void gemm(const float* a, int m, int k, const float* packed, int n, float* c) { chosen(a, m, k, packed, n, c); }
const char* gemm_isa() { return chosen_name; }

}  // namespace uselite
