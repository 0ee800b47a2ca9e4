/*
** src/gen/transactions.c: the purchase-log generator (see transactions.h).
**
** The process, per user u (Fader, Hardie and Lee, "Counting your customers
** the easy way", Marketing Science 2005; spend: "RFM and CLV", JMR 2005):
**   lambda ~ Gamma(shape r, rate alpha)   purchases per day while active
**   p      ~ Beta(a, b)                   dropout chance
**   nu     ~ Gamma(shape q, rate gamma)   spend rate
** The first purchase is at the acquisition time, uniform over the first
** acquisition_days; repeat purchases follow a Poisson process with rate
** lambda. After each REPEAT purchase (not the first, as in BG/NBD, where a
** customer with no repeat purchase is alive for sure) the user drops out
** with probability p. Each order's value is z ~ Gamma(shape p, rate nu),
** rounded to cents (at least one per line); its lines come from the basket
** model and split the amount in cents, so lines sum exactly to the order.
** A line is refunded with probability refund_rate, 1 hour plus an
** exponential wait (mean 14 days) later, as a line with the same order id
** and item and the negative amount; refunds after the period are not
** logged. alive_at_end is 1 for users who have not dropped out.
**
** Randomness: user u's parameters come from stream (u << 24 | 0xFFFFFF),
** everything about its k-th order (lines, amount, refunds, dropout, the wait
** to the next order) from stream (u << 24 | k). The log therefore does not
** depend on how time is cut into windows or users into threads.
**
** Windows: each call advances a time window sized for about 2^20 lines.
** Threads scan user blocks and emit the orders that fall in the window into
** their own buffers and radix-sort them by (time, user); the sort is stable
** and a user's orders are emitted in sequence, so that is (time, user,
** order). One k-way merge over the threads, with a heap of pending refunds,
** yields the window in the log's order and numbers orders as they go out.
*/
#include "transactions.h"

#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0
#define USER_BLOCK 4096
#define ORDER_BITS 24
#define PARAM_STREAM ((1ULL << ORDER_BITS) - 1)
#define MAX_ORDERS ((int32_t)((1 << ORDER_BITS) - 2))
#define USER_BITS 30
#define WINDOW_EVENTS 1048576.0
#define REFUND_MEAN_DAYS 14.0
#define MAX_CENTS 1000000000000LL

/* An order as emitted: key = (seconds after start) << USER_BITS | user,
** which with seq is the log's order (users < 2^30, times < 2^34 s). */
typedef struct tx_order {
    uint64_t key;
    int64_t line0;  /* first line in the thread's line buffer */
    int32_t seq;    /* the user's order number, 0: first purchase */
    int32_t lines;
} tx_order;

typedef struct tx_line {
    int64_t cents;
    int32_t item;
    int32_t refund_after; /* seconds to its refund, 0: none */
} tx_line;

/* A refund waiting for its time; ordered like orders, then by line. */
typedef struct tx_refund {
    uint64_t key;
    int64_t cents, order_id;
    int32_t seq, line, item;
} tx_refund;

typedef struct tx_user {
    double lambda, pdrop, nu;
    int32_t orders; /* so far */
    int8_t alive;
} tx_user;

typedef struct thread_state {
    tx_order *orders, *sorted; /* emitted, and radix-sort scratch */
    int64_t norders, orders_cap, sorted_cap;
    tx_line *lines;
    int64_t nlines, lines_cap;
    int32_t *ids;     /* one basket */
    double *weights;  /* its amount split */
    int64_t pos;      /* merge position in orders */
} thread_state;

struct rt_gen_tx {
    rt_gen_tx_params p;
    rt_gen_baskets *lines;
    int64_t end, window, w0; /* epoch seconds */
    /* per user: `next` alone is scanned every window; what an order needs
    ** sits in one 32-byte record, so an order costs one cache miss */
    double *next;            /* seconds after start of the next order (its
                                timestamp is the floor); INFINITY: none    */
    tx_user *users;
    int64_t *first;          /* first purchase, epoch seconds             */
    /* per window */
    int nthreads;
    thread_state *threads;
    int *runs;               /* merge heap of thread indices */
    tx_refund *refunds;      /* min-heap of pending refunds  */
    int64_t nrefunds, refunds_cap;
    int64_t out_cap;
    int64_t *o_user, *o_time, *o_cents, *o_order;
    int32_t *o_item;
    int64_t next_order_id;
    rt_gen_tx_totals totals;
};

