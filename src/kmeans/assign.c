/*
** src/kmeans/assign.c: the nearest centroid of every row of a block, the
** rows-by-k distance matrix never stored. Two paths at one threshold
** (RT_KMEANS_GEMM_MIN_KD, kmeans.h): below it the register-blocked
** nearest_centroid kernel of the dispatch table (kernels/cpu); from it on,
** SGEMM tiles x . c^T of RT_KMEANS_TILE_ROWS x RT_KMEANS_TILE_COLS, each fed
** at once to the arg-min over ||x||^2 - 2 x.c + ||c||^2 with round-off
** negatives clamped to 0 (as FAISS and scikit-learn do). Either way a
** distance asked for is then the direct sum of squared differences, so both
** paths report the same quantity. Tiles are fixed by block position, so
** results do not depend on the thread count.
*/
#include "kmeans.h"

#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

bool rt_kmeans_use_gemm(int64_t k, int64_t d) { return k * d >= RT_KMEANS_GEMM_MIN_KD; }

retain_status rt_kmeans_centers_alloc(int64_t k, int64_t d, rt_kmeans_centers *out)
{
    memset(out, 0, sizeof *out);
    out->k = k;
    out->d = d;
    out->kp = rt_centroids_padded(k);
    out->gemm = rt_kmeans_use_gemm(k, d);
    retain_status s = retain_malloc((size_t)(k * d) * sizeof(float), (void **)&out->c);
    if (!s)
        s = retain_malloc((size_t)out->kp * sizeof(float), (void **)&out->cnorm);
    if (!s && !out->gemm)
        s = retain_malloc((size_t)(d * out->kp) * sizeof(float), (void **)&out->packed);
    if (s) {
        rt_kmeans_centers_free(out);
        return rt_error_context(s, "k-means centroids (%lld x %lld)", (long long)k,
                                (long long)d);
    }
    return RETAIN_OK;
}

void rt_kmeans_centers_set(rt_kmeans_centers *c, const float *centers)
{
    int64_t k = c->k, d = c->d;
    memcpy(c->c, centers, (size_t)(k * d) * sizeof *centers);
    if (!c->gemm) {
        rt_centroids_pack(centers, k, d, c->packed, c->cnorm);
        return;
    }
    for (int64_t l = 0; l < k; l++) {
        double s = 0.0;
        for (int64_t j = 0; j < d; j++)
            s += (double)centers[l * d + j] * centers[l * d + j];
        c->cnorm[l] = (float)s;
    }
}

void rt_kmeans_centers_free(rt_kmeans_centers *c)
{
    retain_free(c->c);
    retain_free(c->packed);
    retain_free(c->cnorm);
    c->c = c->packed = c->cnorm = NULL;
}

static int64_t tile_cols(const rt_kmeans_centers *c)
{
    return c->k < RT_KMEANS_TILE_COLS ? c->k : RT_KMEANS_TILE_COLS;
}

int64_t rt_kmeans_assign_scratch_bytes(const rt_kmeans_centers *c)
{
    if (!c->gemm)
        return RT_NEAREST_SCRATCH(c->d) * (int64_t)sizeof(float);
    return (RT_KMEANS_TILE_ROWS * tile_cols(c) + 2 * RT_KMEANS_TILE_ROWS) *
           (int64_t)sizeof(float);
}

float rt_kmeans_sqdist(const float *a, const float *b, int64_t d)
{
    float s = 0.0f;
    for (int64_t j = 0; j < d; j++) {
        float t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* Rows [0, m) of one row tile against every centroid, tile by tile. */
static void gemm_tile_rows(const rt_kmeans_centers *c, const float *x, int64_t m,
                           int64_t stride, int32_t *label, float *scratch)
{
    int64_t k = c->k, d = c->d, tc = tile_cols(c);
    float *tile = scratch, *best = tile + RT_KMEANS_TILE_ROWS * tc, *xnorm = best + RT_KMEANS_TILE_ROWS;
    for (int64_t i = 0; i < m; i++) {
        const float *xi = x + i * stride;
        double s = 0.0;
        for (int64_t j = 0; j < d; j++)
            s += (double)xi[j] * xi[j];
        xnorm[i] = (float)s;
        best[i] = INFINITY;
        label[i] = 0;
    }
    for (int64_t c0 = 0; c0 < k; c0 += tc) {
        int64_t nc = k - c0 < tc ? k - c0 : tc;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)nc, (int)d, 1.0f, x,
                    (int)stride, c->c + c0 * d, (int)d, 0.0f, tile, (int)nc);
        const float *cn = c->cnorm + c0;
        for (int64_t i = 0; i < m; i++) {
            /* branch-free passes the compiler vectorises: distances in
            ** place, their minimum, then the first index holding it */
            float *row = tile + i * nc, xn = xnorm[i];
            for (int64_t l = 0; l < nc; l++) {
                float v = xn - 2.0f * row[l] + cn[l];
                row[l] = v > 0.0f ? v : 0.0f;
            }
            float lane[8];
            for (int u = 0; u < 8; u++)
                lane[u] = INFINITY;
            int64_t l = 0;
            for (; l + 8 <= nc; l += 8)
                for (int u = 0; u < 8; u++)
                    lane[u] = row[l + u] < lane[u] ? row[l + u] : lane[u];
            float b = INFINITY;
            for (; l < nc; l++)
                b = row[l] < b ? row[l] : b;
            for (int u = 0; u < 8; u++)
                b = lane[u] < b ? lane[u] : b;
            if (b < best[i]) {
                int64_t at = 0;
                while (row[at] != b)
                    at++;
                best[i] = b;
                label[i] = (int32_t)(c0 + at);
            }
        }
    }
}

void rt_kmeans_assign_rows(const rt_kmeans_centers *c, const float *x, int64_t rows,
                           int64_t stride, int32_t *label, float *dist, void *scratch)
{
    if (!c->gemm)
        rt_kernels_get()->nearest_centroid(x, rows, c->d, stride, c->packed, c->cnorm, c->kp,
                                           label, scratch);
    else
        for (int64_t r0 = 0; r0 < rows; r0 += RT_KMEANS_TILE_ROWS) {
            int64_t m = rows - r0 < RT_KMEANS_TILE_ROWS ? rows - r0 : RT_KMEANS_TILE_ROWS;
            gemm_tile_rows(c, x + r0 * stride, m, stride, label + r0, scratch);
        }
    for (int64_t i = 0; dist && i < rows; i++)
        dist[i] = rt_kmeans_sqdist(x + i * stride, c->c + (int64_t)label[i] * c->d, c->d);
}
