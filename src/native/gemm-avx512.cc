// The GEMM for CPUs with AVX-512F (gemm-kernel.h): 12 rows × 2 zmm accumulators per micro-tile.
#if defined(__x86_64__) || defined(__i386__)
#pragma GCC target("avx512f,fma")
#define GEMM_NS avx512
#define GEMM_VW 16
#define GEMM_MR 12
#include "gemm-kernel.h"
#endif
