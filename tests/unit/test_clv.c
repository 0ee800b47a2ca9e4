/*
** tests/unit/test_clv.c: src/clv/collapse.c and the weighted fits on its
** groups. A summary of 20000 customers drawn from a Pareto/NBD process in
** whole days (so many customers share (x, t_x, T)) is collapsed: every
** group is distinct, the weights add up to the customers, and every
** customer finds its group; the groups are strictly ordered by (x, t_x,
** T) and weigh what a count of their customers finds; rt_clv_distinct
** finds the same groups and gives each customer its own. BG/NBD, MBG/NBD
** and Pareto/NBD fitted on the groups equal the fits on the customers
** (log-likelihood within 1e-9 relative, estimates within 1e-6).
** Pareto/NBD refuses a summary without repeat purchases by name, and its
** likelihood stays finite for customers whose purchases all fell on one
** day (x = 0, t_x = 0, T = 0 too).
** The quadrature of pareto_quadrature.c equals the series of pareto.c, a
** different method, to 1e-12 in ln I and 1e-10 in its derivatives, on
** parameters and customers where the series converges.
** rt_clv_predict_all, which evaluates the count models once per distinct
** (x, t_x, T), gives every customer the same bits as the per-customer
** formulas of predict.c and value.c, on 1 and on 2 threads.
*/
#include "check.h"

#include "clv/clv.h"
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static double xs[N], txs[N], Ts[N];

/* Purchases at rate lambda until an exponential dropout, in days, over an
** age of 0 .. 272 days; times in weeks. */
static void draw(void)
{
    rt_rng rng;
    rt_rng_init(&rng, 11, 0);
    for (int i = 0; i < N; i++) {
        double lambda = rt_rng_gamma(&rng, 0.5, 1.0 / 70), mu = rt_rng_gamma(&rng, 0.6, 1.0 / 80);
        double age = (double)rt_rng_below(&rng, 273), end = rt_rng_exponential(&rng, mu);
        double t = 0, last = 0;
        int x = 0;
        for (;;) {
            t += rt_rng_exponential(&rng, lambda);
            if (t > age || t > end)
                break;
            x++;
            last = floor(t);
        }
        xs[i] = x;
        txs[i] = last / 7;
        Ts[i] = age / 7;
    }
}

