/*
** src/core/sort.c: the radix sort of sort.h. Each pass counts one byte,
** turns counts into offsets and scatters into the other buffer; the result
** ends in the caller's arrays.
*/
#include "sort.h"

#include "core/error.h"

#include <stdlib.h>

retain_status rt_sort_u64(uint64_t *keys, int64_t *vals, int64_t n)
{
    if (n < 2)
        return RETAIN_OK;
    uint64_t differ = 0;
    for (int64_t i = 1; i < n; i++)
        differ |= keys[i] ^ keys[0];
    uint64_t *k2 = malloc((size_t)n * sizeof *k2);
    int64_t *v2 = vals ? malloc((size_t)n * sizeof *v2) : NULL;
    if (!k2 || (vals && !v2)) {
        free(k2);
        free(v2);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory to sort %lld values",
                        (long long)n);
    }
    uint64_t *ks = keys, *kd = k2;
    int64_t *vs = vals, *vd = v2;
    for (int shift = 0; shift < 64; shift += 8) {
        if (!((differ >> shift) & 0xFF))
            continue;
        int64_t at[256] = {0};
        for (int64_t i = 0; i < n; i++)
            at[(ks[i] >> shift) & 0xFF]++;
        int64_t sum = 0;
        for (int b = 0; b < 256; b++) {
            int64_t c = at[b];
            at[b] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t to = at[(ks[i] >> shift) & 0xFF]++;
            kd[to] = ks[i];
            if (vals)
                vd[to] = vs[i];
        }
        uint64_t *kt = ks;
        ks = kd;
        kd = kt;
        int64_t *vt = vs;
        vs = vd;
        vd = vt;
    }
    if (ks != keys) {
        memcpy(keys, ks, (size_t)n * sizeof *keys);
        if (vals)
            memcpy(vals, vs, (size_t)n * sizeof *vals);
    }
    free(k2);
    free(v2);
    return RETAIN_OK;
}
