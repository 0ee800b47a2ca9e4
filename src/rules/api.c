/*
** src/rules/api.c: the public association-rules API of include/retain.h
** over the module's parts: checks the baskets and drops repeats, recodes
** (items.c), mines (eclat.c), generates rules (rulegen.c), and keeps the
** itemsets and the rules' two sides as item ids, so accessors hand out
** pointers into the result.
*/
#include "rules.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct retain_rules_result {
    int64_t n_baskets;
    int64_t n_sets;
    int64_t *set_off;    /* n_sets + 1 offsets into set_items */
    int32_t *set_items;  /* item ids, most frequent first     */
    int64_t *set_count;
    int64_t n_rules;
    int64_t *side_off;   /* 2 n_rules + 1: antecedent, consequent, ... */
    int32_t *side_items;
    int64_t *rule_count;
    rt_rule_measures *measures;
};

void retain_rules_params_init(retain_rules_params *p)
{
    memset(p, 0, sizeof *p);
    p->min_support = 0.01;
    p->max_itemsets = 50000000;
    p->min_confidence = 0.8;
    p->min_lift = p->min_leverage = p->min_conviction = p->min_zhang = -INFINITY;
    p->sort_by = RETAIN_METRIC_LIFT;
    p->max_rules = 100000000;
}

retain_status retain_rules_params_check(const retain_rules_params *p)
{
    if (!p)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_params_check: params is NULL");
    if (p->min_count < 0)
        return rt_error(RETAIN_ERR_USAGE, "min_count must be >= 0 (0: use min_support)");
    if (p->min_count == 0 && !(p->min_support > 0 && p->min_support <= 1))
        return rt_error(RETAIN_ERR_USAGE, "min_support must be in (0, 1], got %g",
                        p->min_support);
    if (!(p->min_confidence >= 0 && p->min_confidence <= 1))
        return rt_error(RETAIN_ERR_USAGE, "min_confidence must be in [0, 1], got %g",
                        p->min_confidence);
    if (isnan(p->min_lift) || isnan(p->min_leverage) || isnan(p->min_conviction) ||
        isnan(p->min_zhang))
        return rt_error(RETAIN_ERR_USAGE,
                        "min_lift, min_leverage, min_conviction and min_zhang must be numbers "
                        "(-INFINITY for none)");
    if (p->max_len < 0 || p->max_antecedent < 0 || p->max_consequent < 0)
        return rt_error(RETAIN_ERR_USAGE,
                        "max_len, max_antecedent and max_consequent must be >= 0 (0: no limit)");
    if (p->max_itemsets < 1 || p->max_rules < 1)
        return rt_error(RETAIN_ERR_USAGE, "max_itemsets and max_rules must be >= 1");
    if (p->sort_by < RETAIN_METRIC_SUPPORT || p->sort_by > RETAIN_METRIC_ZHANG)
        return rt_error(RETAIN_ERR_USAGE, "sort_by must be a retain_rule_metric");
    return RETAIN_OK;
}

/* A checked copy of b without repeats within a basket. */
static retain_status clean_baskets(const retain_baskets *b, int64_t **indptr, int32_t **items)
{
    if (!b->indptr || (!b->items && b->n > 0 && b->indptr[b->n] > 0) || b->n < 1 ||
        b->n_items < 0 || b->n_items > INT32_MAX)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_mine: baskets need n >= 1, indptr, "
                        "items and 0 <= n_items <= 2^31 - 1");
    if (b->indptr[0] != 0)
        return rt_error(RETAIN_ERR_DATA, "baskets: indptr[0] is %lld, not 0",
                        (long long)b->indptr[0]);
    for (int64_t i = 0; i < b->n; i++)
        if (b->indptr[i + 1] < b->indptr[i])
            return rt_error(RETAIN_ERR_DATA, "baskets: indptr decreases at basket %lld",
                            (long long)i);
    int64_t pairs = b->indptr[b->n];
    int64_t *stamp = calloc((size_t)b->n_items + 1, sizeof *stamp);
    *indptr = malloc((size_t)(b->n + 1) * sizeof **indptr);
    *items = malloc((size_t)(pairs ? pairs : 1) * sizeof **items);
    if (!stamp || !*indptr || !*items) {
        free(stamp);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory copying %lld baskets",
                        (long long)b->n);
    }
    int64_t w = 0;
    (*indptr)[0] = 0;
    for (int64_t i = 0; i < b->n; i++) {
        for (int64_t k = b->indptr[i]; k < b->indptr[i + 1]; k++) {
            int32_t id = b->items[k];
            if (id < 0 || id >= b->n_items) {
                free(stamp);
                return rt_error(RETAIN_ERR_DATA, "baskets: basket %lld holds item %d, outside "
                                "[0, n_items = %lld)", (long long)i, id, (long long)b->n_items);
            }
            if (stamp[id] != i + 1) {
                stamp[id] = i + 1;
                (*items)[w++] = id;
            }
        }
        (*indptr)[i + 1] = w;
    }
    free(stamp);
    return RETAIN_OK;
}

