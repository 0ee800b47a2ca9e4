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
** end are left out.
** One record per customer, found through a hash map: memory grows with
** customers, not events. Each customer's events must be in time order.
*/
#include "clv.h"

#include "core/error.h"
#include "core/keymap.h"
#include "io/eventlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

typedef struct customer {
    int64_t first, last, key, seen; /* occasion times, current key, last time */
    int64_t occasions;
    double first_amount, total;
} customer;

static int64_t day_of(int64_t t) { return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY); }

static retain_status grow(customer **c, int64_t *cap, int64_t need)
{
    if (need <= *cap)
        return RETAIN_OK;
    int64_t next = *cap ? 2 * *cap : 4096;
    while (next < need)
        next *= 2;
    customer *g = realloc(*c, (size_t)next * sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld customers",
                        (long long)need);
    *c = g;
    *cap = next;
    return RETAIN_OK;
}

/* Adds one event to its customer's record. */
static retain_status add_event(customer *c, bool added, const rt_eventlog *log,
                               const rt_events *ev, int64_t i, const rt_clv_period *p)
{
    int64_t t = ev->timestamp[i];
    double amount = ev->amount[i];
    if (!added && t < c->seen) {
        char where[300];
        return rt_error(RETAIN_ERR_DATA, "%s: customer %lld's events are not in time order; "
                        "sort the log by time", rt_eventlog_where(log, ev->line[i], where,
                                                                   sizeof where),
                        (long long)ev->user_id[i]);
    }
    c->seen = t;
    if (amount < 0 || t >= p->end)
        return RETAIN_OK; /* a refund, or after the calibration period */
    int64_t key = p->by_order ? (ev->order_id ? ev->order_id[i] : t) : day_of(t);
    int64_t when = p->by_order ? t : day_of(t) * DAY;
    if (c->occasions == 0 || key != c->key) {
        if (c->occasions == 0)
            c->first = when;
        c->occasions++;
        c->key = key;
        c->last = when;
    }
    if (c->occasions == 1)
        c->first_amount += amount;
    c->total += amount;
    return RETAIN_OK;
}

retain_status rt_clv_summarise(rt_eventlog *log, const rt_clv_period *p, rt_clv_table *out)
{
    memset(out, 0, sizeof *out);
    rt_keymap map = {0};
    customer *c = NULL;
    int64_t cap = 0;
    retain_status s = RETAIN_OK;
    for (;;) {
        rt_events ev;
        bool done;
        if ((s = rt_eventlog_next(log, &ev, &done)) || done)
            break;
        for (int64_t i = 0; !s && i < ev.count; i++) {
            int64_t at, t = ev.timestamp[i];
            if (out->events + i == 0 || t < out->first_event)
                out->first_event = t;
            if (out->events + i == 0 || t > out->last_event)
                out->last_event = t;
            bool added;
            if ((s = rt_keymap_put(&map, ev.user_id[i], 0, &at, &added)) ||
                (s = grow(&c, &cap, map.count)))
                break;
            if (added)
                memset(&c[at], 0, sizeof c[at]);
            s = add_event(&c[at], added, log, &ev, i, p);
        }
        out->events += ev.count;
        if (s)
            break;
    }
    int64_t n = 0;
    for (int64_t i = 0; !s && i < map.count; i++)
        n += c[i].occasions > 0;
    double *cols = NULL;
    int64_t *ids = NULL;
    if (!s && (!(cols = malloc((size_t)(4 * (n > 0 ? n : 1)) * sizeof *cols)) ||
               !(ids = malloc((size_t)(2 * (map.count > 0 ? map.count : 1)) * sizeof *ids))))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the summary of %lld customers",
                     (long long)n);
    if (!s) {
        rt_keymap_keys(&map, ids, ids + map.count);
        out->n = n;
        out->x = cols;
        out->tx = cols + n;
        out->T = cols + 2 * n;
        out->m = cols + 3 * n;
        out->user_id = ids;
        int64_t e_time = p->by_order ? p->end : day_of(p->end - 1) * DAY;
        for (int64_t i = 0, k = 0; i < map.count; i++) {
            const customer *r = &c[i];
            if (r->occasions == 0)
                continue;
            double x = (double)(r->occasions - 1);
            out->user_id[k] = ids[i];
            out->x[k] = x;
            out->tx[k] = (double)(r->last - r->first) / p->unit;
            out->T[k] = (double)(e_time - r->first) / p->unit;
            out->m[k] = x > 0 ? (r->total - r->first_amount) / x : 0.0;
            k++;
        }
    } else {
        free(cols);
        free(ids);
    }
    free(c);
    rt_keymap_free(&map);
    return s;
}

void rt_clv_table_free(rt_clv_table *t)
{
    free(t->x);
    free(t->user_id);
    memset(t, 0, sizeof *t);
}