static void collapse(void)
{
    rt_clv_summary s = {N, xs, txs, Ts, NULL, NULL};
    rt_clv_groups g;
    CHECK(rt_clv_collapse(&s, &g) == RETAIN_OK, "collapse");
    double total = 0;
    bool distinct = true;
    for (int64_t k = 0; k < g.s.n; k++) {
        total += g.s.w[k];
        if (k > 0 && g.s.x[k] == g.s.x[k - 1] && g.s.tx[k] == g.s.tx[k - 1] &&
            g.s.T[k] == g.s.T[k - 1])
            distinct = false;
    }
    CHECK(total == N && distinct && g.s.n < N / 3, "%lld groups, weights %g", (long long)g.s.n,
          total);
    int missing = 0;
    for (int i = 0; i < N; i += 97) {
        bool found = false;
        for (int64_t k = 0; k < g.s.n && !found; k++)
            found = g.s.x[k] == xs[i] && g.s.tx[k] == txs[i] && g.s.T[k] == Ts[i];
        missing += !found;
    }
    CHECK(missing == 0, "%d customers without their group", missing);
    int unordered = 0, miscounted = 0;
    for (int64_t k = 1; k < g.s.n; k++) /* strictly increasing in (x, tx, T) */
        unordered += !(g.s.x[k - 1] < g.s.x[k] ||
                       (g.s.x[k - 1] == g.s.x[k] &&
                        (g.s.tx[k - 1] < g.s.tx[k] ||
                         (g.s.tx[k - 1] == g.s.tx[k] && g.s.T[k - 1] < g.s.T[k]))));
    for (int64_t k = 0; k < g.s.n; k += 7) { /* weights: the customers, counted */
        int count = 0;
        for (int i = 0; i < N; i++)
            count += xs[i] == g.s.x[k] && txs[i] == g.s.tx[k] && Ts[i] == g.s.T[k];
        miscounted += g.s.w[k] != count;
    }
    CHECK(unordered == 0 && miscounted == 0, "%d groups out of order, %d miscounted",
          unordered, miscounted);
    static int64_t group[N];
    rt_clv_groups d;
    CHECK(rt_clv_distinct(&s, &d, group) == RETAIN_OK, "distinct");
    int wrong = 0;
    for (int i = 0; i < N; i++)
        wrong += !(group[i] >= 0 && group[i] < d.s.n && d.s.x[group[i]] == xs[i] &&
                   d.s.tx[group[i]] == txs[i] && d.s.T[group[i]] == Ts[i]);
    CHECK(d.s.n == g.s.n && wrong == 0, "distinct: %lld groups (collapse %lld), %d customers "
          "in a wrong one", (long long)d.s.n, (long long)g.s.n, wrong);
    rt_clv_groups_free(&d);
    for (rt_clv_model m = RT_CLV_BGNBD; m <= RT_CLV_PARETO; m++) {
        rt_clv_fit full, grouped;
        CHECK(rt_clv_fit_model(m, &s, NULL, 1e-10, 1000, &full) == RETAIN_OK &&
                  rt_clv_fit_model(m, &g.s, NULL, 1e-10, 1000, &grouped) == RETAIN_OK,
              "%s fits", rt_clv_title(m));
        CHECK(full.converged && grouped.converged &&
                  fabs(full.loglik - grouped.loglik) <= 1e-9 * fabs(full.loglik),
              "%s log-likelihood %.12f on customers, %.12f on groups", rt_clv_title(m),
              full.loglik, grouped.loglik);
        for (int j = 0; j < 4; j++)
            CHECK(fabs(full.params[j] - grouped.params[j]) <= 1e-6 * full.params[j],
                  "%s parameter %d: %.9g vs %.9g", rt_clv_title(m), j, full.params[j],
                  grouped.params[j]);
    }
    rt_clv_groups_free(&g);
}

static void pareto_edges(void)
{
    double x[3] = {0, 0, 0}, tx[3] = {0, 0, 0}, T[3] = {0, 5, 30};
    rt_clv_summary s = {3, x, tx, T, NULL, NULL};
    rt_clv_fit f;
    CHECK(rt_clv_fit_model(RT_CLV_PARETO, &s, NULL, 1e-9, 100, &f) == RETAIN_ERR_DATA &&
              strstr(retain_last_error(), "Pareto/NBD") &&
              strstr(retain_last_error(), "repeat purchase"),
          "no repeat purchases: %s", retain_last_error());
    const double p[4] = {0.55, 10.6, 0.61, 11.7};
    double ll, grad[4];
    CHECK(rt_clv_loglik(RT_CLV_PARETO, &s, p, &ll, grad) == RETAIN_OK && isfinite(ll) &&
              isfinite(grad[0]) && isfinite(grad[1]) && isfinite(grad[2]) && isfinite(grad[3]),
          "one-day customers: log-likelihood %g", ll);
    /* T = 0: nobody can have left yet */
    CHECK(rt_clv_p_alive(RT_CLV_PARETO, p, 0, 0, 0) == 1.0, "P(alive) at T = 0");
}

