/*
** src/clv/collapse.c: the summary with customers of equal (x, tx, T)
** merged into one row weighted by how many they are (their weights
** summed). The count models' likelihoods depend on nothing else, so a fit
** on the groups is the fit on the customers and costs what the distinct
** summaries cost: on day occasions these are bounded by the calendar, not
** by the customers. Equal summaries are found through hash maps, each
** group's weights summed in row order; the groups, not the customers, are
** then ordered by (x, tx, T) with three radix sorts (core/sort.c), which
** makes the order, and so the sums of a fit, the same on every run.
** Predictions need the groups but no order: rt_clv_distinct tells each row
** its group, so value.c evaluates the models once per group.
*/
#include "clv.h"

#include "core/error.h"
#include "core/keymap.h"
#include "core/sort.h"

#include <stdlib.h>
#include <string.h>

/* The bits of v, with -0 as 0 when zero_ties (== makes them equal). */
static int64_t key_of(double v, bool zero_ties)
{
    int64_t b;
    v = zero_ties && v == 0 ? 0.0 : v;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* A group's weight is its look-ahead record (an rt_keymap_found_fn); the
** fold fills a new group from its first row. */
static retain_status group_found(void *ctx, int64_t pair, int64_t t_key, int64_t k, bool added,
                                 const void **record)
{
    (void)pair;
    (void)t_key;
    (void)added;
    *record = (const double *)ctx + k;
    return RETAIN_OK;
}

/* Rows with equal keys of (x, tx, T) merged in order of first appearance,
** weights summed in row order; group[i] the group of row i. The pairs
** (x, tx) are few, so their table stays in cache; the groups' lookups, by
** (pair, T), are pipelined. */
static retain_status group_rows(const rt_clv_summary *s, bool zero_ties, rt_clv_groups *out,
                                int64_t *group)
{
    memset(out, 0, sizeof *out);
    int64_t n = s->n, size = n > 0 ? n : 1, groups = 0;
    double *cols = malloc((size_t)(4 * size) * sizeof *cols);
    int64_t *t_key = malloc((size_t)size * sizeof *t_key);
    rt_keymap pairs = {0}, triples = {0};
    retain_status st = cols && t_key ? RETAIN_OK
                                     : rt_error(RETAIN_ERR_INTERNAL, "out of memory to group "
                                                "%lld customers", (long long)n);
    double *x = cols, *tx = cols + n, *T = cols + 2 * n, *w = cols + 3 * n;
    for (int64_t i = 0; !st && i < n; i++) {
        bool added;
        st = rt_keymap_put(&pairs, key_of(s->x[i], zero_ties), key_of(s->tx[i], zero_ties),
                           &group[i], &added);
        t_key[i] = key_of(s->T[i], zero_ties);
    }
    /* group[i] holds row i's pair until the look-ahead, which has read it
    ** by then, gives row i its group */
    rt_keymap_ahead ahead = {0};
    if (!st)
        st = rt_keymap_ahead_start(&ahead, &triples, n, group, t_key, group_found, w);
    for (int64_t i = 0, k; !st && i < n; i++) {
        if ((st = rt_keymap_ahead_next(&ahead, i, &k)))
            break;
        double weight = s->w ? s->w[i] : 1.0;
        group[i] = k;
        if (k < groups) {
            w[k] += weight;
            continue;
        }
        x[k] = s->x[i];
        tx[k] = s->tx[i];
        T[k] = s->T[i];
        w[k] = weight;
        groups++;
    }
    if (!st) {
        out->s = (rt_clv_summary){groups, x, tx, T, NULL, w};
        out->cols = cols;
    } else {
        free(cols);
    }
    free(t_key);
    rt_keymap_free(&pairs);
    rt_keymap_free(&triples);
    return st;
}

retain_status rt_clv_distinct(const rt_clv_summary *s, rt_clv_groups *out, int64_t *group)
{
    return group_rows(s, false, out, group);
}

retain_status rt_clv_collapse(const rt_clv_summary *s, rt_clv_groups *out)
{
    memset(out, 0, sizeof *out);
    int64_t n = s->n, size = n > 0 ? n : 1;
    int64_t *group = malloc((size_t)size * sizeof *group);
    rt_clv_groups found = {0};
    retain_status st = group ? group_rows(s, true, &found, group)
                             : rt_error(RETAIN_ERR_INTERNAL, "out of memory to group %lld "
                                        "customers", (long long)n);
    free(group);
    int64_t m = found.s.n, msize = m > 0 ? m : 1;
    uint64_t *keys = NULL;
    int64_t *order = NULL;
    double *cols = NULL;
    if (!st && (!(keys = malloc((size_t)msize * sizeof *keys)) ||
                !(order = malloc((size_t)msize * sizeof *order)) ||
                !(cols = malloc((size_t)(4 * msize) * sizeof *cols))))
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory to group %lld customers",
                      (long long)n);
    for (int64_t k = 0; !st && k < m; k++)
        order[k] = k;
    /* the groups' keys are distinct: least significant first, T, tx, x */
    const double *by[3] = {found.s.T, found.s.tx, found.s.x};
    for (int c = 0; !st && c < 3; c++) {
        for (int64_t k = 0; k < m; k++)
            keys[k] = rt_sort_key_f64(by[c][order[k]]);
        st = rt_sort_u64(keys, order, m);
    }
    if (!st) {
        const double *from[4] = {found.s.x, found.s.tx, found.s.T, found.s.w};
        for (int c = 0; c < 4; c++)
            for (int64_t k = 0; k < m; k++)
                cols[c * m + k] = from[c][order[k]];
        out->s = (rt_clv_summary){m, cols, cols + m, cols + 2 * m, NULL, cols + 3 * m};
        out->cols = cols;
        cols = NULL;
    }
    free(keys);
    free(order);
    free(cols);
    rt_clv_groups_free(&found);
    return st;
}

void rt_clv_groups_free(rt_clv_groups *g)
{
    free(g->cols);
    memset(g, 0, sizeof *g);
}