void rt_gen_tx_params_init(rt_gen_tx_params *p)
{
    memset(p, 0, sizeof *p);
    p->users = 10000;
    p->seed = 42;
    /* CDNOW fits (Fader, Hardie and Lee 2005), alpha from weeks to days. */
    p->r = 0.243;
    p->alpha = 4.414 * 7.0;
    p->a = 0.793;
    p->b = 2.426;
    p->p = 6.25;
    p->q = 3.74;
    p->gamma = 15.44;
    p->start = 1704067200; /* 2024-01-01T00:00:00Z */
    p->days = 730;
    p->acquisition_days = 90.0;
    p->refund_rate = 0.01;
    rt_gen_baskets_params_init(&p->lines);
    p->lines.items = 500;
    p->lines.avg_len = 3.0;
    p->lines.patterns = 50;
    p->lines.pattern_len = 2.0;
}

static retain_status check_positive(const char *name, double v)
{
    if (!(v > 0.0 && v <= 1e6))
        return rt_error(RETAIN_ERR_USAGE, "%s must be positive and at most 1e6, got %g", name,
                        v);
    return RETAIN_OK;
}

retain_status rt_gen_tx_params_check(const rt_gen_tx_params *p)
{
    retain_status s;
    if (p->users < 1 || p->users > 1000000000)
        return rt_error(RETAIN_ERR_USAGE, "users must be in 1..1e9, got %lld",
                        (long long)p->users);
    if ((s = check_positive("r", p->r)) || (s = check_positive("alpha", p->alpha)) ||
        (s = check_positive("a", p->a)) || (s = check_positive("b", p->b)) ||
        (s = check_positive("p", p->p)) || (s = check_positive("q", p->q)) ||
        (s = check_positive("gamma", p->gamma)))
        return s;
    if (p->days < 1 || p->days > 36500)
        return rt_error(RETAIN_ERR_USAGE, "days must be in 1..36500, got %lld",
                        (long long)p->days);
    if (!(p->acquisition_days >= 0.0 && p->acquisition_days <= (double)p->days))
        return rt_error(RETAIN_ERR_USAGE,
                        "acquisition_days must be in 0..days (%lld), got %g",
                        (long long)p->days, p->acquisition_days);
    if (!(p->refund_rate >= 0.0 && p->refund_rate <= 1.0))
        return rt_error(RETAIN_ERR_USAGE, "refund_rate must be in 0..1, got %g",
                        p->refund_rate);
    if (p->start < -(INT64_C(1) << 40) || p->start > (INT64_C(1) << 40))
        return rt_error(RETAIN_ERR_USAGE, "start %lld is out of range",
                        (long long)p->start);
    return rt_gen_baskets_params_check(&p->lines);
}

static void draw_user(rt_gen_tx *g, int64_t u)
{
    const rt_gen_tx_params *p = &g->p;
    rt_rng rng;
    rt_rng_init(&rng, p->seed, ((uint64_t)u << ORDER_BITS) | PARAM_STREAM);
    tx_user *x = &g->users[u];
    x->lambda = rt_rng_gamma(&rng, p->r, 1.0 / p->alpha);
    x->pdrop = rt_rng_beta(&rng, p->a, p->b);
    x->nu = rt_rng_gamma(&rng, p->q, 1.0 / p->gamma);
    x->orders = 0;
    x->alive = 1;
    double at = rt_rng_uniform(&rng) * p->acquisition_days * DAY;
    g->next[u] = at;
    g->first[u] = p->start + (int64_t)floor(at);
}

