/*
** src/logs/baskets.c: the basket grouping (see baskets.h). Each user keeps
** one open basket: its key and a growing list of item codes; closing it
** sorts the list, drops repeats and hands it to the sink.
*/
#include "baskets.h"

#include "core/error.h"
#include "core/keymap.h"

#include <stdlib.h>
#include <string.h>

typedef struct open_basket {
    int64_t user, key;
    int32_t *items;
    int32_t count, cap;
    bool open;
} open_basket;

struct rt_logs_baskets {
    rt_logs_basket_by by;
    rt_logs_basket_sink sink;
    void *ctx;
    rt_keymap users, items;
    open_basket *open;
    int64_t cap;
};

retain_status rt_logs_baskets_create(rt_logs_basket_by by, rt_logs_basket_sink sink,
                                     void *ctx, rt_logs_baskets **out)
{
    *out = NULL;
    rt_logs_baskets *b = calloc(1, sizeof *b);
    if (!b)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    b->by = by;
    b->sink = sink;
    b->ctx = ctx;
    retain_status s;
    if ((s = rt_keymap_init(&b->users)) || (s = rt_keymap_init(&b->items))) {
        rt_logs_baskets_free(b);
        return s;
    }
    *out = b;
    return RETAIN_OK;
}

void rt_logs_baskets_free(rt_logs_baskets *b)
{
    if (!b)
        return;
    for (int64_t k = 0; k < b->users.count; k++)
        free(b->open[k].items);
    free(b->open);
    rt_keymap_free(&b->users);
    rt_keymap_free(&b->items);
    free(b);
}

static int cmp_code(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, c = *(const int32_t *)y;
    return a < c ? -1 : a > c;
}

static retain_status close_basket(rt_logs_baskets *b, open_basket *o)
{
    o->open = false;
    qsort(o->items, (size_t)o->count, sizeof *o->items, cmp_code);
    int32_t m = 0;
    for (int32_t i = 0; i < o->count; i++)
        if (m == 0 || o->items[i] != o->items[m - 1])
            o->items[m++] = o->items[i];
    o->count = 0;
    return b->sink(b->ctx, o->user, o->key, o->items, m);
}

retain_status rt_logs_baskets_add(rt_logs_baskets *b, int64_t n, const int64_t *user,
                                  const int64_t *time, const double *amount,
                                  const int64_t *item, const int64_t *order)
{
    for (int64_t i = 0; i < n; i++) {
        if (!(amount[i] > 0))
            continue;
        int64_t k, code;
        bool new_user, new_item;
        retain_status s = rt_keymap_put(&b->users, user[i], 0, &k, &new_user);
        if (!s)
            s = rt_keymap_put(&b->items, item[i], 0, &code, &new_item);
        if (s)
            return s;
        if (code > INT32_MAX)
            return rt_error(RETAIN_ERR_DATA, "more than 2^31 distinct items");
        if (k == b->cap) {
            int64_t cap = b->cap ? 2 * b->cap : 4096;
            open_basket *o = realloc(b->open, (size_t)cap * sizeof *o);
            if (!o)
                return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld users",
                                (long long)cap);
            b->open = o;
            b->cap = cap;
        }
        open_basket *o = &b->open[k];
        if (new_user)
            *o = (open_basket){user[i], 0, NULL, 0, 0, false};
        int64_t key = b->by == RT_BASKET_BY_ORDER ? order[i]
                      : time[i] >= 0 ? time[i] / 86400 : -((-time[i] + 86399) / 86400);
        if (o->open && o->key != key && (s = close_basket(b, o)))
            return s;
        o->open = true;
        o->key = key;
        if (o->count == o->cap) {
            int32_t cap = o->cap ? 2 * o->cap : 8;
            int32_t *items = realloc(o->items, (size_t)cap * sizeof *items);
            if (!items)
                return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a basket");
            o->items = items;
            o->cap = cap;
        }
        o->items[o->count++] = (int32_t)code;
    }
    return RETAIN_OK;
}

retain_status rt_logs_baskets_finish(rt_logs_baskets *b)
{
    for (int64_t k = 0; k < b->users.count; k++)
        if (b->open[k].open) {
            retain_status s = close_basket(b, &b->open[k]);
            if (s)
                return s;
        }
    return RETAIN_OK;
}

int64_t rt_logs_baskets_items(const rt_logs_baskets *b) { return b->items.count; }

retain_status rt_logs_baskets_item_ids(const rt_logs_baskets *b, int64_t *ids)
{
    int64_t *zero = malloc((size_t)(b->items.count + 1) * sizeof *zero);
    if (!zero)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    rt_keymap_keys(&b->items, ids, zero);
    free(zero);
    return RETAIN_OK;
}
