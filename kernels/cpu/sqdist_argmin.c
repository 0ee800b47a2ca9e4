/*
** kernels/cpu/sqdist_argmin.c: nearest centroid of each row of a block by
** squared Euclidean distance, fused so the rows-by-k distance matrix is
** never written; the _scalar reference of the family (SIMD siblings:
** sqdist_argmin_avx2.c, sqdist_argmin_avx512.c). Used by k-means
** (src/kmeans/assign.c) where d is small; large k*d goes to BLAS there.
*/
#include "kernels.h"

#include <math.h>

void rt_sqdist_argmin_scalar(const float *x, int64_t rows, int64_t d, int64_t xs,
                             const float *ct, int64_t k, int64_t kp, int32_t *label,
                             float *dist)
{
    for (int64_t i = 0; i < rows; i++) {
        const float *xi = x + i * xs;
        float best = INFINITY;
        int32_t best_l = 0;
        for (int64_t l = 0; l < k; l++) {
            float s = 0.0f;
            for (int64_t j = 0; j < d; j++) {
                float t = xi[j] - ct[j * kp + l];
                s += t * t;
            }
            if (s < best) {
                best = s;
                best_l = (int32_t)l;
            }
        }
        label[i] = best_l;
        dist[i] = best;
    }
}