/* (p, e1, q, e2, a, b) where the series converges: (e2 + 40) (p + a) / (q + a)
** below 500. */
static void pareto_quadrature_vs_series(void)
{
    static const double cases[][6] = {
        {11.7, 0.61 + 1, 10.6, 0.55, 0, 39}, {11.7, 0.61 + 1, 10.6, 12.55, 38, 39},
        {40.0, 3.3, 8.0, 2.4, 0, 5},         {40.0, 42.3, 2.5, 2.4, 12.5, 40},
        {60.0, 1.7, 6.0, 2.0, 0, 39},        {60.0, 1.7, 20.0, 102.0, 20, 2000},
        {5.0, 0.8, 5.0, 1.5, 0, 5},          {5.0, 60.8, 5.0, 1.5, 5, 2000},
        {0.9, 3.05, 0.03, 4.0, 2, 40},       {30.0, 0.5, 1.0, 0.2, 5, 1500},
        {1e4, 120.0, 800.0, 0.3, 100, 300},  {3.0, 80.0, 0.5, 150.0, 10, 50}};
    int worse = 0, n = (int)(sizeof cases / sizeof *cases);
    for (int i = 0; i < n; i++) {
        const double *c = cases[i];
        rt_clv_integral S = {0}, Q = {0};
        bool ok = rt_clv_pareto_series(c[0], c[1], c[2], c[3], c[4], c[5], &S) &&
                  rt_clv_pareto_quadrature(c[0], c[1], c[2], c[3], c[4], c[5], &Q);
        double want[5] = {S.log_value, S.d_p, S.d_e1, S.d_q, S.d_e2};
        double got[5] = {Q.log_value, Q.d_p, Q.d_e1, Q.d_q, Q.d_e2};
        for (int j = 0; j < 5; j++)
            if (!ok || !(fabs(got[j] - want[j]) <= (j ? 1e-10 : 1e-12) * fabs(want[j]))) {
                worse++;
                fprintf(stderr, "case %d, part %d: %s; quadrature %.17g, series %.17g\n", i, j,
                        ok ? "differ" : "no value", got[j], want[j]);
                break;
            }
    }
    CHECK(worse == 0, "%d of %d integrals differ between quadrature and series", worse, n);
}

/* Every model's predictions for the drawn customers (mean spends varied
** per customer) against predict.c and value.c customer by customer. */
static void predictions(void)
{
    static double ms[N], out[4 * N];
    for (int i = 0; i < N; i++)
        ms[i] = xs[i] > 0 ? 5.0 + (double)(i % 37) : 0.0;
    rt_clv_summary s = {N, xs, txs, Ts, ms, NULL};
    const double spend[3] = {6.25, 3.74, 15.44};
    const double params[3][4] = {{0.243, 4.414, 0.793, 2.426}, /* BG/NBD, CDNOW */
                                 {0.525, 6.183, 0.891, 1.614},
                                 {0.553, 10.58, 0.606, 11.67}}; /* Pareto/NBD */
    const rt_clv_horizon h = {39.0, 4.348, 0.01};
    for (int threads = 1; threads <= 2; threads++) {
        retain_threads_set(threads);
        for (rt_clv_model m = RT_CLV_BGNBD; m <= RT_CLV_PARETO; m++) {
            memset(out, 0, sizeof out);
            rt_clv_predictions p = {out, out + N, out + 2 * N, out + 3 * N};
            CHECK(rt_clv_predict_all(m, params[m], spend, &h, &s, &p) == RETAIN_OK,
                  "%s predictions", rt_clv_title(m));
            int differ = 0, first = -1;
            for (int i = 0; i < N; i++) {
                double want[4] = {rt_clv_p_alive(m, params[m], xs[i], txs[i], Ts[i]),
                                  rt_clv_expected(m, params[m], h.length, xs[i], txs[i], Ts[i]),
                                  rt_clv_expected_spend(spend, xs[i], ms[i]), 0.0};
                want[3] = want[2] * rt_clv_discounted(m, params[m], &h, xs[i], txs[i], Ts[i]);
                for (int c = 0; c < 4; c++)
                    if (memcmp(&out[c * N + i], &want[c], sizeof want[c]) != 0 &&
                        differ++ == 0)
                        first = i;
            }
            CHECK(differ == 0, "%s, %d threads: %d predictions differ from the per-customer "
                  "formulas, first customer %d", rt_clv_title(m), threads, differ, first);
        }
    }
    retain_threads_set(0);
}

int main(void)
{
    draw();
    collapse();
    pareto_edges();
    pareto_quadrature_vs_series();
    predictions();
    CHECK_DONE();
}
