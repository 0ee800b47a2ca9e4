/*
** src/rules/recommend.c: recommendations from rules. Rules with the same
** antecedent form a group, and an index files each group under one item of
** its antecedent: the one that opens the fewest antecedents, so lists stay
** short. For a basket, the groups filed under its items are looked at,
** once each; a group applies when every item of its antecedent is in the
** basket, and each consequent item of its rules not in the basket keeps the
** best score of the rules that name it. Work per basket is the groups filed
** under its items, not the number of rules.
*/
#define _GNU_SOURCE /* qsort_r: sort rule numbers by their antecedents */
#include "rules.h"

#include "core/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int same_antecedent(const rt_rule_table *t, int64_t x, int64_t y)
{
    int64_t lx = t->a_ptr[x + 1] - t->a_ptr[x], ly = t->a_ptr[y + 1] - t->a_ptr[y];
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return memcmp(t->a + t->a_ptr[x], t->a + t->a_ptr[y], (size_t)lx * sizeof *t->a);
}

/* Rules in order of antecedent, then rule number. */
static int by_antecedent(const void *pa, const void *pb, void *ctx)
{
    int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;
    int c = same_antecedent(ctx, x, y);
    return c ? c : (x > y) - (x < y);
}

retain_status rt_recommender_build(const rt_rule_table *t, rt_recommender *out)
{
    memset(out, 0, sizeof *out);
    out->t = t;
    int64_t nr = t->n_rules;
    int64_t *opens = calloc((size_t)t->n_items + 1, sizeof *opens);
    int32_t *key = malloc((size_t)(nr ? nr : 1) * sizeof *key);
    out->ptr = calloc((size_t)t->n_items + 2, sizeof *out->ptr);
    out->groups = malloc((size_t)(nr ? nr : 1) * sizeof *out->groups);
    out->gptr = malloc((size_t)(nr + 1) * sizeof *out->gptr);
    out->rules = malloc((size_t)(nr ? nr : 1) * sizeof *out->rules);
    if (!opens || !key || !out->ptr || !out->groups || !out->gptr || !out->rules) {
        free(opens);
        free(key);
        rt_recommender_free(out);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory indexing %lld rules", (long long)nr);
    }
    for (int64_t r = 0; r < nr; r++)
        out->rules[r] = r;
    qsort_r(out->rules, (size_t)nr, sizeof *out->rules, by_antecedent, (void *)t);
    for (int64_t k = 0; k < nr; k++)
        if (k == 0 || same_antecedent(t, out->rules[k], out->rules[k - 1]))
            out->gptr[out->n_groups++] = k;
    out->gptr[out->n_groups] = nr;
    /* key[g]: the antecedent item of group g that opens the fewest groups */
    for (int64_t g = 0; g < out->n_groups; g++) {
        int64_t r = out->rules[out->gptr[g]];
        for (int64_t k = t->a_ptr[r]; k < t->a_ptr[r + 1]; k++)
            opens[t->a[k]]++;
    }
    for (int64_t g = 0; g < out->n_groups; g++) {
        int64_t r = out->rules[out->gptr[g]];
        key[g] = t->a[t->a_ptr[r]];
        for (int64_t k = t->a_ptr[r] + 1; k < t->a_ptr[r + 1]; k++)
            if (opens[t->a[k]] < opens[key[g]])
                key[g] = t->a[k];
        out->ptr[key[g] + 2]++;
    }
    for (int64_t i = 0; i < t->n_items; i++)
        out->ptr[i + 2] += out->ptr[i + 1];
    for (int64_t g = 0; g < out->n_groups; g++)
        out->groups[out->ptr[key[g] + 1]++] = g;
    free(opens);
    free(key);
    return RETAIN_OK;
}

void rt_recommender_free(rt_recommender *r)
{
    free(r->ptr);
    free(r->groups);
    free(r->gptr);
    free(r->rules);
    memset(r, 0, sizeof *r);
}

retain_status rt_recommend_scratch_init(const rt_recommender *r, rt_recommend_scratch *s)
{
    const rt_rule_table *t = r->t;
    memset(s, 0, sizeof *s);
    s->stamp = calloc((size_t)t->n_items + 1, sizeof *s->stamp);
    s->best = calloc((size_t)t->n_items + 1, sizeof *s->best);
    s->cand = malloc(((size_t)t->n_items + 1) * sizeof *s->cand);
    s->sorted = malloc(((size_t)t->n_items + 1) * sizeof *s->sorted);
    if (!s->stamp || !s->best || !s->cand || !s->sorted) {
        rt_recommend_scratch_free(s);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for recommendations");
    }
    return RETAIN_OK;
}

void rt_recommend_scratch_free(rt_recommend_scratch *s)
{
    free(s->stamp);
    free(s->best);
    free(s->cand);
    free(s->sorted);
    memset(s, 0, sizeof *s);
}

static int by_score(const void *pa, const void *pb)
{
    const rt_recommendation *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return (a->item > b->item) - (a->item < b->item);
}

int64_t rt_recommend(const rt_recommender *r, rt_recommend_scratch *s, const int32_t *basket,
                     int64_t len, int64_t top, rt_recommendation *out)
{
    const rt_rule_table *t = r->t;
    int64_t stamp = ++s->basket, nc = 0;
    for (int64_t k = 0; k < len; k++)
        if (basket[k] >= 0 && basket[k] < t->n_items)
            s->stamp[basket[k]] = stamp;
    for (int64_t k = 0; k < len; k++) {
        int32_t i = basket[k];
        if (i < 0 || i >= t->n_items || s->stamp[i] != stamp)
            continue;
        s->stamp[i] = -stamp; /* in the basket, its rules seen */
        for (int64_t q = r->ptr[i]; q < r->ptr[i + 1]; q++) {
            int64_t g = r->groups[q], first = r->rules[r->gptr[g]];
            bool applies = true;
            for (int64_t j = t->a_ptr[first]; applies && j < t->a_ptr[first + 1]; j++)
                applies = s->stamp[t->a[j]] == stamp || s->stamp[t->a[j]] == -stamp;
            for (int64_t m = r->gptr[g]; applies && m < r->gptr[g + 1]; m++) {
                int64_t rule = r->rules[m];
                for (int64_t j = t->c_ptr[rule]; j < t->c_ptr[rule + 1]; j++) {
                    int32_t c = t->c[j];
                    if (s->stamp[c] == stamp || s->stamp[c] == -stamp)
                        continue;
                    int64_t b = s->best[c] - 1;
                    if (b < 0)
                        s->cand[nc++] = c;
                    if (b < 0 || t->score[rule] > t->score[b] ||
                        (t->score[rule] == t->score[b] && rule < b))
                        s->best[c] = rule + 1;
                }
            }
        }
    }
    for (int64_t k = 0; k < nc; k++) {
        int32_t c = s->cand[k];
        int64_t b = s->best[c] - 1;
        s->best[c] = 0;
        s->sorted[k] = (rt_recommendation){c, t->score[b], b};
    }
    qsort(s->sorted, (size_t)nc, sizeof *s->sorted, by_score);
    int64_t n = nc < top ? nc : top;
    memcpy(out, s->sorted, (size_t)n * sizeof *out);
    return n;
}
