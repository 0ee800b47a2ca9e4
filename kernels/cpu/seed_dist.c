/*
** kernels/cpu/seed_dist.c: squared distances for k-means++ seeding,
** the scalar reference: the loop of seed_dist_loop.h for the baseline ISA.
*/
#define RT_SEED_DIST_FN rt_seed_dist_scalar
#include "seed_dist_loop.h"