retain_status rt_gen_tx_create(const rt_gen_tx_params *p, rt_gen_tx **out)
{
    *out = NULL;
    retain_status s = rt_gen_tx_params_check(p);
    if (s)
        return s;
    int64_t per_user = 4 * (int64_t)sizeof(double) + (int64_t)sizeof(int64_t) +
                       (int64_t)sizeof(int32_t) + 1;
    char what[96];
    snprintf(what, sizeof what, "-n %lld: the state of that many users, twice over",
             (long long)p->users);
    if (rt_mem_check_claim(2 * p->users * per_user, what, "generate fewer users per run"))
        return RETAIN_ERR_USAGE;
    rt_gen_tx *g = calloc(1, sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    g->p = *p;
    g->p.lines.seed = p->seed;
    if ((s = rt_gen_baskets_create(&g->p.lines, &g->lines))) {
        free(g);
        return s;
    }
    size_t n = (size_t)p->users;
    g->next = malloc(n * sizeof *g->next);
    void *users = NULL;
    retain_malloc(n * sizeof *g->users, &users);
    g->users = users;
    g->first = malloc(n * sizeof *g->first);
    g->nthreads = rt_threads();
    g->threads = calloc((size_t)g->nthreads, sizeof *g->threads);
    g->runs = malloc((size_t)g->nthreads * sizeof *g->runs);
    bool ok = g->next && g->users && g->first && g->threads && g->runs;
    int64_t max_len = rt_gen_baskets_max_len(g->lines);
    for (int t = 0; ok && t < g->nthreads; t++) {
        g->threads[t].ids = malloc((size_t)max_len * sizeof(int32_t));
        g->threads[t].weights = malloc((size_t)max_len * sizeof(double));
        ok = g->threads[t].ids && g->threads[t].weights;
    }
    if (!ok) {
        rt_gen_tx_free(g);
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the state of %lld users",
                        (long long)p->users);
    }
    int64_t blocks = (p->users + USER_BLOCK - 1) / USER_BLOCK;
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t hi = (b + 1) * USER_BLOCK < p->users ? (b + 1) * USER_BLOCK : p->users;
        for (int64_t u = b * USER_BLOCK; u < hi; u++)
            draw_user(g, u);
    }
    g->end = p->start + p->days * (int64_t)DAY;
    /* Lines a day: first purchases plus repeat purchases of everybody
    ** still active, an upper bound after the acquisition period. */
    double acq = p->acquisition_days > 1.0 ? p->acquisition_days : 1.0;
    double per_day = ((double)p->users / acq + (double)p->users * p->r / p->alpha) *
                     p->lines.avg_len;
    double window = floor(WINDOW_EVENTS / per_day * DAY);
    g->window = window < 3600.0 ? 3600 : window > (double)p->days * DAY
                                             ? p->days * (int64_t)DAY
                                             : (int64_t)window;
    g->w0 = p->start;
    *out = g;
    return RETAIN_OK;
}

void rt_gen_tx_free(rt_gen_tx *g)
{
    if (!g)
        return;
    rt_gen_baskets_free(g->lines);
    free(g->next);
    retain_free(g->users);
    free(g->first);
    for (int t = 0; g->threads && t < g->nthreads; t++) {
        free(g->threads[t].orders);
        free(g->threads[t].sorted);
        free(g->threads[t].lines);
        free(g->threads[t].ids);
        free(g->threads[t].weights);
    }
    free(g->threads);
    free(g->runs);
    free(g->refunds);
    free(g->o_user);
    free(g->o_time);
    free(g->o_cents);
    free(g->o_order);
    free(g->o_item);
    free(g);
}

const rt_gen_baskets *rt_gen_tx_lines(const rt_gen_tx *g) { return g->lines; }

/* Grows *buf (elements of `size` bytes) to hold n; false when out of memory. */
static bool grow(void **buf, int64_t *cap, int64_t n, size_t size)
{
    if (n <= *cap)
        return true;
    int64_t c = *cap ? *cap : 4096;
    while (c < n)
        c *= 2;
    void *b = realloc(*buf, (size_t)c * size);
    if (!b)
        return false;
    *buf = b;
    *cap = c;
    return true;
}

