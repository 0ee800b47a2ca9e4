/*
** src/kmeans/metrics.c: clustering quality of a fitted model on rows x
** (retain_kmeans_evaluate), as sklearn.metrics computes it on the scaled
** rows the model was fitted in, with the labels retain_kmeans_predict gives.
** Euclidean distances; every sum is float64.
**
** Silhouette (Rousseeuw, "Silhouettes: a graphical aid to the
** interpretation and validation of cluster analysis", J. Comput. Appl.
** Math. 20, 1987): for row i, a = mean distance to the other rows of its
** cluster, b = least mean distance to the rows of another cluster,
** s = (b - a) / max(a, b), and 0 for a row of a singleton cluster or where
** a = b = 0, as silhouette_samples gives. Exact over every pair of the rows
** used, O(m^2 d): rows are taken SIL_BLOCK at a time (one parallel work
** item), and each block runs over all m rows in tiles of SIL_TILE, grouped
** by cluster and transposed to float64; the distances (direct sums of
** squared differences) of a cluster's run within a tile are added up and
** into the row's sum for that cluster; no m x m matrix exists. Every row's
** sums run in an order fixed by the data and the tile size, into a per-row
** output, so the bits do not depend on the thread count. With a sample, the rows used
** are a uniform sample without replacement (rt_kmeans_sample_rows) and the
** clusters are those present in it, as silhouette_score(sample_size=...)
** does. Sample weights play no part: scikit-learn's silhouette has none.
**
** Calinski-Harabasz (Calinski and Harabasz, Commun. Stat. 3(1), 1974) and
** Davies-Bouldin (Davies and Bouldin, IEEE TPAMI 1(2), 1979): exact over all
** rows, unweighted, from the clusters' means of the scaled rows (not the
** model's centroids), as scikit-learn: one pass for the clusters' sums and
** counts, one for the squared and plain distances to their means, each a
** block-ordered reduction (rt_reduce_rows).
**
** Rows are labelled CHUNK_ROWS at a time by retain_kmeans_predict, once per
** pass, and scaled one at a time exactly as the fit scaled them
** (rt_scale_rows, to float32) before widening to float64, so memory
** beyond x is O(k d + chunk + silhouette rows): no copy of x.
*/
#include "metrics.h"

#include "kmeans.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* A fixed multiple of RT_BLOCK_ROWS: chunk sums are added in chunk order,
** so the chunk size is part of the summation order and must not vary. */
#define CHUNK_ROWS (64 * RT_BLOCK_ROWS)
#define SIL_BLOCK 32
#define SIL_TILE 256
#define SIL_LANES 8 /* distances computed side by side; divides SIL_TILE */
/* Per silhouette row: its number and label as sampled and as grouped, and
** its silhouette. */
#define SIL_ROW_BYTES (int64_t)(2 * sizeof(int64_t) + 2 * sizeof(int32_t) + sizeof(double))
/* The fit's runs draw from streams 0, 1, ... of their seed; the sample
** takes a stream of its own ("silhouet" in ASCII), so one seed serves both. */
#define SAMPLE_STREAM UINT64_C(0x73696c686f756574)

/* sklearn's np.allclose(v, 0): every |v| <= 1e-8 (its default atol). */
#define ALLCLOSE_ZERO 1e-8

void rt_kmeans_sample_rows(int64_t n, int64_t count, uint64_t seed, int64_t *rows)
{
    rt_rng rng;
    rt_rng_init(&rng, seed, SAMPLE_STREAM);
    int64_t taken = 0;
    for (int64_t i = 0; i < n && taken < count; i++)
        if ((int64_t)rt_rng_below(&rng, (uint64_t)(n - i)) < count - taken)
            rows[taken++] = i;
}

typedef struct evaluation {
    const retain_kmeans_model *m;
    const retain_matrix *x;
    int64_t k, d;
    int32_t *labels;       /* the current chunk's, CHUNK_ROWS at most     */
    int64_t first;         /* row of labels[0]                            */
    double *means;         /* k x d: the clusters' means of scaled rows   */
    void **scratch;        /* per thread: d doubles, then d floats        */
    const int64_t *sample; /* rows the silhouette uses, ascending         */
    int32_t *sample_labels;
    int64_t nsample;
} evaluation;

