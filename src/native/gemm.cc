// Packing and the choice of kernel (gemm.h).
#include "gemm.h"
#include <cstdlib>
#include <cstring>
#include <string>

namespace uselite {

void pack_panels(const float* b, int k, int n, float* out) {
  for (int jp = 0; jp < n; jp += kPanel)
    for (int p = 0; p < k; p++) std::memcpy(out + (size_t)jp * k + (size_t)p * kPanel, b + (size_t)p * n + jp, kPanel * sizeof(float));
}

// The best kernel this CPU runs; PROGENY_NATIVE_ISA=avx2|generic asks for a lesser one (tests compare them).
static GemmFn choose(const char** name) {
  const char* cap = std::getenv("PROGENY_NATIVE_ISA");
  std::string want = cap ? cap : "";
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (want.empty() && __builtin_cpu_supports("avx512f")) return *name = "avx512f", avx512::gemm;
  if (want != "generic" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return *name = "avx2", avx2::gemm;
#endif
  return *name = "generic", generic::gemm;
}

static const char* chosen_name = nullptr;
static const GemmFn chosen = choose(&chosen_name);

void gemm(const float* a, int m, int k, const float* packed, int n, float* c) { chosen(a, m, k, packed, n, c); }
const char* gemm_isa() { return chosen_name; }

}  // namespace uselite
