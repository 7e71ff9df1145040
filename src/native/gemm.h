// The matrix products of the native embedder (docs/embeddings.md, "The runtime"): C[m×n] += A[m×k] · B[k×n], with B
// packed once, at load, into panels of kPanel columns (pack_panels). One source, gemm-kernel.h, is compiled three
// times (AVX-512, AVX2+FMA, baseline x86-64/any other machine) and gemm.cc picks one when the addon loads
// (__builtin_cpu_supports), so the binary never assumes the machine it was built on.
#pragma once
#include <cstddef>

namespace uselite {

constexpr int kPanel = 32;  // columns per packed panel of B (n must be a multiple)

using GemmFn = void (*)(const float* a, int m, int k, const float* packed, int n, float* c);

// B (k×n, row-major) → n/kPanel panels, each k rows of kPanel contiguous floats.
void pack_panels(const float* b, int k, int n, float* out);
// C += A · B for the packed B, with the kernel chosen for this CPU.
void gemm(const float* a, int m, int k, const float* packed, int n, float* c);
// Which kernel gemm() uses: "avx512f", "avx2" or "generic".
const char* gemm_isa();

namespace avx512 { void gemm(const float*, int, int, const float*, int, float*); }
namespace avx2 { void gemm(const float*, int, int, const float*, int, float*); }
namespace generic { void gemm(const float*, int, int, const float*, int, float*); }

}  // namespace uselite