/* Emits user u's orders before `limit` (seconds after start) into t's
** buffers; false when out of memory. */
static bool emit_user(rt_gen_tx *g, thread_state *t, int64_t u, double limit)
{
    const rt_gen_tx_params *p = &g->p;
    const double horizon = (double)p->days * DAY;
    tx_user *x = &g->users[u];
    while (g->next[u] < limit) {
        int32_t k = x->orders;
        rt_rng rng;
        rt_rng_init(&rng, p->seed, ((uint64_t)u << ORDER_BITS) | (uint64_t)k);
        int64_t len = rt_gen_baskets_draw(g->lines, &rng, t->ids);
        if (!grow((void **)&t->lines, &t->lines_cap, t->nlines + len, sizeof *t->lines) ||
            !grow((void **)&t->orders, &t->orders_cap, t->norders + 1, sizeof *t->orders))
            return false;
        double z = rt_rng_gamma(&rng, p->p, 1.0 / x->nu);
        double c = floor(z * 100.0 + 0.5);
        int64_t cents = c < (double)len ? len : c > (double)MAX_CENTS ? MAX_CENTS : (int64_t)c;
        double total_w = 0.0;
        for (int64_t j = 0; j < len; j++) {
            t->weights[j] = 0.5 + rt_rng_uniform(&rng);
            total_w += t->weights[j];
        }
        int64_t rest = cents - len, given = 0;
        tx_line *line = t->lines + t->nlines;
        for (int64_t j = 0; j < len; j++) {
            int64_t share = (int64_t)floor((double)rest * t->weights[j] / total_w);
            if (share > rest - given)
                share = rest - given;
            given += share;
            line[j].cents = 1 + share;
            line[j].item = t->ids[j];
            line[j].refund_after = 0;
            if (rt_rng_uniform(&rng) < p->refund_rate) {
                double wait = 3600.0 + ceil(rt_rng_exponential(&rng, 1.0 / (REFUND_MEAN_DAYS * DAY)));
                line[j].refund_after = wait < 1073741824.0 ? (int32_t)wait : 1073741824;
            }
        }
        for (int64_t j = 0; given < rest; j = (j + 1) % len, given++)
            line[j].cents++;
        tx_order *o = &t->orders[t->norders++];
        o->key = ((uint64_t)floor(g->next[u]) << USER_BITS) | (uint64_t)u;
        o->line0 = t->nlines;
        o->seq = k;
        o->lines = (int32_t)len;
        t->nlines += len;
        x->orders = k + 1;
        if (k >= 1 && rt_rng_uniform(&rng) < x->pdrop) {
            x->alive = 0;
            g->next[u] = INFINITY;
            break;
        }
        double at = x->lambda > 0.0 ? g->next[u] + rt_rng_exponential(&rng, x->lambda / DAY)
                                    : INFINITY;
        g->next[u] = at < horizon && k + 1 < MAX_ORDERS ? at : INFINITY;
    }
    return true;
}

/* Stable LSD radix sort by key, 8 bits a pass, skipping bytes all keys
** share. A user's orders are emitted in seq order, so stability gives the
** (key, seq) order. */
static void sort_orders(thread_state *t)
{
    int64_t n = t->norders;
    if (n < 2)
        return;
    uint64_t differ = 0;
    for (int64_t i = 1; i < n; i++)
        differ |= t->orders[i].key ^ t->orders[0].key;
    tx_order *src = t->orders, *dst = t->sorted;
    for (int shift = 0; shift < 64; shift += 8) {
        if (!((differ >> shift) & 0xFF))
            continue;
        int64_t at[256] = {0};
        for (int64_t i = 0; i < n; i++)
            at[(src[i].key >> shift) & 0xFF]++;
        int64_t sum = 0;
        for (int b = 0; b < 256; b++) {
            int64_t c = at[b];
            at[b] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++)
            dst[at[(src[i].key >> shift) & 0xFF]++] = src[i];
        tx_order *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != t->orders) {
        int64_t cap = t->orders_cap;
        t->sorted = t->orders;
        t->orders = src;
        t->orders_cap = t->sorted_cap;
        t->sorted_cap = cap;
    }
}

