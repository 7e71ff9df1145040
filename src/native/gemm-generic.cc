// The GEMM for any other CPU (gemm-kernel.h), compiled for the baseline of the build's target.
#define GEMM_NS generic
#define GEMM_VW 4
#define GEMM_MR 2
#include "gemm-kernel.h"