/* Row `row` of x scaled as the fit scales it, in float64. */
static void scaled_row(const evaluation *e, int64_t row, float *tmp, double *z)
{
    rt_scale_rows(e->x->data + row * e->x->row_stride, 1, e->d, e->x->row_stride,
                         e->m->offset, e->m->spread, tmp);
    for (int64_t j = 0; j < e->d; j++)
        z[j] = tmp[j];
}

/* First pass: per cluster l, the sum of its rows at [l * d], the count at
** [k * d + l]. */
static void sum_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const evaluation *e = ctx;
    int64_t d = e->d;
    double *z = e->scratch[thread];
    for (int64_t r = first; r < first + rows; r++) {
        int32_t l = e->labels[r];
        scaled_row(e, e->first + r, (float *)(z + d), z);
        double *sum = partial + l * d;
        for (int64_t j = 0; j < d; j++)
            sum[j] += z[j];
        partial[e->k * d + l] += 1.0;
    }
}

/* Second pass: per cluster l, the squared distances of its rows to its
** mean at [l], the distances at [k + l]. */
static void spread_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const evaluation *e = ctx;
    int64_t d = e->d;
    double *z = e->scratch[thread];
    for (int64_t r = first; r < first + rows; r++) {
        int32_t l = e->labels[r];
        scaled_row(e, e->first + r, (float *)(z + d), z);
        const double *mean = e->means + l * d;
        double sq = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double t = z[j] - mean[j];
            sq += t * t;
        }
        partial[l] += sq;
        partial[e->k + l] += sqrt(sq);
    }
}

/* out[0..width) = fn over every row of x, labelled a chunk at a time;
** `collect` also picks up the labels of the silhouette's rows. */
static retain_status run_pass(evaluation *e, rt_block_fn fn, int64_t width, bool collect,
                              double *out)
{
    double *part = malloc((size_t)width * sizeof *part);
    if (!part)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld cluster sums",
                        (long long)width);
    memset(out, 0, (size_t)width * sizeof *out);
    retain_status s = RETAIN_OK;
    int64_t n = e->x->rows, next = 0;
    for (e->first = 0; e->first < n; e->first += CHUNK_ROWS) {
        int64_t count = n - e->first < CHUNK_ROWS ? n - e->first : CHUNK_ROWS;
        retain_matrix chunk = retain_matrix_rows(*e->x, e->first, count);
        if ((s = retain_kmeans_predict(e->m, &chunk, e->labels, NULL)) ||
            (s = rt_reduce_rows(count, width, fn, e, part)))
            break;
        for (int64_t j = 0; j < width; j++)
            out[j] += part[j];
        for (; collect && next < e->nsample && e->sample[next] < e->first + count; next++)
            e->sample_labels[next] = e->labels[e->sample[next] - e->first];
    }
    free(part);
    return s;
}