static inline bool order_less(const tx_order *x, const tx_order *y)
{
    return x->key != y->key ? x->key < y->key : x->seq < y->seq;
}

static inline bool refund_less(const tx_refund *x, const tx_refund *y)
{
    if (x->key != y->key)
        return x->key < y->key;
    return x->seq != y->seq ? x->seq < y->seq : x->line < y->line;
}

static void refund_push(rt_gen_tx *g, const tx_refund *r)
{
    tx_refund *h = g->refunds;
    int64_t i = g->nrefunds++;
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!refund_less(r, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = *r;
}

static void refund_pop(rt_gen_tx *g)
{
    tx_refund *h = g->refunds, last = h[--g->nrefunds];
    int64_t i = 0, n = g->nrefunds;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && refund_less(&h[c + 1], &h[c]))
            c++;
        if (!refund_less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n > 0)
        h[i] = last;
}

static inline const tx_order *run_head(const rt_gen_tx *g, int r)
{
    return &g->threads[r].orders[g->threads[r].pos];
}

/* Restores the run heap below slot i. */
static void runs_sift(rt_gen_tx *g, int n, int i)
{
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && order_less(run_head(g, g->runs[c + 1]), run_head(g, g->runs[c])))
            c++;
        if (!order_less(run_head(g, g->runs[c]), run_head(g, g->runs[i])))
            return;
        int t = g->runs[i];
        g->runs[i] = g->runs[c];
        g->runs[c] = t;
        i = c;
    }
}

static bool reserve_out(rt_gen_tx *g, int64_t n)
{
    if (n <= g->out_cap)
        return true;
    int64_t cap = g->out_cap ? g->out_cap : 65536;
    while (cap < n)
        cap *= 2;
    void **slot[5] = {(void **)&g->o_user, (void **)&g->o_time, (void **)&g->o_cents,
                      (void **)&g->o_order, (void **)&g->o_item};
    size_t size[5] = {8, 8, 8, 8, 4};
    for (int i = 0; i < 5; i++) {
        void *b = realloc(*slot[i], (size_t)cap * size[i]);
        if (!b)
            return false;
        *slot[i] = b;
    }
    g->out_cap = cap;
    return true;
}

static inline void put_event(rt_gen_tx *g, int64_t i, uint64_t key, int64_t cents,
                             int32_t item, int64_t order_id)
{
    g->o_user[i] = (int64_t)(key & ((1ULL << USER_BITS) - 1)) + 1;
    g->o_time[i] = g->p.start + (int64_t)(key >> USER_BITS);
    g->o_cents[i] = cents;
    g->o_item[i] = item;
    g->o_order[i] = order_id;
}

/* Emits one order (all its lines) at out, numbering it and queueing its
** refunds; returns the new out, or -1 when out of memory. */
static int64_t put_order(rt_gen_tx *g, const thread_state *t, const tx_order *o, int64_t out)
{
    int64_t id = ++g->next_order_id;
    g->totals.orders++;
    uint64_t end_off = (uint64_t)(g->end - g->p.start);
    for (int32_t j = 0; j < o->lines; j++) {
        const tx_line *l = &t->lines[o->line0 + j];
        put_event(g, out++, o->key, l->cents, l->item, id);
        uint64_t at = (o->key >> USER_BITS) + (uint64_t)l->refund_after;
        if (l->refund_after > 0 && at < end_off) {
            if (!grow((void **)&g->refunds, &g->refunds_cap, g->nrefunds + 1,
                      sizeof *g->refunds))
                return -1;
            tx_refund r = {(at << USER_BITS) | (o->key & ((1ULL << USER_BITS) - 1)),
                           -l->cents, id, o->seq, j, l->item};
            refund_push(g, &r);
        }
    }
    return out;
}

