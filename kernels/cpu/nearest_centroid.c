/*
** kernels/cpu/nearest_centroid.c: nearest centroid of each row of a block,
** the rows-by-k distance matrix never written; the _scalar reference of the
** family (SIMD siblings: nearest_centroid_avx2.c, nearest_centroid_avx512.c)
** and the panel packing all three read. k-means (src/kmeans/assign.c) calls
** it once per row block in every Lloyd step, so the SIMD variants are
** register-blocked like a GEMM micro-kernel with rows in the vector lanes:
** each row's arg-min then runs down its own lane, with no reduction across
** lanes, and the arithmetic is 2 k d flops per row and little else.
*/
#include "kernels.h"

#include <math.h>

void rt_centroids_pack(const float *c, int64_t k, int64_t d, float *packed, float *cn)
{
    const int64_t g = RT_CENTROID_GROUP;
    int64_t kp = rt_centroids_padded(k);
    for (int64_t l = 0; l < kp; l++) {
        float *group = packed + (l - l % g) * d;
        double s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            float v = l < k ? c[l * d + j] : 0.0f;
            group[j * g + l % g] = v;
            s += (double)v * v;
        }
        cn[l] = l < k ? (float)s : INFINITY;
    }
}

void rt_nearest_centroid_scalar(const float *x, int64_t rows, int64_t d, int64_t xs,
                                const float *packed, const float *cn, int64_t kp,
                                int32_t *label, float *second, float *scratch)
{
    const int64_t g = RT_CENTROID_GROUP;
    (void)scratch;
    for (int64_t i = 0; i < rows; i++) {
        const float *xi = x + i * xs;
        float best = INFINITY, next = INFINITY;
        int32_t best_l = 0;
        for (int64_t l = 0; l < kp; l++) {
            const float *group = packed + (l - l % g) * d;
            float dot = 0.0f;
            for (int64_t j = 0; j < d; j++)
                dot = fmaf(xi[j], group[j * g + l % g], dot);
            float score = fmaf(-2.0f, dot, cn[l]);
            if (score < best) {
                next = best;
                best = score;
                best_l = (int32_t)l;
            } else if (score < next) {
                next = score;
            }
        }
        label[i] = best_l;
        if (second)
            second[i] = next;
    }
}
