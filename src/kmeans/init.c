/*
** src/kmeans/init.c: initial centroids. Greedy k-means++ (Arthur and
** Vassilvitskii, SODA 2007) exactly as scikit-learn's _kmeans_plusplus runs
** it: the first centre is a row drawn with probability proportional to its
** weight; each next one is the best of 2 + floor(ln k) candidates drawn
** with probability proportional to weight * squared distance to the nearest
** centre so far, "best" meaning the least potential (weighted sum of those
** distances) once the candidate is added. Random rows: k distinct rows of
** positive weight, uniformly. Draws come from core/rng (not numpy's
** Mersenne Twister), so centres match scikit-learn's in distribution, not
** bit for bit. Sampling works on per-block sums in block order, so the
** choice does not depend on the thread count either.
*/
#include "kmeans.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct plusplus {
    const rt_kmeans_data *x;
    float *closest;    /* n: squared distance to the nearest centre so far */
    double *block_sum; /* per block: sum of w * closest                    */
    const float *cand; /* ncand x d candidate rows                         */
    int64_t ncand;
} plusplus;

static double weight(const rt_kmeans_data *x, int64_t i) { return x->w ? x->w[i] : 1.0; }

/* Squared distance with eight partial sums, which the compiler vectorises:
** seeding makes (2 + ln k) * k passes over the rows. The order is fixed,
** so the value does not depend on the thread or instruction set. */
static float sqdist8(const float *a, const float *b, int64_t d)
{
    float acc[8] = {0};
    int64_t j = 0;
    for (; j + 8 <= d; j += 8)
        for (int u = 0; u < 8; u++) {
            float t = a[j + u] - b[j + u];
            acc[u] += t * t;
        }
    float s = 0.0f;
    for (; j < d; j++) {
        float t = a[j] - b[j];
        s += t * t;
    }
    return s + (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
}

/* Index i drawn with probability mass[i] / total, where mass is w * closest
** (closest NULL: w alone) and block_sum holds its per-block sums. The first
** index whose running sum reaches u * total, as numpy's searchsorted finds
** it; past the end by rounding: the last row of positive mass. */
static int64_t draw(const rt_kmeans_data *x, const float *closest, const double *block_sum,
                    double total, double u)
{
    double target = u * total, run = 0.0;
    int64_t nblocks = rt_block_count(x->n);
    for (int64_t b = 0; b < nblocks; b++) {
        if (run + block_sum[b] < target) {
            run += block_sum[b];
            continue;
        }
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->n ? (b + 1) * RT_BLOCK_ROWS : x->n;
        for (int64_t i = b * RT_BLOCK_ROWS; i < end; i++) {
            run += weight(x, i) * (closest ? closest[i] : 1.0);
            if (run >= target)
                return i;
        }
    }
    for (int64_t i = x->n - 1; i > 0; i--)
        if (weight(x, i) * (closest ? closest[i] : 1.0) > 0)
            return i;
    return 0;
}

/* Per-block sums of w (closest NULL) or w * closest, in row order. */
static void block_sums(const rt_kmeans_data *x, const float *closest, double *block_sum)
{
    int64_t nblocks = rt_block_count(x->n);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->n ? (b + 1) * RT_BLOCK_ROWS : x->n;
        double s = 0.0;
        for (int64_t i = b * RT_BLOCK_ROWS; i < end; i++)
            s += weight(x, i) * (closest ? closest[i] : 1.0);
        block_sum[b] = s;
    }
}

/* Potential with each candidate added: partial[t] = sum w min(closest, d_t). */
static void candidate_block(void *ctx, int thread, int64_t first, int64_t rows,
                            double *partial)
{
    const plusplus *p = ctx;
    const rt_kmeans_data *x = p->x;
    for (int64_t i = first; i < first + rows; i++) {
        const float *xi = x->z + i * x->stride;
        double w = weight(x, i);
        for (int64_t t = 0; t < p->ncand; t++) {
            float dt = sqdist8(xi, p->cand + t * x->d, x->d);
            partial[t] += w * (dt < p->closest[i] ? dt : p->closest[i]);
        }
    }
}