/* Itemsets as item ids, most frequent (lowest code) first. */
static retain_status keep_itemsets(const rt_recoded *rc, const rt_itemsets *s,
                                   retain_rules_result *r)
{
    r->n_sets = s->count;
    r->set_off = malloc((size_t)(s->count + 1) * sizeof *r->set_off);
    r->set_items = malloc((size_t)(s->off[s->count] ? s->off[s->count] : 1) *
                          sizeof *r->set_items);
    r->set_count = malloc((size_t)(s->count ? s->count : 1) * sizeof *r->set_count);
    if (!r->set_off || !r->set_items || !r->set_count)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld itemsets",
                        (long long)s->count);
    memcpy(r->set_off, s->off, (size_t)(s->count + 1) * sizeof *r->set_off);
    if (s->count)
        memcpy(r->set_count, s->support, (size_t)s->count * sizeof *r->set_count);
    for (int64_t i = 0; i < s->count; i++)
        for (int64_t k = s->off[i], e = s->off[i + 1]; k < e; k++)
            r->set_items[k] = rc->code_item[s->codes[s->off[i] + e - 1 - k]];
    return RETAIN_OK;
}

static retain_status keep_rules(const rt_recoded *rc, const rt_itemsets *s, const rt_rules *rl,
                                retain_rules_result *r)
{
    int64_t total = 0;
    for (int64_t i = 0; i < rl->count; i++)
        total += s->off[rl->rules[i].itemset + 1] - s->off[rl->rules[i].itemset];
    r->n_rules = rl->count;
    r->side_off = malloc((size_t)(2 * rl->count + 1) * sizeof *r->side_off);
    r->side_items = malloc((size_t)(total ? total : 1) * sizeof *r->side_items);
    r->rule_count = malloc((size_t)(rl->count ? rl->count : 1) * sizeof *r->rule_count);
    r->measures = malloc((size_t)(rl->count ? rl->count : 1) * sizeof *r->measures);
    if (!r->side_off || !r->side_items || !r->rule_count || !r->measures)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld rules",
                        (long long)rl->count);
    int64_t w = 0;
    r->side_off[0] = 0;
    for (int64_t i = 0; i < rl->count; i++) {
        const rt_rule *x = &rl->rules[i];
        const int32_t *codes = s->codes + s->off[x->itemset];
        int64_t len = s->off[x->itemset + 1] - s->off[x->itemset];
        for (int side = 0; side < 2; side++) { /* 0: antecedent, 1: consequent */
            for (int64_t k = len - 1; k >= 0; k--)
                if ((int)(x->consequent_mask >> k & 1) == side)
                    r->side_items[w++] = rc->code_item[codes[k]];
            r->side_off[2 * i + side + 1] = w;
        }
        r->rule_count[i] = s->support[x->itemset];
        rt_rule_measures_compute(r->rule_count[i], x->n_a, x->n_c, rc->n_baskets,
                                 &r->measures[i]);
    }
    return RETAIN_OK;
}

