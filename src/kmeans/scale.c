/*
** src/kmeans/scale.c: the scaler k-means fits on the training rows and
** stores in the model: standard ((x - mean) / std, population std, weighted
** like StandardScaler.fit(X, sample_weight)), minmax ((x - min) / (max -
** min), like MinMaxScaler) or none. A constant column gets spread 1, never
** a division by zero. Also the mean column variance behind the relative
** tolerance (scikit-learn's _tolerance: unweighted np.var per column).
** Sums are float64, two-pass, block-ordered (rt_reduce_rows).
*/
#include "kmeans.h"

#include "core/error.h"
#include "core/parallel.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

typedef struct moments {
    const float *x;
    int64_t d, stride;
    const float *w;
    const double *mean; /* second pass: deviations from this */
} moments;

/* First pass: sum w x per column, then sum w at [d]. */
static void sum_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const moments *m = ctx;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = m->x + i * m->stride;
        double w = m->w ? m->w[i] : 1.0;
        for (int64_t j = 0; j < m->d; j++)
            partial[j] += w * xi[j];
        partial[m->d] += w;
    }
}

/* Second pass: sum w (x - mean)^2 per column. */
static void dev_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const moments *m = ctx;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = m->x + i * m->stride;
        double w = m->w ? m->w[i] : 1.0;
        for (int64_t j = 0; j < m->d; j++) {
            double t = xi[j] - m->mean[j];
            partial[j] += w * t * t;
        }
    }
}

/* Weighted mean and population variance of every column into mean, var. */
static retain_status column_moments(const float *x, int64_t n, int64_t d, int64_t stride,
                                    const float *w, double *mean, double *var)
{
    double *acc = malloc((size_t)(d + 1) * sizeof *acc);
    if (!acc)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for column moments");
    moments m = {x, d, stride, w, mean};
    retain_status s = rt_reduce_rows(n, d + 1, sum_block, &m, acc);
    if (!s) {
        for (int64_t j = 0; j < d; j++)
            mean[j] = acc[j] / acc[d];
        s = rt_reduce_rows(n, d, dev_block, &m, acc);
    }
    if (!s)
        for (int64_t j = 0; j < d; j++)
            var[j] = acc[j] / acc[d];
    free(acc);
    return s;
}

retain_status rt_kmeans_scaler_fit(const retain_matrix *x, const float *w, retain_scale scale,
                                   double *offset, double *spread)
{
    int64_t n = x->rows, d = x->cols;
    for (int64_t j = 0; j < d; j++) {
        offset[j] = 0.0;
        spread[j] = 1.0;
    }
    if (scale == RETAIN_SCALE_NONE)
        return RETAIN_OK;
    if (scale == RETAIN_SCALE_MINMAX) {
        for (int64_t j = 0; j < d; j++) {
            offset[j] = x->data[j];
            spread[j] = x->data[j];
        }
        for (int64_t i = 1; i < n; i++)
            for (int64_t j = 0; j < d; j++) {
                double v = x->data[i * x->row_stride + j];
                offset[j] = v < offset[j] ? v : offset[j];
                spread[j] = v > spread[j] ? v : spread[j];
            }
        for (int64_t j = 0; j < d; j++) {
            double range = spread[j] - offset[j];
            spread[j] = range > 0 ? range : 1.0;
        }
        return RETAIN_OK;
    }
    double *var = malloc((size_t)d * sizeof *var);
    if (!var)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the scaler");
    retain_status s = column_moments(x->data, n, d, x->row_stride, w, offset, var);
    if (!s)
        for (int64_t j = 0; j < d; j++) {
            double sd = sqrt(var[j]);
            /* a constant column's float64 mean may be off by rounding, which
            ** leaves a spread of a few ulps rather than 0 */
            spread[j] = sd <= 10 * DBL_EPSILON * (fabs(offset[j]) > 1 ? fabs(offset[j]) : 1)
                            ? 1.0
                            : sd;
        }
    free(var);
    return s;
}

void rt_kmeans_scale_rows(const float *src, int64_t rows, int64_t d, int64_t stride,
                          const double *offset, const double *spread, float *dst)
{
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < d; j++)
            dst[i * d + j] = (float)((src[i * stride + j] - offset[j]) / spread[j]);
}

retain_status rt_kmeans_mean_variance(const rt_kmeans_data *x, double *out)
{
    double *mean = malloc((size_t)(2 * x->d) * sizeof *mean);
    if (!mean)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for column variances");
    retain_status s = column_moments(x->z, x->n, x->d, x->stride, NULL, mean, mean + x->d);
    if (!s) {
        double total = 0.0;
        for (int64_t j = 0; j < x->d; j++)
            total += mean[x->d + j];
        *out = total / (double)x->d;
    }
    free(mean);
    return s;
}
