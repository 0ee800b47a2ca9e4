/*
** src/clv/value.c: what a fitted model says about customers over a horizon:
** P(alive), expected occasions, expected spend and lifetime value with
** discounting, the P(alive) bands summaries count customers in, and a new
** customer's expected occasions (the tracking curve
** of holdout.c sums them). Per-customer formulas are predict.c's; this file
** only combines them, so any model predict.c knows works here. Customers
** with equal (x, tx, T) share their count predictions: these are computed
** once per distinct summary (rt_clv_distinct of collapse.c groups them).
**
** Unconditional expected repeat occasions in (0, t] after the trial:
**   BG/NBD (FHL 2005, eq. 9):
**     (a+b-1)/(a-1) [1 - (al/(al+t))^r 2F1(r, b; a+b-1; t/(al+t))]
**   MBG/NBD (dropout also at the trial, so E[X | lambda, p] is (1-p)/p
**   (1 - e^(-lambda p t)); the beta integral and Pfaff's transformation):
**     b/(a-1) [1 - (al/(al+t))^r 2F1(r, b+1; a+b; t/(al+t))]
**   Pareto/NBD (Schmittlein et al. 1987; r, alpha, s, beta):
**     r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)],
**     r beta / alpha ln(1 + t/beta) at s = 1.
*/
#include "clv.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/special.h"

#include <math.h>
#include <stdlib.h>

double rt_clv_expected_new(rt_clv_model model, const double *params, double t)
{
    if (!(t > 0))
        return 0.0;
    double r = params[0], al = params[1], a = params[2], b = params[3];
    if (model == RT_CLV_PARETO) {
        double s = a, beta = b, u = log1p(t / beta);
        return r * beta / al * (s == 1.0 ? u : -expm1(-(s - 1) * u) / (s - 1));
    }
    double k = model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    double lead = (model == RT_CLV_MBGNBD ? b : a + b - 1) / (a - 1);
    double decay = exp(r * (log(al) - log(al + t)));
    return lead * (1.0 - decay * rt_hyp2f1(r, b + k, a + b - 1 + k, t / (al + t)));
}

double rt_clv_discounted(rt_clv_model model, const double *params, const rt_clv_horizon *h,
                         double x, double tx, double T)
{
    /* a horizon within 1e-9 periods of a whole number of them is that number */
    int64_t steps = (int64_t)ceil(h->length / h->period - 1e-9);
    double sum = 0.0, before = 0.0;
    for (int64_t k = 1; k <= steps; k++) {
        double t = k == steps ? h->length : (double)k * h->period;
        double e = rt_clv_expected(model, params, t, x, tx, T);
        sum += (e - before) / pow(1.0 + h->rate, t / h->period);
        before = e;
    }
    return sum;
}

retain_status rt_clv_predict_all(rt_clv_model model, const double *params,
                                 const double *spend, const rt_clv_horizon *h,
                                 const rt_clv_summary *s, const rt_clv_predictions *out)
{
    int64_t n = s->n;
    int64_t *group = malloc((size_t)(n > 0 ? n : 1) * sizeof *group);
    rt_clv_groups g = {0};
    double *per = NULL;
    retain_status st = group ? rt_clv_distinct(s, &g, group)
                             : rt_error(RETAIN_ERR_INTERNAL, "out of memory to predict for "
                                        "%lld customers", (long long)n);
    int64_t m = g.s.n;
    if (!st && !(per = malloc((size_t)(3 * (m > 0 ? m : 1)) * sizeof *per)))
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the predictions of %lld "
                      "distinct summaries", (long long)m);
    if (!st) {
        double *p_alive = per, *expected = per + m, *discounted = per + 2 * m;
#pragma omp parallel for schedule(dynamic, 256) num_threads(rt_threads())
        for (int64_t k = 0; k < m; k++) {
            double x = g.s.x[k], tx = g.s.tx[k], T = g.s.T[k];
            p_alive[k] = rt_clv_p_alive(model, params, x, tx, T);
            expected[k] = rt_clv_expected(model, params, h->length, x, tx, T);
            if (spend)
                discounted[k] = rt_clv_discounted(model, params, h, x, tx, T);
        }
#pragma omp parallel for schedule(static) num_threads(rt_threads())
        for (int64_t i = 0; i < n; i++) {
            int64_t k = group[i];
            out->p_alive[i] = p_alive[k];
            out->expected[i] = expected[k];
            if (spend) {
                out->spend[i] = rt_clv_expected_spend(spend, s->x[i], s->m[i]);
                out->value[i] = out->spend[i] * discounted[k];
            }
        }
    }
    free(per);
    free(group);
    rt_clv_groups_free(&g);
    return st;
}

const double rt_clv_band_upper[RT_CLV_BANDS] = {0.1, 0.5, 0.9, 1.0};
const char *const rt_clv_band_names[RT_CLV_BANDS] = {"< 0.1", "0.1 - 0.5", "0.5 - 0.9",
                                                     ">= 0.9"};

int rt_clv_band(double p_alive)
{
    int b = 0;
    while (b < RT_CLV_BANDS - 1 && !(p_alive < rt_clv_band_upper[b]))
        b++;
    return b;
}