retain_status retain_rules_mine(const retain_baskets *b, const retain_rules_params *p,
                                retain_rules_result **out)
{
    if (!out)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_mine: out is NULL");
    *out = NULL;
    if (!b)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_mine: baskets is NULL");
    retain_status s = retain_rules_params_check(p);
    if (s)
        return s;
    int64_t *indptr = NULL;
    int32_t *items = NULL;
    rt_recoded rc = {0};
    rt_itemsets sets = {0};
    rt_itemset_index ix = {0};
    rt_rules rules = {0};
    retain_rules_result *r = calloc(1, sizeof *r);
    if (!r) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory");
        goto done;
    }
    if ((s = clean_baskets(b, &indptr, &items)))
        goto done;
    int64_t minc = p->min_count > 0 ? p->min_count : rt_items_min_count(p->min_support, b->n);
    rt_mine_params mp = {.min_count = minc, .max_len = p->max_len,
                         .max_itemsets = p->max_itemsets, .progress = p->progress,
                         .progress_user = p->progress_user};
    if ((s = rt_items_recode(b->n, indptr, items, b->n_items, minc, 0, &rc)) ||
        (s = rt_eclat_mine(&rc, &mp, &sets)) || (s = keep_itemsets(&rc, &sets, r)))
        goto done;
    r->n_baskets = rc.n_baskets;
    if (!p->itemsets_only) {
        rt_rule_params rp;
        rt_rule_params_init(&rp);
        rp.min[RT_METRIC_CONFIDENCE] = p->min_confidence;
        rp.min[RT_METRIC_LIFT] = p->min_lift;
        rp.min[RT_METRIC_LEVERAGE] = p->min_leverage;
        rp.min[RT_METRIC_CONVICTION] = p->min_conviction;
        rp.min[RT_METRIC_ZHANG] = p->min_zhang;
        rp.max_antecedent = p->max_antecedent;
        rp.max_consequent = p->max_consequent;
        rp.sort_by = (rt_rule_metric)p->sort_by;
        rp.max_rules = p->max_rules;
        if ((s = rt_itemset_index_build(&sets, &ix)) ||
            (s = rt_rules_generate(&sets, &ix, rc.n_baskets, &rp, &rules)) ||
            (s = keep_rules(&rc, &sets, &rules, r)))
            goto done;
    }
done:
    rt_rules_free(&rules);
    rt_itemset_index_free(&ix);
    rt_itemsets_free(&sets);
    rt_recoded_free(&rc);
    free(indptr);
    free(items);
    if (s) {
        retain_rules_free(r);
        return s;
    }
    *out = r;
    return RETAIN_OK;
}

int64_t retain_rules_basket_count(const retain_rules_result *r) { return r ? r->n_baskets : 0; }
int64_t retain_rules_itemset_count(const retain_rules_result *r) { return r ? r->n_sets : 0; }
int64_t retain_rules_rule_count(const retain_rules_result *r) { return r ? r->n_rules : 0; }

retain_status retain_rules_itemset(const retain_rules_result *r, int64_t i, const int32_t **items,
                                   int64_t *len, int64_t *count)
{
    if (!r || !items || !len || !count)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_itemset: NULL argument");
    if (i < 0 || i >= r->n_sets)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_itemset: index %lld outside [0, %lld)",
                        (long long)i, (long long)r->n_sets);
    *items = r->set_items + r->set_off[i];
    *len = r->set_off[i + 1] - r->set_off[i];
    *count = r->set_count[i];
    return RETAIN_OK;
}

retain_status retain_rules_rule(const retain_rules_result *r, int64_t i, retain_rule *out)
{
    if (!r || !out)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_rule: NULL argument");
    if (i < 0 || i >= r->n_rules)
        return rt_error(RETAIN_ERR_USAGE, "retain_rules_rule: index %lld outside [0, %lld)",
                        (long long)i, (long long)r->n_rules);
    const int64_t *o = r->side_off + 2 * i;
    const rt_rule_measures *m = &r->measures[i];
    *out = (retain_rule){r->side_items + o[0], o[1] - o[0], r->side_items + o[1], o[2] - o[1],
                         r->rule_count[i], m->antecedent_support, m->consequent_support,
                         m->support, m->confidence, m->lift, m->leverage, m->conviction,
                         m->zhang};
    return RETAIN_OK;
}

void retain_rules_free(retain_rules_result *r)
{
    if (!r)
        return;
    free(r->set_off);
    free(r->set_items);
    free(r->set_count);
    free(r->side_off);
    free(r->side_items);
    free(r->rule_count);
    free(r->measures);
    free(r);
}
