/*
** kernels/cuda/kmeans.cuh: the GPU pass of a Lloyd iteration, callable
** from C (src/kmeans/lloyd.c, model.c) when RETAIN_WITH_CUDA is defined.
** The host keeps the algorithm (k-means++'s draws, empty clusters,
** averaging, convergence); the device assigns every row and sums it into
** its cluster, and makes k-means++'s passes over the rows.
*/
#ifndef RT_CUDA_KMEANS_CUH
#define RT_CUDA_KMEANS_CUH

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_cuda_kmeans rt_cuda_kmeans;

/* Copies the n x d rows z (row stride `stride`, float32) and the weights w
** (n, or NULL for all 1) to the device for passes with k centres: once, or
** chunk by chunk on every pass when they do not fit (device.cuh). */
retain_status rt_cuda_kmeans_open(const float *z, int64_t n, int64_t d, int64_t stride,
                                  const float *w, int64_t k, rt_cuda_kmeans **out);

/* One pass with centres c (k x d): every row's nearest centre (ties to the
** lower index), then, each unless NULL, sums[l * d + j] = sum of w_i z_ij
** and wsum[l] = sum of w_i over the rows of cluster l, and tally[0] = the
** weighted squared distances (direct differences, float64), tally[1 + l] =
** rows of cluster l and tally[1 + k + l] = their weight. Sums run in a
** fixed order: the same pass gives the same bits. */
retain_status rt_cuda_kmeans_pass(rt_cuda_kmeans *g, const float *c, double *sums,
                                  double *wsum, double *tally);

/* The last pass's labels (n) and, unless sqdist is NULL, the rows' squared
** distances to their centre (that pass must have asked for the tally). */
retain_status rt_cuda_kmeans_labels(rt_cuda_kmeans *g, int32_t *labels, float *sqdist);

/* k-means++ seeding on the device (kmeans_seed.cu); the draws stay on the
** host (src/kmeans/init.c). Rows are taken in blocks of RT_BLOCK_ROWS, as
** the CPU passes take them, and every value below has the bits of the CPU
** pass: the same float and double operations, in the same order.
** seed_begin allocates the buffers for draws of up to `candidates` rows
** (at most 64); they go at close, or earlier with seed_end. */
retain_status rt_cuda_kmeans_seed_begin(rt_cuda_kmeans *g, int64_t candidates);
/* closest_i = squared distance from row i to `centre` (d floats) when
** `first`, else the smaller of it and closest_i; block_sum[b] = the sum of
** w_i * closest_i over block b's rows in row order (host, one per block). */
retain_status rt_cuda_kmeans_seed_add(rt_cuda_kmeans *g, const float *centre, bool first,
                                      double *block_sum);
/* For the `count` candidate rows cand (count x d): block_pot[b * count + t]
** = the sum over block b's rows in row order of w_i * min(closest_i, the
** squared distance from row i to candidate t) (host). */
retain_status rt_cuda_kmeans_seed_potentials(rt_cuda_kmeans *g, const float *cand,
                                             int64_t count, double *block_pot);
/* closest_i for rows [first, first + rows) into out (host). */
retain_status rt_cuda_kmeans_seed_closest(rt_cuda_kmeans *g, int64_t first, int64_t rows,
                                          float *out);
/* Frees the seeding buffers (also done by close); safe to call twice. */
void rt_cuda_kmeans_seed_end(rt_cuda_kmeans *g);

void rt_cuda_kmeans_close(rt_cuda_kmeans *g);

#ifdef __cplusplus
}
#endif

#endif