/* Calinski-Harabasz and Davies-Bouldin from the clusters' sums and counts
** (first pass), means, and squared and plain distances to the means
** (second pass, sq and dist, k each). */
static retain_status dispersion_scores(const evaluation *e, const double *sums,
                                       const double *counts, const double *sq,
                                       const double *dist, retain_kmeans_metrics *out)
{
    int64_t k = e->k, d = e->d, n = e->x->rows, used = 0;
    for (int64_t l = 0; l < k; l++)
        used += counts[l] > 0;
    out->calinski_harabasz = out->davies_bouldin = NAN;
    if (used < 2 || used == n)
        return RETAIN_OK;
    double *mean = calloc((size_t)d, sizeof *mean);
    if (!mean)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the data's mean");
    for (int64_t l = 0; l < k; l++)
        for (int64_t j = 0; j < d; j++)
            mean[j] += sums[l * d + j];
    for (int64_t j = 0; j < d; j++)
        mean[j] /= (double)n;
    double between = 0.0, within = 0.0;
    for (int64_t l = 0; l < k; l++) {
        if (counts[l] == 0)
            continue;
        double gap = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double t = e->means[l * d + j] - mean[j];
            gap += t * t;
        }
        between += counts[l] * gap;
        within += sq[l];
    }
    free(mean);
    out->calinski_harabasz =
        within == 0.0 ? 1.0 : between * (double)(n - used) / (within * (double)(used - 1));

    /* scikit-learn answers 0 when every cluster's spread, or every distance
    ** between means, is within np.allclose's tolerance of 0; means that
    ** coincide exactly are skipped as pairs. */
    bool tight = true, coincide = true;
    double total = 0.0;
    for (int64_t a = 0; a < k; a++) {
        if (counts[a] == 0)
            continue;
        double spread_a = dist[a] / counts[a], worst = 0.0;
        tight &= spread_a <= ALLCLOSE_ZERO;
        for (int64_t b = 0; b < k; b++) {
            if (b == a || counts[b] == 0)
                continue;
            double apart = 0.0;
            for (int64_t j = 0; j < d; j++) {
                double t = e->means[a * d + j] - e->means[b * d + j];
                apart += t * t;
            }
            apart = sqrt(apart);
            coincide &= apart <= ALLCLOSE_ZERO;
            double ratio = apart > 0 ? (spread_a + dist[b] / counts[b]) / apart : 0.0;
            worst = ratio > worst ? ratio : worst;
        }
        total += worst;
    }
    out->davies_bouldin = tight || coincide ? 0.0 : total / (double)used;
    return RETAIN_OK;
}

/* The silhouette's rows regrouped by cluster: rows[start[c] .. start[c+1])
** are cluster c's, ascending; clusters renumbered 0 .. used-1 (those present). */
typedef struct grouped {
    const evaluation *e;
    int64_t count, used;
    int64_t *rows;
    int32_t *cluster;
    int64_t *start; /* used + 1 */
    double *silhouette; /* per grouped row */
} grouped;

/* acc[t] = squared distance of z to tile column t, for t < width (a
** multiple of SIL_LANES), each summed over j in order. */
static void tile_sqdist(const double *z, const double *tile, int64_t d, int64_t width,
                        double *acc)
{
    for (int64_t t0 = 0; t0 < width; t0 += SIL_LANES) {
        double lane[SIL_LANES] = {0};
        for (int64_t j = 0; j < d; j++) {
            const double *col = tile + j * SIL_TILE + t0;
            for (int u = 0; u < SIL_LANES; u++) {
                double t = z[j] - col[u];
                lane[u] += t * t;
            }
        }
        memcpy(acc + t0, lane, sizeof lane);
    }
}

/* Sum of sqrt(v[0..count)) in four interleaved partial sums, which keeps
** the additions from waiting on each other. */
static double run_sum_sqrt(const double *v, int64_t count)
{
    double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;
    int64_t t = 0;
    for (; t + 4 <= count; t += 4) {
        p0 += sqrt(v[t]);
        p1 += sqrt(v[t + 1]);
        p2 += sqrt(v[t + 2]);
        p3 += sqrt(v[t + 3]);
    }
    for (; t < count; t++)
        p0 += sqrt(v[t]);
    return (p0 + p1) + (p2 + p3);
}

/* Bytes of per-thread scratch silhouette_block needs. */
static int64_t block_scratch_bytes(int64_t d, int64_t used)
{
    return (int64_t)sizeof(double) * (SIL_BLOCK * d + d * SIL_TILE + SIL_TILE +
                                      SIL_BLOCK * used) +
           (int64_t)sizeof(float) * d;
}

