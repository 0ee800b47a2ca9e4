/*
** src/gen/baskets.c: the basket model (see baskets.h), after the IBM Quest
** generator (Agrawal and Srikant, "Fast algorithms for mining association
** rules", VLDB 1994, section 4.1).
**
** Catalogue: item popularity 1 / rank (Zipf, exponent 1) over a seeded
** permutation of the ids, so popular items are spread over the id range.
** Patterns: length 2 + Poisson(I - 2); as in Quest, each pattern after the
** first takes an exponentially distributed share (mean 0.5) of its items
** from the previous pattern and the rest uniformly from the catalogue;
** weights are exponential(1), normalised; each pattern has a corruption
** level c ~ N(C, (C/5)^2) clipped to [0, 0.95].
** Baskets: length L = 1 + Poisson(T - 1) (mean exactly T, capped at
** max_len). Until L distinct items are in: with probability `noise` one
** item by popularity, otherwise a pattern by weight, of which Quest's
** corruption drops items while a uniform draw stays below c; a corrupted
** pattern that overflows the basket is skipped half the time (Quest carries
** it over; baskets here are independent) and otherwise cut to a random
** subset that fits. Items are kept sorted as they go in, which also finds
** duplicates.
*/
#include "baskets.h"

#include "core/error.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_MODEL 0x9AE16A3B2F90404FULL
#define MAX_ITEMS 10000000
#define MAX_PATTERNS 1000000
#define MAX_AVG_LEN 10000.0
#define MAX_PATTERN_LEN 1000.0
#define MAX_PATTERN_IDS 5e7

struct rt_gen_baskets {
    rt_gen_baskets_params p;
    int64_t max_len;
    double *item_cdf;       /* items: cumulative popularity by id        */
    int64_t *pat_indptr;    /* patterns + 1                              */
    int32_t *pat_items;     /* sorted ids per pattern                    */
    double *pat_weight, *pat_cdf, *pat_corruption;
};

void rt_gen_baskets_params_init(rt_gen_baskets_params *p)
{
    memset(p, 0, sizeof *p);
    p->items = 1000;
    p->avg_len = 10.0;
    p->patterns = 200;
    p->pattern_len = 4.0;
    p->corruption = 0.5;
    p->noise = 0.1;
    p->seed = 42;
}

retain_status rt_gen_baskets_params_check(const rt_gen_baskets_params *p)
{
    if (p->items < 2 || p->items > MAX_ITEMS)
        return rt_error(RETAIN_ERR_USAGE, "items must be in 2..%d, got %lld", MAX_ITEMS,
                        (long long)p->items);
    double most = (double)p->items < MAX_AVG_LEN ? (double)p->items : MAX_AVG_LEN;
    if (!(p->avg_len >= 1.0 && p->avg_len <= most))
        return rt_error(RETAIN_ERR_USAGE,
                        "avg_len (mean basket length) must be in 1..%g (at most the "
                        "item count), got %g", most, p->avg_len);
    if (p->patterns < 1 || p->patterns > MAX_PATTERNS)
        return rt_error(RETAIN_ERR_USAGE, "patterns must be in 1..%d, got %lld", MAX_PATTERNS,
                        (long long)p->patterns);
    most = (double)p->items < MAX_PATTERN_LEN ? (double)p->items : MAX_PATTERN_LEN;
    if (!(p->pattern_len >= 2.0 && p->pattern_len <= most))
        return rt_error(RETAIN_ERR_USAGE,
                        "pattern_len (mean pattern length) must be in 2..%g (at most the "
                        "item count), got %g", most, p->pattern_len);
    if ((double)p->patterns * p->pattern_len > MAX_PATTERN_IDS)
        return rt_error(RETAIN_ERR_USAGE,
                        "patterns x pattern_len must be at most %g planted ids, got %lld x %g",
                        MAX_PATTERN_IDS, (long long)p->patterns, p->pattern_len);
    if (!(p->corruption >= 0.0 && p->corruption <= 0.9))
        return rt_error(RETAIN_ERR_USAGE, "corruption must be in 0..0.9, got %g",
                        p->corruption);
    if (!(p->noise >= 0.0 && p->noise <= 1.0))
        return rt_error(RETAIN_ERR_USAGE, "noise must be in 0..1, got %g", p->noise);
    return RETAIN_OK;
}

