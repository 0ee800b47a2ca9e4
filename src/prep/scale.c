/*
** src/prep/scale.c: the feature scalers models fit on their training rows
** and store (k-means, the churn model): standard ((x - mean) / std, population std, weighted
** like StandardScaler.fit(X, sample_weight)), minmax ((x - min) / (max -
** min), like MinMaxScaler) or none. A constant column gets spread 1, never
** a division by zero.
** Sums are float64, two-pass, block-ordered (rt_reduce_rows). Rows that
** stream in pieces (mini-batch from a file) are fitted piece by piece, each
** piece's two-pass moments merged in order.
** Under MPI x is the rank's share of the rows: rt_scaler_fit and
** rt_column_moments complete every sum (and the extremes) across ranks.
*/
#include "scale.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/parallel.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The moments of rows that are all here (across_ranks false: pieces of
** one process's stream) or this rank's share of the rows (true): each
** pass's sums are completed across ranks before the next uses them. */
static retain_status moments_of(const float *x, int64_t n, int64_t d, int64_t stride,
                                const float *w, bool across_ranks, double *mean, double *var,
                                double *weight)
{
    double *acc = malloc((size_t)(d + 1) * sizeof *acc);
    retain_status s = acc ? RETAIN_OK : rt_error(RETAIN_ERR_INTERNAL, "out of memory for "
                                                 "column moments");
    moments m = {x, d, stride, w, mean};
    if (across_ranks)
        s = rt_dist_reduce_rows(s, n, d + 1, sum_block, &m, acc);
    else if (!s)
        s = rt_reduce_rows(n, d + 1, sum_block, &m, acc);
    if (!s) {
        for (int64_t j = 0; j < d; j++)
            mean[j] = acc[j] / acc[d];
        if (weight)
            *weight = acc[d];
        /* acc[d] stays */
        s = across_ranks ? rt_dist_reduce_rows(s, n, d, dev_block, &m, acc)
                         : rt_reduce_rows(n, d, dev_block, &m, acc);
    }
    if (!s)
        for (int64_t j = 0; j < d; j++)
            var[j] = acc[j] / acc[d];
    free(acc);
    return s;
}

retain_status rt_column_moments(const float *x, int64_t n, int64_t d, int64_t stride,
                                const float *w, double *mean, double *var, double *weight)
{
    return moments_of(x, n, d, stride, w, true, mean, var, weight);
}

/* The standard deviation as a spread: 1 for a constant column, whose
** float64 mean may be off by rounding and leave a few ulps rather than 0. */
static double spread_of(double var, double mean)
{
    double sd = sqrt(var);
    return sd <= 10 * DBL_EPSILON * (fabs(mean) > 1 ? fabs(mean) : 1) ? 1.0 : sd;
}

/* lo, hi (d each): this rank's column extremes in, the range over every
** rank's rows out as offset lo and spread hi - lo (1 where 0). */
static retain_status global_range(int64_t d, double *lo, double *hi)
{
    int ranks = rt_dist_size();
    double *all = malloc((size_t)(2 * d * (ranks + 1)) * sizeof *all);
    retain_status s = all ? RETAIN_OK : rt_error(RETAIN_ERR_INTERNAL, "out of memory for "
                                                 "the scaler's ranges");
    double *mine = all ? all + 2 * d * ranks : NULL;
    if (mine) {
        memcpy(mine, lo, (size_t)d * sizeof *mine);
        memcpy(mine + d, hi, (size_t)d * sizeof *mine);
    }
    if (!(s = rt_dist_allgather_f64(s, mine, 2 * d, all)))
        for (int64_t j = 0; j < d; j++) {
            for (int r = 0; r < ranks; r++) {
                lo[j] = fmin(lo[j], all[2 * d * r + j]);
                hi[j] = fmax(hi[j], all[2 * d * r + d + j]);
            }
            double range = hi[j] - lo[j];
            hi[j] = range > 0 ? range : 1.0;
        }
    free(all);
    return s;
}

