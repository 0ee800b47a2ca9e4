/*
** src/kmeans/update.c: the centroid update of a Lloyd step. Weighted sums
** per cluster in float64 (one partial per row block, combined in block
** order by rt_reduce_rows), scikit-learn's relocation of empty clusters, and the
** division that gives the new centres with the squared shift that the
** convergence test reads.
*/
#include "kmeans.h"

#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <stdlib.h>

void rt_kmeans_accumulate(const rt_kmeans_data *x, int64_t first, int64_t rows,
                          const int32_t *label, int64_t k, double *sums, double *wsum)
{
    (void)k;
    rt_kernels_get()->label_sums(x->z + first * x->stride, rows, x->d, x->stride, label,
                                 x->w ? x->w + first : NULL, sums, wsum);
}

retain_status rt_kmeans_relocate_empty(const rt_kmeans_data *x, const int32_t *labels,
                                       const float *old, int64_t k, double *sums,
                                       double *wsum, int64_t *moved)
{
    int64_t d = x->d, m = 0;
    *moved = 0;
    for (int64_t l = 0; l < k; l++)
        m += wsum[l] == 0;
    if (m == 0)
        return RETAIN_OK;
    int64_t *far = malloc((size_t)m * sizeof *far);
    float *far_d = malloc((size_t)m * sizeof *far_d);
    if (!far || !far_d) {
        free(far);
        free(far_d);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory relocating empty clusters");
    }
    /* The m rows of positive weight farthest from their centres, farthest
    ** first, ties to the lower row (rows come in order; equals never pass). */
    int64_t found = 0;
    for (int64_t i = 0; i < x->n; i++) {
        if (x->w && !(x->w[i] > 0))
            continue;
        float di = rt_kmeans_sqdist(x->z + i * x->stride, old + (int64_t)labels[i] * d, d);
        if (found == m && !(di > far_d[m - 1]))
            continue;
        int64_t at = found < m ? found++ : m - 1;
        while (at > 0 && di > far_d[at - 1]) {
            far[at] = far[at - 1];
            far_d[at] = far_d[at - 1];
            at--;
        }
        far[at] = i;
        far_d[at] = di;
    }
    int64_t next = 0;
    for (int64_t l = 0; l < k && next < found; l++) {
        if (wsum[l] != 0)
            continue;
        int64_t i = far[next++], from = labels[i];
        const float *xi = x->z + i * x->stride;
        double w = x->w ? x->w[i] : 1.0;
        for (int64_t j = 0; j < d; j++) {
            sums[from * d + j] -= w * xi[j];
            sums[l * d + j] = w * xi[j];
        }
        wsum[from] -= w;
        wsum[l] = w;
        (*moved)++;
    }
    free(far);
    free(far_d);
    return RETAIN_OK;
}

double rt_kmeans_average(const double *sums, const double *wsum, int64_t k, int64_t d,
                         const float *old, float *centers)
{
    double shift = 0.0;
    for (int64_t l = 0; l < k; l++)
        for (int64_t j = 0; j < d; j++) {
            /* a cluster left with no weight (its one row moved to an empty
            ** one) keeps its centre */
            float c = wsum[l] > 0 ? (float)(sums[l * d + j] / wsum[l]) : old[l * d + j];
            double t = (double)c - old[l * d + j];
            shift += t * t;
            centers[l * d + j] = c;
        }
    return shift;
}

void rt_kmeans_tally(const rt_kmeans_data *x, int64_t first, int64_t rows,
                     const int32_t *label, const float *centers, int64_t k, double *partial)
{
    int64_t d = x->d;
    for (int64_t r = 0; r < rows; r++) {
        int64_t i = first + r;
        const float *xi = x->z + i * x->stride, *ci = centers + (int64_t)label[r] * d;
        double w = x->w ? x->w[i] : 1.0, s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double t = (double)xi[j] - ci[j];
            s += t * t;
        }
        partial[0] += w * s;
        partial[1 + label[r]] += 1.0;
        partial[1 + k + label[r]] += w;
    }
}
