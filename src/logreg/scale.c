/*
** src/logreg/scale.c: the standard scaler logistic regression fits on its
** training rows and stores: mean and population standard deviation per
** column, unweighted as StandardScaler.fit(X) computes them, in float64,
** two passes (the sum, then squared deviations from the mean) over row
** blocks combined in block order by rt_reduce_rows. A constant
** column gets scale 1. k-means has its own scaler (minmax, weights); this
** one is the two passes a churn fit pays for, without waits between
** threads.
*/
#include "logreg.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <float.h>
#include <math.h>

typedef struct moments {
    const float *x;
    int64_t d, stride;
    const double *mean; /* second pass: deviations from this */
} moments;

static void sum_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const moments *m = ctx;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = m->x + i * m->stride;
        for (int64_t j = 0; j < m->d; j++)
            partial[j] += (double)xi[j];
    }
}

static void dev_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const moments *m = ctx;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = m->x + i * m->stride;
        for (int64_t j = 0; j < m->d; j++) {
            double t = (double)xi[j] - m->mean[j];
            partial[j] += t * t;
        }
    }
}

retain_status rt_logreg_scaler_fit(const retain_matrix *x, retain_scale scale, double *mean,
                                   double *sd)
{
    int64_t n = x->rows, d = x->cols;
    for (int64_t j = 0; j < d; j++) {
        mean[j] = 0.0;
        sd[j] = 1.0;
    }
    if (scale == RETAIN_SCALE_NONE)
        return RETAIN_OK;
    moments m = {x->data, d, x->row_stride, mean};
    retain_status s = rt_reduce_rows(n, d, sum_block, &m, mean);
    if (s)
        return s;
    for (int64_t j = 0; j < d; j++)
        mean[j] /= (double)n;
    if ((s = rt_reduce_rows(n, d, dev_block, &m, sd)))
        return s;
    for (int64_t j = 0; j < d; j++) {
        double v = sqrt(sd[j] / (double)n);
        /* a constant column's float64 mean may be off by rounding, which
        ** leaves a deviation of a few ulps rather than 0 */
        sd[j] = v <= 10 * DBL_EPSILON * (fabs(mean[j]) > 1 ? fabs(mean[j]) : 1) ? 1.0 : v;
    }
    return RETAIN_OK;
}