/* Silhouettes of grouped rows [b0, b0 + rows). */
static void silhouette_block(const grouped *g, int64_t b0, int64_t rows, void *scratch)
{
    const evaluation *e = g->e;
    int64_t d = e->d, used = g->used;
    double *z = scratch, *tile = z + SIL_BLOCK * d, *acc = tile + d * SIL_TILE;
    double *sums = acc + SIL_TILE;
    float *tmp = (float *)(sums + SIL_BLOCK * used);
    for (int64_t r = 0; r < rows; r++)
        scaled_row(e, g->rows[b0 + r], tmp, z + r * d);
    memset(sums, 0, (size_t)(rows * used) * sizeof *sums);
    for (int64_t q0 = 0; q0 < g->count; q0 += SIL_TILE) {
        int64_t width = g->count - q0 < SIL_TILE ? g->count - q0 : SIL_TILE;
        int64_t padded = (width + SIL_LANES - 1) / SIL_LANES * SIL_LANES;
        for (int64_t t = 0; t < padded; t++) {
            if (t < width)
                rt_scale_rows(e->x->data + g->rows[q0 + t] * e->x->row_stride, 1, d,
                                     e->x->row_stride, e->m->offset, e->m->spread, tmp);
            for (int64_t j = 0; j < d; j++)
                tile[j * SIL_TILE + t] = t < width ? tmp[j] : 0.0;
        }
        int32_t c0 = g->cluster[q0], c1 = g->cluster[q0 + width - 1];
        for (int64_t r = 0; r < rows; r++) {
            tile_sqdist(z + r * d, tile, d, padded, acc);
            double *sum = sums + r * used;
            for (int32_t c = c0; c <= c1; c++) {
                int64_t from = g->start[c] > q0 ? g->start[c] - q0 : 0;
                int64_t to = g->start[c + 1] - q0 < width ? g->start[c + 1] - q0 : width;
                sum[c] += run_sum_sqrt(acc + from, to - from);
            }
        }
    }
    for (int64_t r = 0; r < rows; r++) {
        const double *sum = sums + r * used;
        int32_t own = g->cluster[b0 + r];
        int64_t size = g->start[own + 1] - g->start[own];
        double s = 0.0;
        if (size > 1) {
            double a = sum[own] / (double)(size - 1), b = INFINITY;
            for (int64_t c = 0; c < used; c++) {
                double mean = sum[c] / (double)(g->start[c + 1] - g->start[c]);
                if (c != own && mean < b)
                    b = mean;
            }
            double larger = a > b ? a : b;
            s = larger > 0 ? (b - a) / larger : 0.0;
        }
        g->silhouette[b0 + r] = s;
    }
}

/* Regroups e's silhouette rows by cluster into g (arrays allocated). */
static retain_status group_rows(const evaluation *e, grouped *g)
{
    int64_t k = e->k, m = e->nsample;
    int64_t *seen = calloc((size_t)k, sizeof *seen);
    int32_t *renumber = malloc((size_t)k * sizeof *renumber);
    g->rows = malloc((size_t)m * sizeof *g->rows);
    g->cluster = malloc((size_t)m * sizeof *g->cluster);
    g->start = calloc((size_t)k + 1, sizeof *g->start);
    g->silhouette = malloc((size_t)m * sizeof *g->silhouette);
    retain_status s = RETAIN_OK;
    if (!seen || !renumber || !g->rows || !g->cluster || !g->start || !g->silhouette) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the silhouette of %lld rows",
                     (long long)m);
        goto done;
    }
    for (int64_t i = 0; i < m; i++)
        seen[e->sample_labels[i]]++;
    g->count = m;
    g->used = 0;
    for (int64_t l = 0; l < k; l++) {
        if (seen[l] == 0)
            continue;
        renumber[l] = (int32_t)g->used;
        g->start[g->used + 1] = g->start[g->used] + seen[l];
        seen[l] = g->start[g->used++]; /* from here: the next free slot */
    }
    for (int64_t i = 0; i < m; i++) {
        int32_t l = e->sample_labels[i];
        g->rows[seen[l]] = e->sample[i];
        g->cluster[seen[l]++] = renumber[l];
    }
done:
    free(seen);
    free(renumber);
    return s;
}

