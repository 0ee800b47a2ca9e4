/*
** src/kmeans/distinct.c: how many distinct rows the data has, counted only
** up to the number of segments asked for: k-means refuses k above it (a
** segment would have no point of its own). Rows go into an open-addressing
** hash set of row indices sized for `limit`, so memory is O(k) and the scan
** stops as soon as `limit` distinct rows are seen. Under MPI each rank
** sends its first `limit` distinct rows and they are counted together.
*/
#include "kmeans.h"

#include "core/dist.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t row_hash(const float *row, int64_t d)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int64_t j = 0; j < d; j++) {
        float v = row[j] == 0.0f ? 0.0f : row[j]; /* -0 and +0 are one value */
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        h = (h ^ bits) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 29;
    }
    return h;
}

static bool rows_equal(const float *a, const float *b, int64_t d)
{
    for (int64_t j = 0; j < d; j++)
        if (a[j] != b[j])
            return false;
    return true;
}

/* Distinct rows of x (of positive weight), up to limit: their number, and
** their indices into first[0..count) when first is not NULL. */
static retain_status count_rows(const rt_kmeans_data *x, int64_t limit, int64_t *first,
                                int64_t *out)
{
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)limit)
        cap *= 2;
    int64_t *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory counting distinct rows");
    memset(slot, 0xff, cap * sizeof *slot); /* -1: empty */
    int64_t count = 0;
    for (int64_t i = 0; i < x->n && count < limit; i++) {
        if (x->w && !(x->w[i] > 0))
            continue;
        const float *row = x->z + i * x->stride;
        uint64_t h = row_hash(row, x->d) & (cap - 1);
        while (slot[h] >= 0 && !rows_equal(x->z + slot[h] * x->stride, row, x->d))
            h = (h + 1) & (cap - 1);
        if (slot[h] < 0) {
            slot[h] = i;
            if (first)
                first[count] = i;
            count++;
        }
    }
    free(slot);
    *out = count;
    return RETAIN_OK;
}

retain_status rt_kmeans_count_distinct(const rt_kmeans_data *x, int64_t limit, int64_t *out)
{
    int ranks = rt_dist_size();
    if (ranks == 1)
        return count_rows(x, limit, NULL, out);
    /* under MPI: each rank's first distinct rows (count, then the rows),
    ** gathered and counted again together */
    int64_t d = x->d, width = 1 + limit * d, count = 0;
    int64_t *first = malloc((size_t)limit * sizeof *first);
    double *mine = malloc((size_t)(width * (ranks + 1)) * sizeof *mine);
    float *rows = malloc((size_t)(limit * d * ranks) * sizeof *rows);
    retain_status s = first && mine && rows ? RETAIN_OK
                                            : rt_error(RETAIN_ERR_INTERNAL, "out of memory "
                                                       "counting distinct rows");
    if (!s && !(s = count_rows(x, limit, first, &count))) {
        mine[0] = (double)count;
        for (int64_t t = 0; t < count; t++)
            for (int64_t j = 0; j < d; j++)
                mine[1 + t * d + j] = x->z[first[t] * x->stride + j];
    }
    double *all = mine ? mine + width : NULL;
    if (!(s = rt_dist_allgather_f64(s, mine, width, all))) {
        int64_t n = 0;
        for (int r = 0; r < ranks; r++)
            for (int64_t v = 0; v < (int64_t)all[r * width] * d; v++)
                rows[n++] = (float)all[r * width + 1 + v];
        rt_kmeans_data together = {rows, n / d, d, d, NULL};
        s = count_rows(&together, limit, NULL, out);
    }
    free(first);
    free(mine);
    free(rows);
    return s;
}