/* Merges the sorted thread runs and the refunds due before `limit` (seconds
** after start) into the output arrays; returns the event count or -1 when
** out of memory. */
static int64_t merge_window(rt_gen_tx *g, uint64_t limit)
{
    int64_t lines = 0;
    int nruns = 0;
    for (int t = 0; t < g->nthreads; t++) {
        g->threads[t].pos = 0;
        lines += g->threads[t].nlines;
        if (g->threads[t].norders > 0)
            g->runs[nruns++] = t;
    }
    for (int i = nruns / 2 - 1; i >= 0; i--)
        runs_sift(g, nruns, i);
    int64_t out = 0;
    for (;;) {
        const tx_order *o = nruns ? run_head(g, g->runs[0]) : NULL;
        const tx_refund *r = g->nrefunds > 0 && (g->refunds[0].key >> USER_BITS) < limit
                                 ? &g->refunds[0]
                                 : NULL;
        if (r && o && (o->key < r->key || (o->key == r->key && o->seq < r->seq)))
            r = NULL;
        if (!o && !r)
            break;
        /* Room for this order (or refund) and all lines still to come. */
        if (!reserve_out(g, out + 1 + lines))
            return -1;
        if (r) {
            put_event(g, out++, r->key, r->cents, r->item, r->order_id);
            refund_pop(g);
            g->totals.refunds++;
            continue;
        }
        thread_state *t = &g->threads[g->runs[0]];
        lines -= o->lines;
        if ((out = put_order(g, t, o, out)) < 0)
            return -1;
        if (++t->pos == t->norders)
            g->runs[0] = g->runs[--nruns];
        runs_sift(g, nruns, 0);
    }
    return out;
}

retain_status rt_gen_tx_next(rt_gen_tx *g, rt_gen_tx_events *out, bool *done)
{
    memset(out, 0, sizeof *out);
    *done = g->w0 >= g->end;
    if (*done)
        return RETAIN_OK;
    int64_t we = g->w0 + g->window < g->end ? g->w0 + g->window : g->end;
    double limit = (double)(we - g->p.start);
    int64_t blocks = (g->p.users + USER_BLOCK - 1) / USER_BLOCK;
    int failed = 0;
#pragma omp parallel num_threads(g->nthreads)
    {
        thread_state *t = &g->threads[omp_get_thread_num()];
        t->norders = t->nlines = 0;
#pragma omp for schedule(dynamic) nowait
        for (int64_t b = 0; b < blocks; b++) {
            int64_t hi = (b + 1) * USER_BLOCK < g->p.users ? (b + 1) * USER_BLOCK : g->p.users;
            for (int64_t u = b * USER_BLOCK; u < hi; u++)
                if (g->next[u] < limit && !emit_user(g, t, u, limit)) {
#pragma omp atomic write
                    failed = 1;
                }
        }
        if (grow((void **)&t->sorted, &t->sorted_cap, t->norders, sizeof *t->sorted))
            sort_orders(t);
        else {
#pragma omp atomic write
            failed = 1;
        }
    }
    if (failed)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a window of log events");
    int64_t n = merge_window(g, (uint64_t)limit);
    if (n < 0)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a window of log events");
    g->totals.events += n;
    g->w0 = we;
    out->count = n;
    out->user_id = g->o_user;
    out->timestamp = g->o_time;
    out->cents = g->o_cents;
    out->item = g->o_item;
    out->order_id = g->o_order;
    out->window_end = we;
    return RETAIN_OK;
}

void rt_gen_tx_truth_block(const rt_gen_tx *g, int64_t first, int64_t count,
                           const rt_gen_tx_truth *out)
{
    for (int64_t i = 0; i < count; i++) {
        const tx_user *x = &g->users[first + i];
        out->lambda[i] = x->lambda;
        out->p[i] = x->pdrop;
        out->nu[i] = x->nu;
        out->first_purchase[i] = g->first[first + i];
        out->orders[i] = x->orders;
        out->alive[i] = x->alive;
    }
}

rt_gen_tx_totals rt_gen_tx_totals_get(const rt_gen_tx *g)
{
    rt_gen_tx_totals t = g->totals;
    t.alive = 0;
    for (int64_t u = 0; u < g->p.users; u++)
        t.alive += g->users[u].alive;
    return t;
}
