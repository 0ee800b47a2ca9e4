/*
** src/rules/index.c: finding an itemset's support by its items: a hash
** table over the code sequences of rt_itemsets (open addressing, kept at
** most half full). Rule generation looks up antecedents and consequents
** here; the closed and maximal filters look up each itemset's subsets one
** item shorter.
*/
#include "rules.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_codes(const int32_t *c, int64_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)len;
    for (int64_t i = 0; i < len; i++) {
        h ^= (uint32_t)c[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

retain_status rt_itemset_index_build(const rt_itemsets *s, rt_itemset_index *out)
{
    memset(out, 0, sizeof *out);
    int64_t n = 1024;
    while (n < 2 * s->count)
        n *= 2;
    out->slots = calloc((size_t)n, sizeof *out->slots);
    if (!out->slots)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory indexing %lld itemsets",
                        (long long)s->count);
    out->sets = s;
    out->nslots = n;
    uint64_t mask = (uint64_t)n - 1;
    for (int64_t i = 0; i < s->count; i++) {
        uint64_t k = hash_codes(s->codes + s->off[i], s->off[i + 1] - s->off[i]) & mask;
        while (out->slots[k])
            k = (k + 1) & mask;
        out->slots[k] = i + 1;
    }
    return RETAIN_OK;
}

void rt_itemset_index_free(rt_itemset_index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

int64_t rt_itemset_index_find(const rt_itemset_index *ix, const int32_t *codes, int64_t len)
{
    const rt_itemsets *s = ix->sets;
    uint64_t mask = (uint64_t)ix->nslots - 1;
    for (uint64_t k = hash_codes(codes, len) & mask; ix->slots[k]; k = (k + 1) & mask) {
        int64_t i = ix->slots[k] - 1;
        if (s->off[i + 1] - s->off[i] == len &&
            memcmp(s->codes + s->off[i], codes, (size_t)len * sizeof *codes) == 0)
            return i;
    }
    return -1;
}

retain_status rt_itemsets_filter(rt_itemsets *s, rt_itemset_target target)
{
    if (target == RT_ITEMSETS_ALL)
        return RETAIN_OK;
    rt_itemset_index ix;
    retain_status st = rt_itemset_index_build(s, &ix);
    if (st)
        return st;
    uint8_t *drop = calloc((size_t)(s->count ? s->count : 1), 1);
    int32_t *sub = malloc((size_t)(s->max_len + 1) * sizeof *sub);
    if (!drop || !sub) {
        free(drop);
        free(sub);
        rt_itemset_index_free(&ix);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory filtering itemsets");
    }
    for (int64_t i = 0; i < s->count; i++) {
        int64_t len = s->off[i + 1] - s->off[i];
        const int32_t *c = s->codes + s->off[i];
        for (int64_t skip = 0; len >= 2 && skip < len; skip++) {
            int64_t m = 0;
            for (int64_t k = 0; k < len; k++)
                if (k != skip)
                    sub[m++] = c[k];
            int64_t j = rt_itemset_index_find(&ix, sub, len - 1);
            if (j >= 0 && (target == RT_ITEMSETS_MAXIMAL || s->support[j] == s->support[i]))
                drop[j] = 1;
        }
    }
    int64_t w = 0, at = 0;
    for (int64_t i = 0; i < s->count; i++) {
        if (drop[i])
            continue;
        int64_t len = s->off[i + 1] - s->off[i];
        memmove(s->codes + at, s->codes + s->off[i], (size_t)len * sizeof *s->codes);
        s->support[w] = s->support[i];
        s->off[w] = at;
        at += len;
        w++;
    }
    s->off[w] = at;
    s->count = w;
    free(drop);
    free(sub);
    rt_itemset_index_free(&ix);
    return RETAIN_OK;
}