/* The mean silhouette of the sample, NaN where scikit-learn raises. */
static retain_status silhouette_score(const evaluation *e, double *out)
{
    grouped g = {.e = e};
    void **scratch = NULL;
    int nscratch = 0;
    retain_status s = group_rows(e, &g);
    *out = NAN;
    if (s || g.used < 2 || g.used == g.count ||
        (s = rt_thread_scratch_alloc(block_scratch_bytes(e->d, g.used), &scratch, &nscratch)))
        goto done;
    int64_t nblocks = (g.count + SIL_BLOCK - 1) / SIL_BLOCK;
#pragma omp parallel for schedule(dynamic) num_threads(nscratch)
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t b0 = b * SIL_BLOCK;
        silhouette_block(&g, b0, g.count - b0 < SIL_BLOCK ? g.count - b0 : SIL_BLOCK,
                         scratch[omp_get_thread_num()]);
    }
    double total = 0.0;
    for (int64_t i = 0; i < g.count; i++)
        total += g.silhouette[i];
    *out = total / (double)g.count;
done:
    rt_thread_scratch_free(scratch, nscratch);
    free(g.rows);
    free(g.cluster);
    free(g.start);
    free(g.silhouette);
    return s;
}

retain_status retain_kmeans_evaluate(const retain_kmeans_model *m, const retain_matrix *x,
                                     int64_t silhouette_sample, uint64_t seed,
                                     retain_kmeans_metrics *out)
{
    if (!m || !x || !out)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_evaluate: %s is NULL",
                        !m ? "model" : !x ? "x" : "out");
    if (silhouette_sample < 0)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_evaluate: silhouette_sample is %lld; "
                        "use 0 for every row or a positive sample size",
                        (long long)silhouette_sample);
    retain_status s = rt_kmeans_check_matrix(x, "retain_kmeans_evaluate");
    if (s)
        return s;
    if (x->cols != m->d)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_evaluate: x has %lld columns, the "
                        "model was fitted on %lld", (long long)x->cols, (long long)m->d);
    int64_t n = x->rows, k = m->k, d = m->d;
    int64_t sil_rows = silhouette_sample == 0 || silhouette_sample > n ? n : silhouette_sample;
    evaluation e = {.m = m, .x = x, .k = k, .d = d, .nsample = sil_rows};
    int nscratch = 0;
    double *first = NULL, *second = NULL;
    int64_t *sample = NULL;
    int64_t chunk = n < CHUNK_ROWS ? n : CHUNK_ROWS;
    if ((s = rt_mem_check_claim(sil_rows * SIL_ROW_BYTES, "the silhouette's rows",
                                "use a smaller silhouette sample")) ||
        (s = retain_malloc((size_t)chunk * sizeof *e.labels, (void **)&e.labels)) ||
        (s = retain_malloc((size_t)(k * d) * sizeof *e.means, (void **)&e.means)) ||
        (s = retain_malloc((size_t)(k * d + k) * sizeof *first, (void **)&first)) ||
        (s = retain_malloc((size_t)(2 * k) * sizeof *second, (void **)&second)) ||
        (s = retain_malloc((size_t)sil_rows * sizeof *sample, (void **)&sample)) ||
        (s = retain_malloc((size_t)sil_rows * sizeof *e.sample_labels,
                           (void **)&e.sample_labels)) ||
        (s = rt_thread_scratch_alloc(d * (int64_t)(sizeof(double) + sizeof(float)),
                                     &e.scratch, &nscratch)))
        goto done;
    rt_kmeans_sample_rows(n, sil_rows, seed, sample);
    e.sample = sample;
    if ((s = run_pass(&e, sum_block, k * d + k, true, first)))
        goto done;
    const double *counts = first + k * d;
    for (int64_t l = 0; l < k; l++)
        for (int64_t j = 0; j < d; j++)
            e.means[l * d + j] = counts[l] > 0 ? first[l * d + j] / counts[l] : 0.0;
    if ((s = run_pass(&e, spread_block, 2 * k, false, second)) ||
        (s = dispersion_scores(&e, first, counts, second, second + k, out)) ||
        (s = silhouette_score(&e, &out->silhouette)))
        goto done;
    out->silhouette_rows = sil_rows;
done:
    retain_free(e.labels);
    retain_free(e.means);
    retain_free(first);
    retain_free(second);
    retain_free(sample);
    retain_free(e.sample_labels);
    rt_thread_scratch_free(e.scratch, nscratch);
    return s;
}
