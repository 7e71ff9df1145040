// The GEMM for CPUs with AVX2 and FMA (gemm-kernel.h): 3 rows × 4 ymm accumulators per micro-tile.
#if defined(__x86_64__) || defined(__i386__)
#pragma GCC target("avx2,fma")
#define GEMM_NS avx2
#define GEMM_VW 8
#define GEMM_MR 3
#include "gemm-kernel.h"
#endif