/* Inserts v into the ascending list a[0..*n); false if already there. */
static bool insert_sorted(int32_t *a, int64_t *n, int32_t v)
{
    int64_t lo = 0, hi = *n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && a[lo] == v)
        return false;
    memmove(a + lo + 1, a + lo, (size_t)(*n - lo) * sizeof *a);
    a[lo] = v;
    (*n)++;
    return true;
}

static void make_catalogue(rt_gen_baskets *g, rt_rng *rng)
{
    int64_t n = g->p.items;
    /* item_cdf doubles as scratch for the permutation's ranks. */
    for (int64_t i = 0; i < n; i++)
        g->item_cdf[i] = (double)i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rt_rng_below(rng, (uint64_t)i + 1);
        double t = g->item_cdf[i];
        g->item_cdf[i] = g->item_cdf[j];
        g->item_cdf[j] = t;
    }
    double run = 0;
    for (int64_t i = 0; i < n; i++) {
        run += 1.0 / (g->item_cdf[i] + 1.0);
        g->item_cdf[i] = run;
    }
}

/* Pattern k's items into out (sorted): a share from prev (prev_len ids),
** the rest uniform over the catalogue. */
static void fill_pattern(const rt_gen_baskets *g, rt_rng *rng, const int32_t *prev,
                         int64_t prev_len, int64_t len, int32_t *out)
{
    int64_t n = 0, from_prev = 0;
    if (prev_len > 0) {
        double share = rt_rng_exponential(rng, 2.0);
        from_prev = (int64_t)floor((share < 1.0 ? share : 1.0) * (double)len + 0.5);
        if (from_prev > prev_len)
            from_prev = prev_len;
    }
    while (n < from_prev)
        insert_sorted(out, &n, prev[rt_rng_below(rng, (uint64_t)prev_len)]);
    while (n < len)
        insert_sorted(out, &n, (int32_t)rt_rng_below(rng, (uint64_t)g->p.items));
}

static retain_status make_patterns(rt_gen_baskets *g, rt_rng *rng)
{
    int64_t np = g->p.patterns, items = g->p.items;
    g->pat_indptr[0] = 0;
    for (int64_t k = 0; k < np; k++) {
        int64_t len = 2 + rt_rng_poisson(rng, g->p.pattern_len - 2.0);
        g->pat_indptr[k + 1] = g->pat_indptr[k] + (len < items ? len : items);
    }
    g->pat_items = malloc((size_t)g->pat_indptr[np] * sizeof *g->pat_items);
    if (!g->pat_items)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld pattern items",
                        (long long)g->pat_indptr[np]);
    for (int64_t k = 0; k < np; k++) {
        const int32_t *prev = k ? g->pat_items + g->pat_indptr[k - 1] : NULL;
        int64_t prev_len = k ? g->pat_indptr[k] - g->pat_indptr[k - 1] : 0;
        fill_pattern(g, rng, prev, prev_len, g->pat_indptr[k + 1] - g->pat_indptr[k],
                     g->pat_items + g->pat_indptr[k]);
    }
    double total = 0;
    for (int64_t k = 0; k < np; k++) {
        g->pat_weight[k] = rt_rng_exponential(rng, 1.0);
        total += g->pat_weight[k];
    }
    double run = 0;
    for (int64_t k = 0; k < np; k++) {
        g->pat_weight[k] /= total;
        run += g->pat_weight[k];
        g->pat_cdf[k] = run;
        double c = g->p.corruption * (1.0 + 0.2 * rt_rng_normal(rng));
        g->pat_corruption[k] = c < 0.0 ? 0.0 : c > 0.95 ? 0.95 : c;
    }
    return RETAIN_OK;
}

