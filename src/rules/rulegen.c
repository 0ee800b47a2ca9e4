/*
** src/rules/rulegen.c: association rules from frequent itemsets (Agrawal
** and Srikant, VLDB 1994): every split of every itemset X of two or more
** items into a non-empty antecedent A and consequent C = X \ A, the
** supports of A and C looked up in the itemset index. Thresholds on any
** measure and limits on the sizes of A and C filter them. Itemsets are
** taken in blocks over threads, each block into its own buffer, and the
** blocks joined in order before the sort, whose ties fall back on itemset
** and consequent, so the result is the same for any thread count.
*/
#include "rules.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SETS 2048

void rt_rule_params_init(rt_rule_params *p)
{
    for (int i = 0; i < RT_METRIC_COUNT; i++)
        p->min[i] = -INFINITY;
    p->max_antecedent = 0;
    p->max_consequent = 0;
    p->sort_by = RT_METRIC_LIFT;
    p->max_rules = 100000000;
    p->max_bytes = 0;
}

typedef struct block {
    rt_rule *rules;
    int64_t count, cap;
} block;

static bool block_add(block *b, const rt_rule *r)
{
    if (b->count == b->cap) {
        int64_t cap = b->cap ? b->cap * 2 : 256;
        rt_rule *more = realloc(b->rules, (size_t)cap * sizeof *more);
        if (!more)
            return false;
        b->rules = more;
        b->cap = cap;
    }
    b->rules[b->count++] = *r;
    return true;
}

/* Rules of itemset i into b; false when out of memory. */
static bool itemset_rules(const rt_itemsets *s, const rt_itemset_index *ix, int64_t n,
                          const rt_rule_params *p, int64_t i, block *b)
{
    int64_t len = s->off[i + 1] - s->off[i];
    const int32_t *x = s->codes + s->off[i];
    int32_t a[RT_RULES_MAX_ITEMSET_LEN], c[RT_RULES_MAX_ITEMSET_LEN];
    uint32_t full = (1u << len) - 1;
    for (uint32_t cm = 1; cm < full; cm++) {
        int64_t nc = __builtin_popcount(cm), na = len - nc;
        if ((p->max_consequent && nc > p->max_consequent) ||
            (p->max_antecedent && na > p->max_antecedent))
            continue;
        int64_t ka = 0, kc = 0;
        for (int64_t k = 0; k < len; k++) {
            if (cm >> k & 1)
                c[kc++] = x[k];
            else
                a[ka++] = x[k];
        }
        int64_t ia = rt_itemset_index_find(ix, a, ka), ic = rt_itemset_index_find(ix, c, kc);
        if (ia < 0 || ic < 0)
            continue; /* cannot happen when s holds every frequent itemset */
        rt_rule_measures m;
        rt_rule_measures_compute(s->support[i], s->support[ia], s->support[ic], n, &m);
        bool keep = true;
        for (int t = 0; keep && t < RT_METRIC_COUNT; t++)
            keep = rt_rule_measure(&m, (rt_rule_metric)t) >= p->min[t];
        if (!keep)
            continue;
        rt_rule r = {i, s->support[ia], s->support[ic], rt_rule_measure(&m, p->sort_by), cm};
        if (!block_add(b, &r))
            return false;
    }
    return true;
}

/* Sort entries: a rule's key and its place in generation order, which is
** itemset order, then consequent mask: the tie-break, so sorting these
** 16-byte pairs and gathering gives the order by_key promises. */
typedef struct keyed {
    double key;
    int64_t at;
} keyed;

static int by_key_desc(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? 1 : -1;
    return (a->at > b->at) - (a->at < b->at);
}

