/*
** src/core/memo.h: a small cache of a pure function of one or two doubles,
** for loops over millions of rows whose inputs repeat (times in whole
** days, counts): the arguments' bits hash to a set of two slots, each
** keeping the arguments it last saw and up to two values computed from
** them; a lookup that finds neither is a miss the caller fills (the older
** slot of the set makes room). A hit returns what a miss would compute, so
** results do not depend on what the cache held: one memo per thread, and
** the same bits for any thread count.
*/
#ifndef RT_CORE_MEMO_H
#define RT_CORE_MEMO_H

#include "retain.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct rt_memo_slot {
    uint64_t u, v;   /* the arguments' bits; u = RT_MEMO_EMPTY: nothing yet */
    double value[2];
} rt_memo_slot;

typedef struct rt_memo {
    rt_memo_slot *slots;
    int shift; /* 64 - log2(sets of two slots) */
} rt_memo;

/* The bits of a NaN no arithmetic produces: an empty slot's first key
** (arguments with these bits are never cached: rt_memo_find misses). */
#define RT_MEMO_EMPTY 0x7FF4000000000DEAULL

/* A memo of 2^bits slots (32 bytes each, 2 <= bits <= 40). RETAIN_ERR_INTERNAL
** when out of memory. */
retain_status rt_memo_init(rt_memo *m, int bits);
void rt_memo_free(rt_memo *m);

/* The slot of (u, v) (v 0 for a function of one argument); *hit whether it
** holds their values. On a miss the caller computes them into the slot
** returned and calls rt_memo_fill. */
static inline rt_memo_slot *rt_memo_find(const rt_memo *m, double u, double v, bool *hit)
{
    uint64_t bu, bv;
    memcpy(&bu, &u, sizeof bu);
    memcpy(&bv, &v, sizeof bv);
    uint64_t h = ((bu * 0x9E3779B97F4A7C15ULL) ^ bv) * 0xBF58476D1CE4E5B9ULL;
    rt_memo_slot *set = &m->slots[2 * (h >> m->shift)];
    /* Which slot holds a key is as good as random, so the slot is picked
    ** without a branch (the second if it holds the key, else the first)
    ** and only a miss, rare once warm, branches. */
    uint64_t second = (set[1].u == bu) & (set[1].v == bv);
    rt_memo_slot *slot = &set[second];
    *hit = slot->u == bu && slot->v == bv && bu != RT_MEMO_EMPTY;
    if (*hit)
        return slot;
    set[1] = set[0];
    return &set[0];
}

static inline void rt_memo_fill(rt_memo_slot *s, double u, double v)
{
    memcpy(&s->u, &u, sizeof s->u);
    memcpy(&s->v, &v, sizeof s->v);
}

#endif
