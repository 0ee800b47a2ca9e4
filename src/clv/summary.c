/*
** src/clv/summary.c: the per-customer summary of a purchase log for a
** calibration period, as the literature defines it (Fader, Hardie and Lee
** 2005; ../shared/datasets/REFERENCE.md spells it out):
**   a purchase occasion is one customer-day (occasion "day": the lines of
**   one customer on one UTC date merged, amounts summed) or one order;
**   x = occasions in the calibration period - 1 (repeat purchases);
**   t_x = time from the first occasion to the last, T = time from the first
**   occasion to the end of the calibration period, in the time unit;
**   m_x = mean amount of the x repeat occasions (the first is excluded).
** With day occasions times are whole days (T counts to the calibration end
** date itself, as the papers do); with order occasions they are the
** orders' timestamps and T runs to the end of that date. Lines with a
** negative amount (refunds) form no occasion and add no spend; a line of
** amount 0 is a purchase (CDNOW has some); events after the calibration
** end are left out, unless a holdout period follows it: then the
** occasions of the calibration customers in it are counted per customer,
** and every repeat occasion of theirs up to the holdout end by day (the
** actual side of the tracking curve, holdout.c).
** One record per customer, found through a hash map (its lookups
** pipelined, core/keymap.c): memory grows with customers, not events. Each
** customer's events must be in time order. Rows come by first appearance
** or, sorted once by their keys, by user id.
*/
#include "clv.h"

#include "core/error.h"
#include "core/keymap.h"
#include "core/mem.h"
#include "core/sort.h"
#include "io/eventlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

typedef struct customer {
    int64_t first, last, key, seen; /* occasion times, current key, last time */
    int64_t occasions, holdout;
    double first_amount, total;
} customer;

/* Repeat occasions by day (the key: epoch seconds of its midnight). */
typedef struct day_counts {
    rt_keymap map;
    int64_t *count;
    int64_t cap;
} day_counts;

static int64_t day_of(int64_t t) { return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY); }

/* The customers' records, grown as the keymap numbers new ones. */
typedef struct customers {
    customer *c;
    int64_t cap;
} customers;

/* The record of customer k (an rt_keymap_found_fn), created empty for a new
** one. */
static retain_status customer_found(void *ctx, int64_t id, int64_t zero, int64_t k,
                                    bool added, const void **record)
{
    (void)id;
    (void)zero;
    customers *all = ctx;
    if (added && k >= all->cap) {
        int64_t next = all->cap ? 2 * all->cap : 4096;
        customer *g = realloc(all->c, (size_t)next * sizeof *g);
        if (!g)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld customers",
                            (long long)k + 1);
        rt_mem_hugepages(g, (size_t)next * sizeof *g);
        all->c = g;
        all->cap = next;
    }
    if (added)
        all->c[k] = (customer){.seen = INT64_MIN};
    *record = &all->c[k];
    return RETAIN_OK;
}

static retain_status count_repeat(day_counts *d, int64_t when)
{
    int64_t at;
    bool added;
    retain_status s = rt_keymap_put(&d->map, day_of(when) * DAY, 0, &at, &added);
    if (!s && at >= d->cap) {
        int64_t cap = d->cap ? 2 * d->cap : 1024;
        int64_t *g = realloc(d->count, (size_t)cap * sizeof *g);
        if (!g)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the repeat purchases by day");
        d->count = g;
        d->cap = cap;
    }
    if (!s)
        d->count[at] = added ? 1 : d->count[at] + 1;
    return s;
}

/* Adds one event to its customer's record (days: NULL without a holdout). */
static retain_status add_event(customer *c, const rt_eventlog *log,
                               const rt_events *ev, int64_t i, const rt_clv_period *p,
                               day_counts *days)
{
    int64_t t = ev->timestamp[i];
    double amount = ev->amount[i];
    if (t < c->seen) {
        char where[300];
        return rt_error(RETAIN_ERR_DATA, "%s: customer %lld's events are not in time order; "
                        "sort the log by time", rt_eventlog_where(log, ev->line[i], where,
                                                                   sizeof where),
                        (long long)ev->user_id[i]);
    }
    c->seen = t;
    bool holdout = t >= p->end;
    if (amount < 0 || (holdout && (!days || t >= p->holdout_end || c->occasions == 0)))
        return RETAIN_OK; /* a refund, after the periods or a customer new since */
    int64_t key = p->by_order ? (ev->order_id ? ev->order_id[i] : t) : day_of(t);
    int64_t when = p->by_order ? t : day_of(t) * DAY;
    if (c->occasions == 0 || key != c->key) {
        if (c->occasions == 0)
            c->first = when;
        else if (days) {
            retain_status s = count_repeat(days, when);
            if (s)
                return s;
        }
        c->key = key;
        if (holdout) {
            c->holdout++;
            return RETAIN_OK;
        }
        c->occasions++;
        c->last = when;
    }
    if (holdout)
        return RETAIN_OK;
    if (c->occasions == 1)
        c->first_amount += amount;
    c->total += amount;
    return RETAIN_OK;
}

