/*
** kernels/cpu/label_sums.c: the per-cluster float64 sums of a k-means
** centroid update, one row block at a time; the _scalar reference of the
** family (label_sums_avx2.c, label_sums_avx512.c widen the j loop). Called
** by src/kmeans/update.c for every block of every Lloyd step, right after
** the block's labels are found, while its rows are still in cache.
*/
#include "kernels.h"

void rt_label_sums_scalar(const float *x, int64_t rows, int64_t d, int64_t xs,
                          const int32_t *label, const float *w, double *sums, double *wsum)
{
    for (int64_t i = 0; i < rows; i++) {
        const float *xi = x + i * xs;
        double *s = sums + (int64_t)label[i] * d;
        if (w) {
            double wi = w[i];
            for (int64_t j = 0; j < d; j++)
                s[j] += wi * (double)xi[j];
            wsum[label[i]] += wi;
        } else {
            for (int64_t j = 0; j < d; j++)
                s[j] += (double)xi[j];
            wsum[label[i]] += 1.0;
        }
    }
}
