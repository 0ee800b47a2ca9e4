/*
** kernels/cpu/seed_dist_avx512.c: squared distances for k-means++ seeding,
** for AVX-512, sixteen rows a step: the loop of seed_dist_loop.h,
** compiled for this ISA; chosen by dispatch.c.
*/
#if !defined(__AVX512F__)
#error "seed_dist_avx512.c must be built with -mavx512f"
#endif
#define RT_SEED_DIST_FN rt_seed_dist_avx512
#include "seed_dist_loop.h"
