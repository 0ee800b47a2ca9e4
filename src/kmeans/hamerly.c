/*
** src/kmeans/hamerly.c: Hamerly's bounds for Lloyd's assignment step
** (G. Hamerly, "Making k-means even faster", SDM 2010). Each row keeps an
** upper bound on the distance to its centroid and a lower bound on the
** distance to every other; a row whose upper bound is within
** max(lower, half the gap from its centroid to the nearest other centroid)
** cannot change label and is skipped. Bounds widen by how far the
** centroids moved on the next pass over the rows, not in a pass of their
** own. The rest are gathered into small
** batches for the nearest_centroid kernel, which also gives the second
** least score the new lower bound comes from. Bounds are float32 rounded
** outwards and the lower bound gives up the kernel's worst-case rounding
** error, so a skip is never wrong in exact arithmetic; labels equal
** Lloyd's except where two centroids tie within round-off. Memory: two
** floats per row.
*/
#include "kmeans.h"

#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Rows a batch gathers before calling the kernel. */
#define BATCH 240

/* Outward rounding to float for v >= 0: widened by 2^-22 first, so the
** float is past v whichever way conversion rounds (at most 2^-24 back). */
static inline float round_up(double v) { return (float)(v * (1.0 + 0x1p-22)); }

static inline float round_down(double v) { return v <= 0 ? 0.0f : (float)(v * (1.0 - 0x1p-22)); }

retain_status rt_kmeans_bounds_alloc(int64_t n, int64_t k, rt_kmeans_bounds *b)
{
    memset(b, 0, sizeof *b);
    retain_status s;
    if ((s = retain_malloc((size_t)n * sizeof *b->upper, (void **)&b->upper)) ||
        (s = retain_malloc((size_t)n * sizeof *b->lower, (void **)&b->lower)) ||
        (s = retain_malloc((size_t)k * sizeof *b->half_gap, (void **)&b->half_gap)) ||
        (s = retain_malloc((size_t)k * sizeof *b->moved, (void **)&b->moved))) {
        rt_kmeans_bounds_free(b);
        return rt_error_context(s, "Hamerly bounds (2 floats per row)");
    }
    return RETAIN_OK;
}

void rt_kmeans_bounds_free(rt_kmeans_bounds *b)
{
    retain_free(b->upper);
    retain_free(b->lower);
    retain_free(b->half_gap);
    retain_free(b->moved);
    memset(b, 0, sizeof *b);
}

int64_t rt_kmeans_bounds_scratch_bytes(int64_t d)
{
    return (BATCH * d + RT_NEAREST_SCRATCH(d) + BATCH) * (int64_t)sizeof(float) +
           BATCH * (int64_t)(sizeof(int32_t) + sizeof(int64_t));
}

static double dist_direct(const float *a, const float *b, int64_t d)
{
    double s = 0.0;
    for (int64_t j = 0; j < d; j++) {
        double t = (double)a[j] - b[j];
        s += t * t;
    }
    return sqrt(s);
}

void rt_kmeans_bounds_centres(rt_kmeans_bounds *b, const rt_kmeans_centers *c)
{
    int64_t k = c->k, d = c->d;
    float cn_max = 0.0f;
    for (int64_t l = 0; l < k; l++) {
        double gap = INFINITY;
        for (int64_t m = 0; m < k; m++)
            if (m != l) {
                double g = dist_direct(c->c + l * d, c->c + m * d, d);
                gap = g < gap ? g : gap;
            }
        b->half_gap[l] = gap / 2;
        cn_max = c->cnorm[l] > cn_max ? c->cnorm[l] : cn_max;
    }
    /* |score - exact| <= (2d + 4) 2^-24 (||x||^2 + ||c||^2): d FMAs into the
    ** dot product, the rounded norm and the final subtraction */
    b->slack = (2.0 * (double)d + 4.0) * FLT_EPSILON / 2;
    b->cn_max = cn_max;
}

/* Kernel on the gathered rows; new labels and both bounds. */
static void run_batch(const rt_kmeans_centers *c, rt_kmeans_bounds *b, const float *rows,
                      const int64_t *at, int64_t m, int32_t *labels, float *second,
                      int32_t *lab, float *kscratch)
{
    int64_t d = c->d;
    rt_kernels_get()->nearest_centroid(rows, m, d, d, c->packed, c->cnorm, c->kp, lab, second,
                                       kscratch);
    for (int64_t r = 0; r < m; r++) {
        const float *xr = rows + r * d;
        double xx = 0.0;
        for (int64_t j = 0; j < d; j++)
            xx += (double)xr[j] * xr[j];
        int64_t i = at[r];
        labels[i] = lab[r];
        b->upper[i] = round_up(dist_direct(xr, c->c + (int64_t)lab[r] * d, d));
        double lower2 = (double)second[r] + xx - b->slack * (xx + b->cn_max);
        b->lower[i] = round_down(lower2 > 0 ? sqrt(lower2) : 0.0);
    }
}

void rt_kmeans_hamerly_rows(const rt_kmeans_centers *c, rt_kmeans_bounds *b,
                            const rt_kmeans_data *x, int64_t first, int64_t rows,
                            int32_t *labels, void *scratch)
{
    int64_t d = c->d;
    float *batch = scratch, *kscratch = batch + BATCH * d,
          *second = kscratch + RT_NEAREST_SCRATCH(d);
    int32_t *lab = (int32_t *)(second + BATCH);
    int64_t *at = (int64_t *)(lab + BATCH), m = 0;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = x->z + i * x->stride;
        if (b->ready) {
            int32_t a = labels[i];
            if (b->pending) {
                b->upper[i] = round_up((double)b->upper[i] + b->moved[a]);
                b->lower[i] =
                    round_down((double)b->lower[i] - (a == b->most_at ? b->runner_up : b->most));
            }
            double bound = b->half_gap[a] > b->lower[i] ? b->half_gap[a] : b->lower[i];
            if (b->upper[i] <= bound)
                continue;
            b->upper[i] = round_up(dist_direct(xi, c->c + (int64_t)a * d, d));
            if (b->upper[i] <= bound)
                continue;
        }
        memcpy(batch + m * d, xi, (size_t)d * sizeof *xi);
        at[m++] = i;
        if (m == BATCH) {
            run_batch(c, b, batch, at, m, labels, second, lab, kscratch);
            m = 0;
        }
    }
    if (m > 0)
        run_batch(c, b, batch, at, m, labels, second, lab, kscratch);
}

void rt_kmeans_bounds_move(rt_kmeans_bounds *b, const float *old, const float *now,
                           int64_t k, int64_t d)
{
    b->most = b->runner_up = 0.0;
    b->most_at = -1;
    for (int64_t l = 0; l < k; l++) {
        double p = dist_direct(old + l * d, now + l * d, d);
        b->moved[l] = p;
        if (p > b->most) {
            b->runner_up = b->most;
            b->most = p;
            b->most_at = l;
        } else if (p > b->runner_up) {
            b->runner_up = p;
        }
    }
    b->pending = true;
}
