/*
** src/core/sort.h: a stable LSD radix sort of 64-bit keys with an optional
** int64 payload, 8 bits a pass, skipping bytes all keys share; and the
** key transforms that make unsigned order the order of doubles and of
** signed integers. Several times faster than qsort on the millions of
** per-user values the log modules rank.
*/
#ifndef RT_CORE_SORT_H
#define RT_CORE_SORT_H

#include "retain.h"

#include <stdint.h>
#include <string.h>

/* Sorts keys[0..n) ascending, moving vals (may be NULL) along. */
retain_status rt_sort_u64(uint64_t *keys, int64_t *vals, int64_t n);

/* Order-preserving keys: a < b exactly when key(a) < key(b) (no NaN). */
static inline uint64_t rt_sort_key_f64(double v)
{
    uint64_t u;
    v = v == 0 ? 0.0 : v; /* -0 and +0 tie */
    memcpy(&u, &v, sizeof u);
    return u >> 63 ? ~u : u | (1ULL << 63);
}

static inline uint64_t rt_sort_key_i64(int64_t v) { return (uint64_t)v ^ (1ULL << 63); }

#endif
