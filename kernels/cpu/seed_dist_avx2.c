/*
** kernels/cpu/seed_dist_avx2.c: squared distances for k-means++ seeding,
** for AVX2, eight rows a step: the loop of seed_dist_loop.h, compiled for
** this ISA; chosen by dispatch.c.
*/
#if !defined(__AVX2__)
#error "seed_dist_avx2.c must be built with -mavx2"
#endif
#define RT_SEED_DIST_FN rt_seed_dist_avx2
#include "seed_dist_loop.h"
