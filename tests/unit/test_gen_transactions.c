/*
** tests/unit/test_gen_transactions.c: the purchase-log generator
** (src/gen/transactions.c). The log is checked event by event (time order,
** ties by user, order numbering, refunds matching a line of their order,
** orders and first purchases agreeing with the truth), made again with
** another thread count (same bits), and compared with the BG/NBD and
** Gamma-Gamma expectations: per user given the true lambda and p,
** E[X(t)] = (1 - exp(-lambda p t)) / p repeat purchases; over the mixing
** distributions, E[X(t)] by numerical integration over p (itself checked
** against the paper's closed form with the Gauss hypergeometric series);
** per order, E[value | nu] = p / nu. Bounds are 6 standard errors.
*/
#include "check.h"

#include "core/error.h"
#include "gen/transactions.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

/* ---- the expectations, computed independently of the generator ------------ */

/* 2F1(a, b; c; z) by its series, |z| < 1. */
static double hyp2f1(double a, double b, double c, double z)
{
    double term = 1.0, sum = 1.0;
    for (int n = 0; n < 200000 && fabs(term) > 1e-17 * fabs(sum); n++) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
        sum += term;
    }
    return sum;
}

/* Fader, Hardie and Lee (2005), equation 9. */
static double bgnbd_closed(double r, double alpha, double a, double b, double t)
{
    double z = t / (alpha + t);
    return (a + b - 1) / (a - 1) *
           (1 - pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z));
}

/* E[X(t)] = int_0^1 (1 - (alpha / (alpha + p t))^r) / p Beta(p; a, b) dp,
** with p = u^(1/a) to remove the p^(a-1) singularity; Simpson's rule. */
static double bgnbd_integral(double r, double alpha, double a, double b, double t)
{
    const int n = 4000;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
        double u = (double)i / n, p = pow(u, 1.0 / a);
        double f = p > 0 ? -expm1(-r * log1p(p * t / alpha)) / p : r * t / alpha;
        double v = f * pow(1.0 - p, b - 1.0);
        if (i == n)
            v = 0.0;
        sum += v * (i == 0 || i == n ? 1.0 : (i % 2) ? 4.0 : 2.0);
    }
    double beta = exp(lgamma(a) + lgamma(b) - lgamma(a + b));
    return sum / (3.0 * n) / (a * beta);
}

/* ---- reading a whole log ----------------------------------------------------- */

/* The whole truth of g as it stands; release with truth_free. */
static rt_gen_tx_truth truth_get(const rt_gen_tx *g, int64_t n)
{
    rt_gen_tx_truth t = {malloc((size_t)n * 8), malloc((size_t)n * 8), malloc((size_t)n * 8),
                         malloc((size_t)n * 8), malloc((size_t)n * 8), malloc((size_t)n)};
    rt_gen_tx_truth_block(g, 0, n, &t);
    return t;
}

static void truth_free(rt_gen_tx_truth *t)
{
    free(t->lambda);
    free(t->p);
    free(t->nu);
    free(t->first_purchase);
    free(t->orders);
    free(t->alive);
}

typedef struct line_rec {
    int64_t time, cents;
    int32_t item;
    bool refunded;
} line_rec;

typedef struct log_stats {
    int64_t events, lines, refunds, bad_order, bad_time, bad_refund, bad_user;
    int64_t *orders;     /* per user, counted from the log */
    int64_t *first;      /* first event per user           */
    double spend_sum, spend_expect, spend_var; /* per order, against p / nu */
    int64_t *order_line0; /* per order id: first line in `lines_seen` */
    line_rec *lines_seen;
    int64_t nlines_cap, norders_cap;
} log_stats;

