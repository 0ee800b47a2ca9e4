/*
** src/clv/collapse.c: the summary with customers of equal (x, tx, T)
** merged into one row weighted by how many they are (their weights
** summed). The count models' likelihoods depend on nothing else, so a fit
** on the groups is the fit on the customers and costs what the distinct
** summaries cost: on day occasions these are bounded by the calendar, not
** by the customers. Rows are ordered by (x, tx, T) with three stable radix
** sorts (core/sort.c), which makes the order, and so the sums, the same
** on every run.
** Predictions need the distinct summaries but no order: rt_clv_distinct
** finds them through hash maps instead of sorts, and tells each row its
** group, so value.c evaluates the models once per group.
*/
#include "clv.h"

#include "core/error.h"
#include "core/keymap.h"
#include "core/sort.h"

#include <stdlib.h>
#include <string.h>

retain_status rt_clv_collapse(const rt_clv_summary *s, rt_clv_groups *out)
{
    memset(out, 0, sizeof *out);
    int64_t n = s->n, size = n > 0 ? n : 1;
    uint64_t *keys = malloc((size_t)size * sizeof *keys);
    int64_t *order = malloc((size_t)size * sizeof *order);
    double *cols = malloc((size_t)(4 * size) * sizeof *cols);
    retain_status st = RETAIN_OK;
    if (!keys || !order || !cols) {
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory to group %lld customers",
                      (long long)n);
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        order[i] = i;
    /* least significant first: T, then tx, then x */
    const double *by[3] = {s->T, s->tx, s->x};
    for (int k = 0; k < 3; k++) {
        for (int64_t i = 0; i < n; i++)
            keys[i] = rt_sort_key_f64(by[k][order[i]]);
        if ((st = rt_sort_u64(keys, order, n)))
            goto done;
    }
    double *x = cols, *tx = cols + n, *T = cols + 2 * n, *w = cols + 3 * n;
    int64_t groups = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t i = order[k];
        double weight = s->w ? s->w[i] : 1.0;
        if (groups > 0 && x[groups - 1] == s->x[i] && tx[groups - 1] == s->tx[i] &&
            T[groups - 1] == s->T[i]) {
            w[groups - 1] += weight;
            continue;
        }
        x[groups] = s->x[i];
        tx[groups] = s->tx[i];
        T[groups] = s->T[i];
        w[groups] = weight;
        groups++;
    }
    out->s = (rt_clv_summary){groups, x, tx, T, NULL, w};
    out->cols = cols;
    cols = NULL;
done:
    free(keys);
    free(order);
    free(cols);
    return st;
}

static int64_t bits_of(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* The distinct summaries as they are found: (x, tx) by pair number, and
** (x, tx, T) with their weights by group. */
typedef struct distinct {
    double *pair_x, *pair_tx;
    double *x, *tx, *T, *w;
    int64_t groups;
} distinct;

/* A (pair, bits of T) met (an rt_keymap_found_fn): a new group takes the
** pair's x and tx and that T, with weight 0; its weight is the record. */
static retain_status group_found(void *ctx, int64_t pair, int64_t t_bits, int64_t k,
                                 bool added, const void **record)
{
    distinct *d = ctx;
    if (added) {
        d->x[k] = d->pair_x[pair];
        d->tx[k] = d->pair_tx[pair];
        memcpy(&d->T[k], &t_bits, sizeof t_bits);
        d->w[k] = 0.0;
        d->groups = k + 1;
    }
    *record = &d->w[k];
    return RETAIN_OK;
}

retain_status rt_clv_distinct(const rt_clv_summary *s, rt_clv_groups *out, int64_t *group)
{
    memset(out, 0, sizeof *out);
    int64_t n = s->n, size = n > 0 ? n : 1;
    double *cols = malloc((size_t)(6 * size) * sizeof *cols);
    int64_t *t_bits = malloc((size_t)size * sizeof *t_bits);
    rt_keymap pairs = {0}, groups = {0}; /* (x, tx); (pair, T) */
    retain_status st = cols && t_bits ? RETAIN_OK
                                      : rt_error(RETAIN_ERR_INTERNAL, "out of memory to "
                                                 "group %lld customers", (long long)n);
    distinct d = {0};
    if (!st)
        d = (distinct){cols + 4 * n, cols + 5 * n, cols, cols + n, cols + 2 * n, cols + 3 * n, 0};
    /* the pairs are few (their table stays in cache); group[i] holds row
    ** i's pair until the groups' look-ahead, which has read it by then,
    ** gives row i its group */
    for (int64_t i = 0; !st && i < n; i++) {
        bool added;
        st = rt_keymap_put(&pairs, bits_of(s->x[i]), bits_of(s->tx[i]), &group[i], &added);
        if (!st && added) {
            d.pair_x[group[i]] = s->x[i];
            d.pair_tx[group[i]] = s->tx[i];
        }
        t_bits[i] = bits_of(s->T[i]);
    }
    rt_keymap_ahead ahead;
    if (!st)
        st = rt_keymap_ahead_start(&ahead, &groups, n, group, t_bits, group_found, &d);
    for (int64_t i = 0, k; !st && i < n; i++)
        if (!(st = rt_keymap_ahead_next(&ahead, i, &k))) {
            d.w[k] += s->w ? s->w[i] : 1.0;
            group[i] = k;
        }
    if (!st) {
        out->s = (rt_clv_summary){d.groups, d.x, d.tx, d.T, NULL, d.w};
        out->cols = cols;
    } else {
        free(cols);
    }
    free(t_bits);
    rt_keymap_free(&pairs);
    rt_keymap_free(&groups);
    return st;
}

void rt_clv_groups_free(rt_clv_groups *g)
{
    free(g->cols);
    memset(g, 0, sizeof *g);
}
