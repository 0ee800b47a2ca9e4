/*
** src/rules/items.c: the item base of the miners: counts each item's
** baskets, drops items below the minimum count (no itemset holding them can
** be frequent) and recodes the rest by descending count, ties by item
** index, so code 0 is the most frequent item. Baskets are rewritten as
** ascending code lists; those left with fewer than two items add nothing
** beyond the single-item counts and are dropped.
*/
#include "rules.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct counted {
    int64_t count;
    int32_t item;
} counted;

static int by_count_desc(const void *a, const void *b)
{
    const counted *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return (x->item > y->item) - (x->item < y->item);
}

static void sort_codes(int32_t *v, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        int32_t x = v[i];
        int64_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int64_t rt_items_baskets_kept(int64_t n, const int64_t *indptr, int64_t max_basket_len)
{
    int64_t kept = 0;
    for (int64_t b = 0; b < n; b++)
        kept += max_basket_len <= 0 || indptr[b + 1] - indptr[b] <= max_basket_len;
    return kept;
}

int64_t rt_items_min_count(double support, int64_t n)
{
    int64_t c = (int64_t)ceil(support * (double)n);
    while (c > 1 && (double)(c - 1) / (double)n >= support)
        c--;
    while ((double)c / (double)n < support)
        c++;
    return c < 1 ? 1 : c;
}

#define TOO_LONG(b) (max_basket_len > 0 && indptr[(b) + 1] - indptr[b] > max_basket_len)

retain_status rt_items_recode(int64_t n, const int64_t *indptr, const int32_t *items,
                              int64_t n_items, int64_t min_count, int64_t max_basket_len,
                              rt_recoded *out)
{
    memset(out, 0, sizeof *out);
    out->n_baskets = rt_items_baskets_kept(n, indptr, max_basket_len);
    out->n_long = n - out->n_baskets;
    int64_t *count = calloc((size_t)(n_items ? n_items : 1), sizeof *count);
    int32_t *code_of = malloc((size_t)(n_items ? n_items : 1) * sizeof *code_of);
    counted *order = malloc((size_t)(n_items ? n_items : 1) * sizeof *order);
    retain_status s = RETAIN_OK;
    if (!count || !code_of || !order) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory counting %lld items",
                     (long long)n_items);
        goto done;
    }
    for (int64_t b = 0; b < n; b++)
        for (int64_t k = indptr[b]; k < indptr[b + 1] && !TOO_LONG(b); k++)
            count[items[k]]++;
    int64_t nf = 0;
    for (int64_t i = 0; i < n_items; i++)
        if (count[i] >= min_count)
            order[nf++] = (counted){count[i], (int32_t)i};
    qsort(order, (size_t)nf, sizeof *order, by_count_desc);
    out->n_codes = nf;
    out->code_item = malloc((size_t)(nf ? nf : 1) * sizeof *out->code_item);
    out->code_count = malloc((size_t)(nf ? nf : 1) * sizeof *out->code_count);
    if (!out->code_item || !out->code_count) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the item codes");
        goto done;
    }
    for (int64_t i = 0; i < n_items; i++)
        code_of[i] = -1;
    for (int64_t c = 0; c < nf; c++) {
        out->code_item[c] = order[c].item;
        out->code_count[c] = order[c].count;
        code_of[order[c].item] = (int32_t)c;
    }
    int64_t pairs = 0, nt = 0;
    for (int64_t b = 0; b < n; b++) {
        int64_t m = 0;
        if (TOO_LONG(b))
            continue;
        for (int64_t k = indptr[b]; k < indptr[b + 1]; k++)
            m += code_of[items[k]] >= 0;
        if (m >= 2) {
            pairs += m;
            nt++;
        }
    }
    out->toff = malloc((size_t)(nt + 1) * sizeof *out->toff);
    /* + 1: a basket left with one item writes it before being dropped */
    out->tcode = malloc((size_t)(pairs + 1) * sizeof *out->tcode);
    if (!out->toff || !out->tcode) {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the recoded baskets");
        goto done;
    }
    int64_t w = 0;
    out->toff[0] = 0;
    for (int64_t b = 0; b < n; b++) {
        int64_t start = w;
        if (TOO_LONG(b))
            continue;
        for (int64_t k = indptr[b]; k < indptr[b + 1]; k++)
            if (code_of[items[k]] >= 0)
                out->tcode[w++] = code_of[items[k]];
        if (w - start < 2) {
            w = start;
            continue;
        }
        if (w - start > 32)
            qsort(out->tcode + start, (size_t)(w - start), sizeof *out->tcode, cmp_i32);
        else
            sort_codes(out->tcode + start, w - start);
        out->toff[++out->n_trans] = w;
    }
done:
    free(count);
    free(code_of);
    free(order);
    if (s)
        rt_recoded_free(out);
    return s;
}

void rt_recoded_free(rt_recoded *r)
{
    free(r->code_item);
    free(r->code_count);
    free(r->toff);
    free(r->tcode);
    memset(r, 0, sizeof *r);
}