static void read_log(rt_gen_tx *g, const rt_gen_tx_params *p, log_stats *st, rt_gen_tx *twin,
                     int64_t *twin_diffs)
{
    memset(st, 0, sizeof *st);
    st->orders = calloc((size_t)p->users, sizeof *st->orders);
    st->first = malloc((size_t)p->users * sizeof *st->first);
    for (int64_t u = 0; u < p->users; u++)
        st->first[u] = -1;
    st->nlines_cap = 1 << 16;
    st->norders_cap = 1 << 16;
    st->lines_seen = malloc((size_t)st->nlines_cap * sizeof *st->lines_seen);
    st->order_line0 = malloc((size_t)(st->norders_cap + 1) * sizeof *st->order_line0);
    rt_gen_tx_truth start_truth = truth_get(g, p->users);
    const double *nu = start_truth.nu;
    int64_t last_time = INT64_MIN, last_user = 0, max_order = 0, order_cents = 0;
    int64_t order_user = -1, end = p->start + p->days * (int64_t)DAY;
    bool done = false, twin_done = false;
    while (!done) {
        rt_gen_tx_events ev, tw;
        CHECK(rt_gen_tx_next(g, &ev, &done) == RETAIN_OK, "next window");
        if (twin) {
            CHECK(rt_gen_tx_next(twin, &tw, &twin_done) == RETAIN_OK, "twin window");
            if (twin_done != done || tw.count != ev.count)
                (*twin_diffs)++;
            else if (ev.count > 0 &&
                     (memcmp(tw.user_id, ev.user_id, (size_t)ev.count * 8) ||
                      memcmp(tw.timestamp, ev.timestamp, (size_t)ev.count * 8) ||
                      memcmp(tw.cents, ev.cents, (size_t)ev.count * 8) ||
                      memcmp(tw.item, ev.item, (size_t)ev.count * 4) ||
                      memcmp(tw.order_id, ev.order_id, (size_t)ev.count * 8)))
                (*twin_diffs)++;
        }
        for (int64_t i = 0; i < ev.count; i++) {
            int64_t t = ev.timestamp[i], u = ev.user_id[i] - 1, id = ev.order_id[i];
            st->events++;
            if (t < last_time || (t == last_time && u + 1 < last_user) || t < p->start ||
                t >= end)
                st->bad_time++;
            last_time = t;
            last_user = u + 1;
            if (u < 0 || u >= p->users) {
                st->bad_user++;
                continue;
            }
            if (st->first[u] < 0)
                st->first[u] = t;
            if (ev.cents[i] < 0) {
                /* A refund: a line of an earlier order, same item, opposite amount. */
                st->refunds++;
                bool ok = id >= 1 && id <= max_order;
                line_rec *match = NULL;
                for (int64_t j = ok ? st->order_line0[id] : 0;
                     ok && j < (id < max_order ? st->order_line0[id + 1] : st->lines); j++)
                    if (st->lines_seen[j].item == ev.item[i])
                        match = &st->lines_seen[j];
                if (!match || match->refunded || match->cents != -ev.cents[i] ||
                    match->time >= t)
                    st->bad_refund++;
                else
                    match->refunded = true;
                continue;
            }
            if (id == max_order + 1) {
                if (order_user >= 0) {
                    double v = (double)order_cents / 100.0, shape = p->p;
                    st->spend_sum += v;
                    st->spend_expect += shape / nu[order_user];
                    st->spend_var += shape / (nu[order_user] * nu[order_user]);
                }
                max_order = id;
                order_cents = 0;
                order_user = u;
                st->orders[u]++;
                if (id > st->norders_cap) {
                    st->norders_cap *= 2;
                    st->order_line0 = realloc(st->order_line0,
                                              (size_t)(st->norders_cap + 1) * sizeof(int64_t));
                }
                st->order_line0[id] = st->lines;
            } else if (id != max_order || u != order_user) {
                st->bad_order++;
            }
            order_cents += ev.cents[i];
            if (st->lines == st->nlines_cap) {
                st->nlines_cap *= 2;
                st->lines_seen = realloc(st->lines_seen,
                                         (size_t)st->nlines_cap * sizeof *st->lines_seen);
            }
            st->lines_seen[st->lines++] = (line_rec){t, ev.cents[i], ev.item[i], false};
        }
    }
    if (order_user >= 0) {
        st->spend_sum += (double)order_cents / 100.0;
        st->spend_expect += p->p / nu[order_user];
        st->spend_var += p->p / (nu[order_user] * nu[order_user]);
    }
    truth_free(&start_truth);
}

static void free_stats(log_stats *st)
{
    free(st->orders);
    free(st->first);
    free(st->order_line0);
    free(st->lines_seen);
}

