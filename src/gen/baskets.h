/*
** src/gen/baskets.h: synthetic market baskets with planted frequent
** patterns, after the IBM Quest generator (Agrawal and Srikant, VLDB 1994).
** A model holds the item catalogue (Zipf-like popularity), the planted
** patterns (weights, corruption levels) and draws baskets from them. Baskets
** come in blocks from per-block random streams, so any block can be made on
** any thread with the same bits; one basket can also be drawn from a
** caller's stream (the purchase-log generator does this per order). Nothing
** here touches files; `retain gen baskets` writes the blocks.
*/
#ifndef RT_GEN_BASKETS_H
#define RT_GEN_BASKETS_H

#include "retain.h"

#include "core/rng.h"

#include <stdint.h>

/* Baskets per random stream; blocks passed to rt_gen_baskets_block start on
** a multiple of this. */
#define RT_GEN_BASKETS_STREAM_ROWS 4096

typedef struct rt_gen_baskets_params {
    int64_t items;       /* catalogue size, ids 0..items-1                 */
    double avg_len;      /* mean basket length T, >= 1                     */
    int64_t patterns;    /* planted patterns P, >= 1                       */
    double pattern_len;  /* mean pattern length I, >= 2                    */
    double corruption;   /* mean per-pattern corruption level, in [0, 0.9] */
    double noise;        /* share of picks that are single random items    */
    uint64_t seed;
} rt_gen_baskets_params;

void rt_gen_baskets_params_init(rt_gen_baskets_params *p);
/* Checks ranges; the message names the bad field. */
retain_status rt_gen_baskets_params_check(const rt_gen_baskets_params *p);

typedef struct rt_gen_baskets rt_gen_baskets;

retain_status rt_gen_baskets_create(const rt_gen_baskets_params *p, rt_gen_baskets **out);
void rt_gen_baskets_free(rt_gen_baskets *g);

/* Longest basket the model makes: min(items, T + 10 sqrt(T) + 20). Buffers
** for one basket need this many ids. */
int64_t rt_gen_baskets_max_len(const rt_gen_baskets *g);

/* The planted patterns as CSR: pattern k holds item ids (sorted)
** indices[indptr[k] .. indptr[k+1]); weight[k] (summing to 1) is its share
** of pattern picks, corruption[k] its chance of losing each further item. */
const int64_t *rt_gen_baskets_pattern_indptr(const rt_gen_baskets *g);
const int32_t *rt_gen_baskets_pattern_items(const rt_gen_baskets *g);
const double *rt_gen_baskets_pattern_weights(const rt_gen_baskets *g);
const double *rt_gen_baskets_pattern_corruption(const rt_gen_baskets *g);

/* One basket from rng into out (room for rt_gen_baskets_max_len ids):
** distinct item ids in ascending order. Returns its length (>= 1). */
int64_t rt_gen_baskets_draw(const rt_gen_baskets *g, rt_rng *rng, int32_t *out);

/* Baskets [first, first + count), first a multiple of
** RT_GEN_BASKETS_STREAM_ROWS: lengths[i] per basket, ids packed one basket
** after another into items (room for count * max_len). Returns the number
** of ids written. */
int64_t rt_gen_baskets_block(const rt_gen_baskets *g, int64_t first, int64_t count,
                             int64_t *lengths, int32_t *items);

#endif
