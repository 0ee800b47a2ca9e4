/*
** src/clv/collapse.c: the summary with customers of equal (x, tx, T)
** merged into one row weighted by how many they are (their weights
** summed). The count models' likelihoods depend on nothing else, so a fit
** on the groups is the fit on the customers and costs what the distinct
** summaries cost: on day occasions these are bounded by the calendar, not
** by the customers. Rows are ordered by (x, tx, T) with three stable radix
** sorts (core/sort.c), which makes the order, and so the sums, the same
** on every run. Predictions use it too (value.c): each customer's group
** tells which distinct summary to read its predictions from.
*/
#include "clv.h"

#include "core/error.h"
#include "core/sort.h"

#include <stdlib.h>
#include <string.h>

retain_status rt_clv_collapse(const rt_clv_summary *s, rt_clv_groups *out, int64_t *group)
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
            if (group)
                group[i] = groups - 1;
            continue;
        }
        if (group)
            group[i] = groups;
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

void rt_clv_groups_free(rt_clv_groups *g)
{
    free(g->cols);
    memset(g, 0, sizeof *g);
}