/* The days with repeat occasions into t (holdout periods only). */
static retain_status keep_days(const day_counts *d, rt_clv_table *t)
{
    int64_t n = d->map.count;
    if (!(t->repeat_day = malloc((size_t)(2 * (n > 0 ? n : 1)) * sizeof *t->repeat_day)))
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the repeat purchases by day");
    t->repeats = t->repeat_day + n;
    t->repeat_days = n;
    rt_keymap_keys(&d->map, t->repeat_day, t->repeats); /* second keys: 0 */
    for (int64_t k = 0; k < n; k++)
        t->repeats[k] = d->count[k];
    return RETAIN_OK;
}

retain_status rt_clv_summarise(rt_eventlog *log, const rt_clv_period *p, bool by_id,
                               rt_clv_table *out)
{
    memset(out, 0, sizeof *out);
    rt_keymap map = {0};
    customers all = {0};
    day_counts days = {0}, *repeats = p->holdout_end > p->end ? &days : NULL;
    retain_status s = RETAIN_OK;
    for (;;) {
        rt_events ev;
        bool done;
        if ((s = rt_eventlog_next(log, &ev, &done)) || done)
            break;
        for (int64_t i = 0; i < ev.count; i++) {
            int64_t t = ev.timestamp[i];
            if (out->events + i == 0 || t < out->first_event)
                out->first_event = t;
            if (out->events + i == 0 || t > out->last_event)
                out->last_event = t;
        }
        rt_keymap_ahead ahead;
        s = rt_keymap_ahead_start(&ahead, &map, ev.count, ev.user_id, NULL, customer_found,
                                  &all);
        for (int64_t i = 0, at; !s && i < ev.count; i++)
            if (!(s = rt_keymap_ahead_next(&ahead, i, &at)))
                s = add_event(&all.c[at], log, &ev, i, p, repeats);
        out->events += ev.count;
        if (s)
            break;
    }
    const customer *c = all.c;
    int64_t n = 0;
    for (int64_t i = 0; !s && i < map.count; i++)
        n += c[i].occasions > 0;
    double *cols = NULL;
    int64_t *ids = NULL, *order = NULL;
    uint64_t *keys = NULL;
    if (!s && repeats)
        s = keep_days(repeats, out);
    if (!s && (!(cols = malloc((size_t)(5 * (n > 0 ? n : 1)) * sizeof *cols)) ||
               !(ids = malloc((size_t)(2 * (map.count > 0 ? map.count : 1)) * sizeof *ids)) ||
               !(order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order)) ||
               (by_id && !(keys = malloc((size_t)(n > 0 ? n : 1) * sizeof *keys)))))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the summary of %lld customers",
                     (long long)n);
    if (!s) { /* the rows' records: by first appearance, or sorted by id */
        rt_keymap_keys(&map, ids, ids + map.count);
        for (int64_t i = 0, k = 0; i < map.count; i++)
            if (c[i].occasions > 0)
                order[k++] = i;
        for (int64_t k = 0; by_id && k < n; k++)
            keys[k] = rt_sort_key_i64(ids[order[k]]);
        if (by_id)
            s = rt_sort_u64(keys, order, n);
    }
    if (!s) {
        out->n = n;
        out->x = cols;
        out->tx = cols + n;
        out->T = cols + 2 * n;
        out->m = cols + 3 * n;
        out->holdout = repeats ? cols + 4 * n : NULL;
        out->user_id = ids;
        int64_t e_time = p->by_order ? p->end : day_of(p->end - 1) * DAY;
        out->age_end = e_time;
        for (int64_t k = 0; k < n; k++) {
            if (by_id && k + RT_KEYMAP_AHEAD < n)
                __builtin_prefetch(&c[order[k + RT_KEYMAP_AHEAD]]);
            const customer *r = &c[order[k]];
            double x = (double)(r->occasions - 1);
            /* in place: by appearance order[k] >= k; by id the sorted key */
            out->user_id[k] = by_id ? (int64_t)(keys[k] ^ (1ULL << 63)) : ids[order[k]];
            out->x[k] = x;
            out->tx[k] = (double)(r->last - r->first) / p->unit;
            out->T[k] = (double)(e_time - r->first) / p->unit;
            out->m[k] = x > 0 ? (r->total - r->first_amount) / x : 0.0;
            if (out->holdout)
                out->holdout[k] = (double)r->holdout;
        }
    } else {
        free(cols);
        free(ids);
        free(out->repeat_day);
        out->repeat_day = NULL;
    }
    free(order);
    free(keys);
    free(all.c);
    rt_keymap_free(&map);
    rt_keymap_free(&days.map);
    free(days.count);
    return s;
}

void rt_clv_table_free(rt_clv_table *t)
{
    free(t->x);
    free(t->user_id);
    free(t->repeat_day);
    memset(t, 0, sizeof *t);
}
