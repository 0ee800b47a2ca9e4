/*
** src/kmeans/distinct.c: how many distinct rows the data has, counted only
** up to the number of segments asked for: k-means refuses k above it (a
** segment would have no point of its own). Rows go into an open-addressing
** hash set of row indices sized for `limit`, so memory is O(k) and the scan
** stops as soon as `limit` distinct rows are seen.
*/
#include "kmeans.h"

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

retain_status rt_kmeans_count_distinct(const rt_kmeans_data *x, int64_t limit, int64_t *out)
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
            count++;
        }
    }
    free(slot);
    *out = count;
    return RETAIN_OK;
}
