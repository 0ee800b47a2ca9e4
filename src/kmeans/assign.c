/*
** src/kmeans/assign.c: the nearest centroid of every row of a block, the
** rows-by-k distance matrix never stored: centroids packed once per Lloyd
** step for the nearest_centroid kernel of the dispatch table (kernels/cpu),
** a GEMM micro-kernel whose epilogue is the arg-min. It beats OpenBLAS SGEMM
** tiles followed by a separate arg-min pass at every shape measured, up to
** k 4096 and d 1024, so there is no second path. A distance asked for is
** the direct sum of squared differences, never the expansion the kernel
** ranks by. Labels do not depend on the ISA or the thread count.
*/
#include "kmeans.h"

#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <string.h>

retain_status rt_kmeans_centers_alloc(int64_t k, int64_t d, rt_kmeans_centers *out)
{
    memset(out, 0, sizeof *out);
    out->k = k;
    out->d = d;
    out->kp = rt_centroids_padded(k);
    retain_status s = retain_malloc((size_t)(k * d) * sizeof(float), (void **)&out->c);
    if (!s)
        s = retain_malloc((size_t)out->kp * sizeof(float), (void **)&out->cnorm);
    if (!s)
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
    memcpy(c->c, centers, (size_t)(c->k * c->d) * sizeof *centers);
    rt_centroids_pack(centers, c->k, c->d, c->packed, c->cnorm);
}

void rt_kmeans_centers_free(rt_kmeans_centers *c)
{
    retain_free(c->c);
    retain_free(c->packed);
    retain_free(c->cnorm);
    c->c = c->packed = c->cnorm = NULL;
}

int64_t rt_kmeans_assign_scratch_bytes(const rt_kmeans_centers *c)
{
    return RT_NEAREST_SCRATCH(c->d) * (int64_t)sizeof(float);
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

void rt_kmeans_assign_rows(const rt_kmeans_centers *c, const float *x, int64_t rows,
                           int64_t stride, int32_t *label, float *dist, void *scratch)
{
    rt_kernels_get()->nearest_centroid(x, rows, c->d, stride, c->packed, c->cnorm, c->kp,
                                       label, NULL, scratch);
    for (int64_t i = 0; dist && i < rows; i++)
        dist[i] = rt_kmeans_sqdist(x + i * stride, c->c + (int64_t)label[i] * c->d, c->d);
}