/* Log against truth: orders and first purchases per user. */
static void check_against_truth(rt_gen_tx *g, const rt_gen_tx_params *p, const log_stats *st)
{
    rt_gen_tx_truth t = truth_get(g, p->users);
    int64_t bad_orders = 0, bad_first = 0, orders = 0;
    for (int64_t u = 0; u < p->users; u++) {
        bad_orders += st->orders[u] != t.orders[u] || t.orders[u] < 1;
        bad_first += st->first[u] != t.first_purchase[u];
        orders += t.orders[u];
    }
    CHECK(st->bad_time == 0, "%lld events out of time order or period", (long long)st->bad_time);
    CHECK(st->bad_user == 0, "%lld events with a bad user id", (long long)st->bad_user);
    CHECK(st->bad_order == 0, "%lld lines break order numbering", (long long)st->bad_order);
    CHECK(st->bad_refund == 0, "%lld refunds match no line", (long long)st->bad_refund);
    CHECK(bad_orders == 0, "%lld users whose order count differs from the truth",
          (long long)bad_orders);
    CHECK(bad_first == 0, "%lld users whose first event is not first_purchase",
          (long long)bad_first);
    rt_gen_tx_totals tot = rt_gen_tx_totals_get(g);
    CHECK(tot.events == st->events && tot.orders == orders && tot.refunds == st->refunds,
          "totals %lld events %lld orders %lld refunds", (long long)tot.events,
          (long long)tot.orders, (long long)tot.refunds);
    truth_free(&t);
}

static void check_params(void)
{
    static const char *fields[] = {"users", "r", "alpha", "b", "days", "acquisition_days",
                                   "refund_rate", "items"};
    for (int i = 0; i < 8; i++) {
        rt_gen_tx_params p;
        rt_gen_tx_params_init(&p);
        CHECK(rt_gen_tx_params_check(&p) == RETAIN_OK, "defaults are valid");
        switch (i) {
        case 0: p.users = 0; break;
        case 1: p.r = 0; break;
        case 2: p.alpha = -1; break;
        case 3: p.b = NAN; break;
        case 4: p.days = 0; break;
        case 5: p.acquisition_days = 800; break;
        case 6: p.refund_rate = 1.5; break;
        case 7: p.lines.items = 1; break;
        }
        retain_status s = rt_gen_tx_params_check(&p);
        CHECK(s == RETAIN_ERR_USAGE, "bad %s is a usage error (%d)", fields[i], (int)s);
        CHECK(strstr(retain_last_error(), fields[i]) != NULL, "message names %s: %s",
              fields[i], retain_last_error());
    }
}

static void check_expectation_code(void)
{
    double a = bgnbd_closed(0.243, 4.414 * 7, 0.793, 2.426, 365.0);
    double b = bgnbd_integral(0.243, 4.414 * 7, 0.793, 2.426, 365.0);
    CHECK(fabs(a - b) < 1e-4 * a, "closed form %.8f vs integral %.8f", a, b);
}