/* closest = min(closest, distance to centre c) (or = it, when `first`), and
** the block sums of w * closest for the next draw. */
static void add_centre(plusplus *p, const float *c, bool first)
{
    const rt_kmeans_data *x = p->x;
    int64_t nblocks = rt_block_count(x->n);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->n ? (b + 1) * RT_BLOCK_ROWS : x->n;
        double s = 0.0;
        for (int64_t i = b * RT_BLOCK_ROWS; i < end; i++) {
            float dc = sqdist8(x->z + i * x->stride, c, x->d);
            if (first || dc < p->closest[i])
                p->closest[i] = dc;
            s += weight(x, i) * p->closest[i];
        }
        p->block_sum[b] = s;
    }
}

static double ordered_total(const double *block_sum, int64_t nblocks)
{
    double total;
    rt_reduce_blocks_f64(block_sum, nblocks, 1, &total);
    return total;
}

static void copy_row(const rt_kmeans_data *x, int64_t i, float *dst)
{
    memcpy(dst, x->z + i * x->stride, (size_t)x->d * sizeof *dst);
}

retain_status rt_kmeans_init_plusplus(const rt_kmeans_data *x, int64_t k, rt_rng *rng,
                                      retain_progress_fn progress, void *user,
                                      float *centers)
{
    int64_t d = x->d, nblocks = rt_block_count(x->n);
    int64_t trials = 2 + (int64_t)log((double)k);
    plusplus p = {x, NULL, NULL, NULL, 0};
    float *cand = NULL;
    double *pot = NULL;
    retain_status s = rt_mem_check_claim(x->n * (int64_t)sizeof(float),
                                         "k-means++ distances (one float per row)",
                                         "use fewer rows");
    if (!s)
        s = retain_malloc((size_t)x->n * sizeof *p.closest, (void **)&p.closest);
    if (!s)
        s = retain_malloc((size_t)nblocks * sizeof *p.block_sum, (void **)&p.block_sum);
    if (!s)
        s = retain_malloc((size_t)(trials * d) * sizeof *cand, (void **)&cand);
    if (!s)
        s = retain_malloc((size_t)trials * sizeof *pot, (void **)&pot);
    if (s)
        goto done;
    p.cand = cand;

    block_sums(x, NULL, p.block_sum);
    int64_t first = draw(x, NULL, p.block_sum, ordered_total(p.block_sum, nblocks),
                         rt_rng_uniform(rng));
    copy_row(x, first, centers);
    add_centre(&p, centers, true);
    double current = ordered_total(p.block_sum, nblocks);
    for (int64_t c = 1; c < k; c++) {
        for (int64_t t = 0; t < trials; t++)
            copy_row(x, draw(x, p.closest, p.block_sum, current, rt_rng_uniform(rng)),
                     cand + t * d);
        p.ncand = trials;
        if ((s = rt_reduce_rows(x->n, trials, candidate_block, &p, pot)))
            goto done;
        int64_t best = 0;
        for (int64_t t = 1; t < trials; t++)
            if (pot[t] < pot[best])
                best = t;
        memcpy(centers + c * d, cand + best * d, (size_t)d * sizeof *centers);
        add_centre(&p, centers + c * d, false);
        current = ordered_total(p.block_sum, nblocks);
        if (progress)
            progress(user, "init", c + 1, k);
    }
done:
    retain_free(p.closest);
    retain_free(p.block_sum);
    retain_free(cand);
    retain_free(pot);
    return s;
}

retain_status rt_kmeans_init_random(const rt_kmeans_data *x, int64_t k, rt_rng *rng,
                                    float *centers)
{
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)k)
        cap *= 2;
    int64_t *taken = malloc(cap * sizeof *taken);
    if (!taken)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for random initialisation");
    memset(taken, 0xff, cap * sizeof *taken);
    for (int64_t c = 0; c < k;) {
        int64_t i = (int64_t)rt_rng_below(rng, (uint64_t)x->n);
        if (!(weight(x, i) > 0))
            continue;
        uint64_t h = ((uint64_t)i * 0x9E3779B97F4A7C15ULL) & (cap - 1);
        while (taken[h] >= 0 && taken[h] != i)
            h = (h + 1) & (cap - 1);
        if (taken[h] == i)
            continue;
        taken[h] = i;
        copy_row(x, i, centers + c * x->d);
        c++;
    }
    free(taken);
    return RETAIN_OK;
}