retain_status rt_scaler_fit(const retain_matrix *x, const float *w, retain_scale scale,
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
        return global_range(d, offset, spread);
    }
    double *var = malloc((size_t)d * sizeof *var);
    if (!var)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the scaler");
    retain_status s = rt_column_moments(x->data, n, d, x->row_stride, w, offset, var, NULL);
    if (!s)
        for (int64_t j = 0; j < d; j++)
            spread[j] = spread_of(var[j], offset[j]);
    free(var);
    return s;
}

void rt_scale_rows(const float *src, int64_t rows, int64_t d, int64_t stride,
                   const double *offset, const double *spread, float *dst)
{
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < d; j++)
            dst[i * d + j] = (float)((src[i * stride + j] - offset[j]) / spread[j]);
}


/* ---- the same, fitted on rows that arrive in pieces ----------------------- */

/* Folds one piece's moments (weight wb, mean mb, population variance vb)
** into running ones (Chan, Golub and LeVeque's pairwise update). */
static void merge_moments(int64_t d, double *weight, double *mean, double *m2, double wb,
                          const double *mb, const double *vb)
{
    if (!(wb > 0))
        return;
    double total = *weight + wb;
    for (int64_t j = 0; j < d; j++) {
        double delta = mb[j] - mean[j];
        mean[j] += delta * (wb / total);
        m2[j] += vb[j] * wb + delta * delta * (*weight * wb / total);
    }
    *weight = total;
}

retain_status rt_scaler_acc_init(rt_scaler_acc *a, int64_t d, retain_scale scale)
{
    memset(a, 0, sizeof *a);
    a->d = d;
    a->scale = scale;
    /* weighted and unweighted mean, m2; min; max; piece mean, variance */
    a->buf = calloc((size_t)(8 * d), sizeof *a->buf);
    if (!a->buf)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the scaler");
    for (int64_t j = 0; j < d; j++) {
        a->buf[4 * d + j] = INFINITY;
        a->buf[5 * d + j] = -INFINITY;
    }
    return RETAIN_OK;
}

retain_status rt_scaler_acc_add(rt_scaler_acc *a, const float *x, int64_t rows,
                                const float *w)
{
    int64_t d = a->d;
    double *mean = a->buf, *m2 = a->buf + d, *umean = a->buf + 2 * d, *um2 = a->buf + 3 * d;
    double *lo = a->buf + 4 * d, *hi = a->buf + 5 * d, *pm = a->buf + 6 * d,
           *pv = a->buf + 7 * d;
    double pw;
    retain_status s = moments_of(x, rows, d, d, NULL, false, pm, pv, &pw);
    if (s)
        return s;
    merge_moments(d, &a->count, umean, um2, pw, pm, pv);
    if (w && a->scale == RETAIN_SCALE_STANDARD) {
        if ((s = moments_of(x, rows, d, d, w, false, pm, pv, &pw)))
            return s;
        merge_moments(d, &a->weight, mean, m2, pw, pm, pv);
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < d; j++) {
            double v = x[i * d + j];
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
        }
    a->weighted |= w != NULL;
    return RETAIN_OK;
}

void rt_scaler_acc_finish(const rt_scaler_acc *a, double *offset, double *spread,
                          double *tol_scale)
{
    int64_t d = a->d;
    const double *mean = a->weighted ? a->buf : a->buf + 2 * d;
    const double *m2 = a->weighted ? a->buf + d : a->buf + 3 * d;
    double weight = a->weighted ? a->weight : a->count;
    const double *um2 = a->buf + 3 * d, *lo = a->buf + 4 * d, *hi = a->buf + 5 * d;
    double total = 0.0;
    for (int64_t j = 0; j < d; j++) {
        offset[j] = 0.0;
        spread[j] = 1.0;
        if (a->scale == RETAIN_SCALE_STANDARD) {
            offset[j] = mean[j];
            spread[j] = spread_of(m2[j] / weight, mean[j]);
        } else if (a->scale == RETAIN_SCALE_MINMAX) {
            offset[j] = lo[j];
            spread[j] = hi[j] - lo[j] > 0 ? hi[j] - lo[j] : 1.0;
        }
        total += um2[j] / a->count / (spread[j] * spread[j]);
    }
    *tol_scale = total / (double)d;
}

void rt_scaler_acc_free(rt_scaler_acc *a)
{
    free(a->buf);
    a->buf = NULL;
}