static void check_process(void)
{
    rt_gen_tx_params p;
    rt_gen_tx_params_init(&p);
    p.users = 40000;
    p.seed = 5;
    rt_gen_tx *g, *twin;
    retain_threads_set(1);
    CHECK(rt_gen_tx_create(&p, &g) == RETAIN_OK, "create");
    retain_threads_set(3);
    CHECK(rt_gen_tx_create(&p, &twin) == RETAIN_OK, "create with 3 threads");
    retain_threads_set(0);
    log_stats st;
    int64_t twin_diffs = 0;
    read_log(g, &p, &st, twin, &twin_diffs);
    CHECK(twin_diffs == 0, "%lld windows differ between 1 and 3 threads", (long long)twin_diffs);
    rt_gen_tx_truth a = truth_get(g, p.users), b = truth_get(twin, p.users);
    size_t n = (size_t)p.users;
    CHECK(!memcmp(a.lambda, b.lambda, n * 8) && !memcmp(a.p, b.p, n * 8) &&
              !memcmp(a.nu, b.nu, n * 8) && !memcmp(a.orders, b.orders, n * 8) &&
              !memcmp(a.first_purchase, b.first_purchase, n * 8) &&
              !memcmp(a.alive, b.alive, n),
          "truth equal for 1 and 3 threads");
    check_against_truth(g, &p, &st);

    /* Repeat purchases given each user's lambda and p, and over the mixing
    ** distributions (tabulated by day, interpolated). */
    double end_days = (double)p.days;
    double *table = malloc(((size_t)p.days + 2) * sizeof *table);
    for (int64_t d = 0; d <= p.days + 1; d++)
        table[d] = bgnbd_integral(p.r, p.alpha, p.a, p.b, (double)d);
    double res_c = 0, res2_c = 0, res_u = 0, res2_u = 0, observed = 0;
    for (int64_t u = 0; u < p.users; u++) {
        double t = end_days - (double)(a.first_purchase[u] - p.start) / DAY;
        double x = (double)(a.orders[u] - 1);
        double lp = a.lambda[u] * a.p[u] * t;
        double given = a.p[u] > 0 ? -expm1(-lp) / a.p[u] : a.lambda[u] * t;
        int64_t d = (int64_t)t;
        double mixed = table[d] + (t - (double)d) * (table[d + 1] - table[d]);
        res_c += x - given;
        res2_c += (x - given) * (x - given);
        res_u += x - mixed;
        res2_u += (x - mixed) * (x - mixed);
        observed += x;
    }
    double nn = (double)p.users;
    double se_c = sqrt(res2_c / nn - (res_c / nn) * (res_c / nn)) / sqrt(nn);
    double se_u = sqrt(res2_u / nn - (res_u / nn) * (res_u / nn)) / sqrt(nn);
    CHECK(fabs(res_c / nn) < 6 * se_c,
          "repeat purchases given lambda, p: mean residual %.4f (se %.4f), mean X %.4f",
          res_c / nn, se_c, observed / nn);
    CHECK(fabs(res_u / nn) < 6 * se_u,
          "repeat purchases vs BG/NBD E[X(t)]: mean residual %.4f (se %.4f), mean X %.4f",
          res_u / nn, se_u, observed / nn);
    free(table);

    /* Order values against p / nu. */
    double se_s = sqrt(st.spend_var);
    CHECK(fabs(st.spend_sum - st.spend_expect) < 6 * se_s + 1e-9,
          "order values sum %.1f, expected %.1f (se %.1f)", st.spend_sum, st.spend_expect,
          se_s);

    /* Refunds: refund_rate of lines, less those that would fall after the end. */
    double expect = p.refund_rate * (double)st.lines;
    CHECK(st.refunds > 0.8 * expect && st.refunds < expect + 6 * sqrt(expect),
          "%lld refunds for %lld lines at rate %g", (long long)st.refunds,
          (long long)st.lines, p.refund_rate);
    free_stats(&st);
    truth_free(&a);
    truth_free(&b);
    rt_gen_tx_free(g);
    rt_gen_tx_free(twin);
}

/* With a -> 0 the dropout chance is 0: everybody is alive at the end and
** repeat purchases are Poisson(lambda t). */
static void check_no_dropout(void)
{
    rt_gen_tx_params p;
    rt_gen_tx_params_init(&p);
    p.users = 20000;
    p.a = 1e-9;
    p.days = 365;
    p.refund_rate = 0.2;
    p.lines.avg_len = 1.0;
    rt_gen_tx *g;
    CHECK(rt_gen_tx_create(&p, &g) == RETAIN_OK, "create");
    log_stats st;
    read_log(g, &p, &st, NULL, NULL);
    check_against_truth(g, &p, &st);
    rt_gen_tx_truth t = truth_get(g, p.users);
    int64_t dead = 0;
    double res = 0, var = 0;
    for (int64_t u = 0; u < p.users; u++) {
        dead += !t.alive[u];
        double span = (double)p.days - (double)(t.first_purchase[u] - p.start) / DAY;
        double mean = t.lambda[u] * span;
        res += (double)(t.orders[u] - 1) - mean;
        var += mean;
    }
    CHECK(dead == 0, "%lld users dropped out with p = 0", (long long)dead);
    CHECK(fabs(res) < 6 * sqrt(var), "repeat purchases off Poisson(lambda t) by %.1f (sd %.1f)",
          res, sqrt(var));
    CHECK(st.lines == rt_gen_tx_totals_get(g).orders, "avg_len 1: one line per order");
    double expect = p.refund_rate * (double)st.lines;
    CHECK(st.refunds > 0.8 * expect && st.refunds < expect + 6 * sqrt(expect),
          "%lld refunds for %lld lines at rate %g", (long long)st.refunds,
          (long long)st.lines, p.refund_rate);
    free_stats(&st);
    truth_free(&t);
    rt_gen_tx_free(g);
}

int main(void)
{
    check_params();
    check_expectation_code();
    check_process();
    check_no_dropout();
    CHECK_DONE();
}