retain_status rt_gen_baskets_create(const rt_gen_baskets_params *p, rt_gen_baskets **out)
{
    *out = NULL;
    retain_status s = rt_gen_baskets_params_check(p);
    if (s)
        return s;
    rt_gen_baskets *g = calloc(1, sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    g->p = *p;
    double cap = ceil(p->avg_len + 10.0 * sqrt(p->avg_len) + 20.0);
    g->max_len = cap < (double)p->items ? (int64_t)cap : p->items;
    size_t np = (size_t)p->patterns;
    g->item_cdf = malloc((size_t)p->items * sizeof *g->item_cdf);
    g->pat_indptr = malloc((np + 1) * sizeof *g->pat_indptr);
    g->pat_weight = malloc(np * sizeof *g->pat_weight);
    g->pat_cdf = malloc(np * sizeof *g->pat_cdf);
    g->pat_corruption = malloc(np * sizeof *g->pat_corruption);
    if (!g->item_cdf || !g->pat_indptr || !g->pat_weight || !g->pat_cdf ||
        !g->pat_corruption) {
        rt_gen_baskets_free(g);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the basket model");
    }
    rt_rng rng;
    rt_rng_init(&rng, p->seed, STREAM_MODEL);
    make_catalogue(g, &rng);
    if ((s = make_patterns(g, &rng))) {
        rt_gen_baskets_free(g);
        return s;
    }
    *out = g;
    return RETAIN_OK;
}

void rt_gen_baskets_free(rt_gen_baskets *g)
{
    if (!g)
        return;
    free(g->item_cdf);
    free(g->pat_indptr);
    free(g->pat_items);
    free(g->pat_weight);
    free(g->pat_cdf);
    free(g->pat_corruption);
    free(g);
}

int64_t rt_gen_baskets_max_len(const rt_gen_baskets *g) { return g->max_len; }
const int64_t *rt_gen_baskets_pattern_indptr(const rt_gen_baskets *g) { return g->pat_indptr; }
const int32_t *rt_gen_baskets_pattern_items(const rt_gen_baskets *g) { return g->pat_items; }
const double *rt_gen_baskets_pattern_weights(const rt_gen_baskets *g) { return g->pat_weight; }
const double *rt_gen_baskets_pattern_corruption(const rt_gen_baskets *g)
{
    return g->pat_corruption;
}

/* Adds a corrupted copy of pattern k, at most `room` of its items chosen
** uniformly (selection sampling keeps them in order). */
static void add_pattern(const rt_gen_baskets *g, rt_rng *rng, int64_t k, int64_t room,
                        int32_t *out, int64_t *n)
{
    const int32_t *items = g->pat_items + g->pat_indptr[k];
    int64_t m = g->pat_indptr[k + 1] - g->pat_indptr[k], keep = m;
    while (keep > 0 && rt_rng_uniform(rng) < g->pat_corruption[k])
        keep--;
    if (keep > room) {
        if (*n > 0 && rt_rng_uniform(rng) < 0.5)
            return;
        keep = room;
    }
    for (int64_t j = 0; j < m && keep > 0; j++)
        if (rt_rng_below(rng, (uint64_t)(m - j)) < (uint64_t)keep) {
            insert_sorted(out, n, items[j]);
            keep--;
        }
}

int64_t rt_gen_baskets_draw(const rt_gen_baskets *g, rt_rng *rng, int32_t *out)
{
    int64_t len = 1 + rt_rng_poisson(rng, g->p.avg_len - 1.0);
    if (len > g->max_len)
        len = g->max_len;
    int64_t n = 0, tries = 0, limit = 16 * len + 256;
    while (n < len && tries++ < limit) {
        if (rt_rng_uniform(rng) < g->p.noise)
            insert_sorted(out, &n, (int32_t)rt_rng_pick_cdf(rng, g->item_cdf, g->p.items));
        else
            add_pattern(g, rng, rt_rng_pick_cdf(rng, g->pat_cdf, g->p.patterns), len - n,
                        out, &n);
    }
    /* Only when len is close to the catalogue size: take the next free ids. */
    while (n < len) {
        int32_t v = (int32_t)rt_rng_below(rng, (uint64_t)g->p.items);
        while (!insert_sorted(out, &n, v))
            v = (int32_t)((v + 1) % g->p.items);
    }
    return n;
}

int64_t rt_gen_baskets_block(const rt_gen_baskets *g, int64_t first, int64_t count,
                             int64_t *lengths, int32_t *items)
{
    rt_rng rng;
    int64_t total = 0;
    for (int64_t i = 0; i < count; i++) {
        int64_t row = first + i;
        if (i == 0 || row % RT_GEN_BASKETS_STREAM_ROWS == 0)
            rt_rng_init(&rng, g->p.seed, (uint64_t)(row / RT_GEN_BASKETS_STREAM_ROWS));
        lengths[i] = rt_gen_baskets_draw(g, &rng, items + total);
        total += lengths[i];
    }
    return total;
}