/* Sorts r by key descending, ties in generation order. */
static retain_status sort_rules(rt_rules *r)
{
    keyed *k = malloc((size_t)(r->count ? r->count : 1) * sizeof *k);
    rt_rule *sorted = malloc((size_t)(r->count ? r->count : 1) * sizeof *sorted);
    if (!k || !sorted) {
        free(k);
        free(sorted);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory sorting %lld rules",
                        (long long)r->count);
    }
    for (int64_t i = 0; i < r->count; i++)
        k[i] = (keyed){isnan(r->rules[i].key) ? -INFINITY : r->rules[i].key, i};
    qsort(k, (size_t)r->count, sizeof *k, by_key_desc);
    for (int64_t i = 0; i < r->count; i++)
        sorted[i] = r->rules[k[i].at];
    free(k);
    free(r->rules);
    r->rules = sorted;
    return RETAIN_OK;
}

retain_status rt_rules_generate(const rt_itemsets *s, const rt_itemset_index *ix,
                                int64_t n_baskets, const rt_rule_params *p, rt_rules *out)
{
    memset(out, 0, sizeof *out);
    for (int64_t i = 0; i < s->count; i++)
        if (s->off[i + 1] - s->off[i] > RT_RULES_MAX_ITEMSET_LEN)
            return rt_error(RETAIN_ERR_DATA,
                            "an itemset of %lld items would make 2^%lld rules; rules are made "
                            "from itemsets of at most %d items: set --max-len %d or lower, "
                            "or raise --min-support",
                            (long long)(s->off[i + 1] - s->off[i]),
                            (long long)(s->off[i + 1] - s->off[i]), RT_RULES_MAX_ITEMSET_LEN,
                            RT_RULES_MAX_ITEMSET_LEN);
    int64_t nblocks = (s->count + BLOCK_SETS - 1) / BLOCK_SETS, total = 0;
    block *blocks = calloc((size_t)(nblocks ? nblocks : 1), sizeof *blocks);
    if (!blocks)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for rules");
    volatile int oom = 0, over = 0;
#pragma omp parallel for schedule(dynamic, 1) if (nblocks > 1)
    for (int64_t bi = 0; bi < nblocks; bi++) {
        int64_t end = (bi + 1) * BLOCK_SETS < s->count ? (bi + 1) * BLOCK_SETS : s->count;
        for (int64_t i = bi * BLOCK_SETS; i < end && !oom && !over; i++) {
            int64_t before = blocks[bi].count, t;
            if (s->off[i + 1] - s->off[i] >= 2 && !itemset_rules(s, ix, n_baskets, p, i, &blocks[bi]))
                oom = 1;
#pragma omp atomic capture
            t = total += blocks[bi].count - before;
            if (t > p->max_rules || (p->max_bytes > 0 && t > p->max_bytes / RT_RULE_BYTES))
                over = 1;
        }
    }
    retain_status st = RETAIN_OK;
    if (oom)
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory for rules; raise --min-confidence "
                      "or --min-support");
    else if (over && total <= p->max_rules)
        st = rt_error(RETAIN_ERR_DATA,
                      "the %lld rules found when generation stopped would take %.1f GiB, a "
                      "quarter of the memory available; raise --min-confidence (or another "
                      "threshold) or --min-support",
                      (long long)total, (double)total * RT_RULE_BYTES / (1 << 30));
    else if (over)
        st = rt_error(RETAIN_ERR_DATA,
                      "more than --max-rules %lld rules (%lld found when generation stopped); "
                      "raise --min-confidence (or another threshold) or --max-rules",
                      (long long)p->max_rules, (long long)total);
    else if (!(out->rules = malloc((size_t)(total ? total : 1) * sizeof *out->rules)))
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld rules", (long long)total);
    for (int64_t bi = 0; bi < nblocks; bi++) {
        if (!st && blocks[bi].count) {
            memcpy(out->rules + out->count, blocks[bi].rules,
                   (size_t)blocks[bi].count * sizeof *out->rules);
            out->count += blocks[bi].count;
        }
        free(blocks[bi].rules);
    }
    free(blocks);
    if (st) {
        rt_rules_free(out);
        return st;
    }
    if ((st = sort_rules(out)))
        rt_rules_free(out);
    return st;
}

void rt_rules_free(rt_rules *r)
{
    free(r->rules);
    memset(r, 0, sizeof *r);
}
