/*
** src/clv/value.c: what a fitted model says about customers over a horizon:
** P(alive), expected occasions, expected spend and lifetime value with
** discounting, the P(alive) bands summaries count customers in, and a new
** customer's expected occasions (the tracking curve
** of holdout.c sums them). Per-customer formulas are predict.c's; this file
** only combines them, so any model predict.c knows works here. Millions
** of customers share few distinct (x, T): their factors are cached per
** thread (core/memo.h); the BG/NBD and MBG/NBD P(alive) is the clv_alive
** kernel's, vectorised over blocks of customers; the Pareto/NBD P(alive),
** a series in (x, tx, T), is computed once per distinct summary
** (rt_clv_distinct of collapse.c groups them).
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
#include "core/memo.h"
#include "core/parallel.h"
#include "core/special.h"

#include <math.h>
#include <omp.h>
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

double rt_clv_discounted_alive(rt_clv_model model, const double *params,
                               const rt_clv_horizon *h, double x, double T)
{
    /* a horizon within 1e-9 periods of a whole number of them is that number */
    int64_t steps = (int64_t)ceil(h->length / h->period - 1e-9);
    double sum = 0.0, before = 0.0;
    for (int64_t k = 1; k <= steps; k++) {
        double t = k == steps ? h->length : (double)k * h->period;
        double e = rt_clv_alive_expected(model, params, t, x, T);
        sum += (e - before) / pow(1.0 + h->rate, t / h->period);
        before = e;
    }
    return sum;
}

double rt_clv_discounted(rt_clv_model model, const double *params, const rt_clv_horizon *h,
                         double x, double tx, double T)
{
    return rt_clv_discounted_alive(model, params, h, x, T) *
           rt_clv_p_alive(model, params, x, tx, T);
}

/* Per thread: the factors of (x, T), sized for the (x, T) of a few hundred
** counts by a year of days (32-byte slots: 1 MiB). */
#define FACTORS_BITS 15
/* Customers a step: P(alive) of a block in one kernel call, then its
** factors, while the block is still in cache. */
#define BLOCK 1024

typedef struct predict_job {
    rt_clv_model model;
    const double *params, *spend;
    const rt_clv_horizon *h;
    const rt_clv_summary *s;
    const rt_clv_predictions *out;
    const int64_t *group;   /* Pareto/NBD: each customer's distinct summary */
    const double *p_group;  /* and its P(alive) */
} predict_job;

/* Customers [first, first + n) with this thread's memo of factors. */
static void predict_rows(const predict_job *j, rt_memo *factors, int64_t first, int64_t n)
{
    const rt_clv_summary *s = j->s;
    const rt_clv_predictions *out = j->out;
    rt_clv_alive_fn alive = rt_kernels_get()->clv_alive;
    rt_clv_alive_params par = rt_clv_alive_coefficients(j->model, j->params);
    for (int64_t start = first; start < first + n; start += BLOCK) {
        int64_t end = start + BLOCK < first + n ? start + BLOCK : first + n;
        if (j->group)
            for (int64_t i = start; i < end; i++)
                out->p_alive[i] = j->p_group[j->group[i]];
        else
            alive(s->x + start, s->tx + start, s->T + start, end - start, &par,
                  out->p_alive + start);
        for (int64_t i = start; i < end; i++) {
            double x = s->x[i], T = s->T[i], p = out->p_alive[i];
            bool hit;
            rt_memo_slot *f = rt_memo_find(factors, x, T, &hit);
            if (!hit) {
                f->value[0] = rt_clv_alive_expected(j->model, j->params, j->h->length, x, T);
                f->value[1] = j->spend ? rt_clv_discounted_alive(j->model, j->params, j->h, x, T)
                                       : 0.0;
                rt_memo_fill(f, x, T);
            }
            out->expected[i] = f->value[0] * p;
            if (j->spend) {
                out->spend[i] = rt_clv_expected_spend(j->spend, x, s->m[i]);
                out->value[i] = out->spend[i] * (f->value[1] * p);
            }
        }
    }
}

/* Pareto/NBD: the P(alive) of each distinct (x, tx, T) (a hypergeometric
** series each), and each customer's group. */
static retain_status pareto_groups(const double *params, const rt_clv_summary *s,
                                   int64_t *group, double **p_group)
{
    rt_clv_groups g = {0};
    retain_status st = rt_clv_distinct(s, &g, group);
    int64_t m = g.s.n;
    if (!st && !(*p_group = malloc((size_t)(m > 0 ? m : 1) * sizeof **p_group)))
        st = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the predictions of %lld "
                      "distinct summaries", (long long)m);
    if (!st) {
        double *p = *p_group;
#pragma omp parallel for schedule(dynamic, 256) num_threads(rt_threads())
        for (int64_t k = 0; k < m; k++)
            p[k] = rt_clv_p_alive(RT_CLV_PARETO, params, g.s.x[k], g.s.tx[k], g.s.T[k]);
    }
    rt_clv_groups_free(&g);
    return st;
}

retain_status rt_clv_predict_all(rt_clv_model model, const double *params,
                                 const double *spend, const rt_clv_horizon *h,
                                 const rt_clv_summary *s, const rt_clv_predictions *out)
{
    int64_t n = s->n;
    int threads = rt_threads();
    predict_job job = {model, params, spend, h, s, out, NULL, NULL};
    int64_t *group = NULL;
    double *p_group = NULL;
    rt_memo *memos = calloc((size_t)threads, sizeof *memos);
    retain_status st = memos ? RETAIN_OK
                             : rt_error(RETAIN_ERR_INTERNAL, "out of memory to predict");
    for (int t = 0; !st && t < threads; t++)
        st = rt_memo_init(&memos[t], FACTORS_BITS);
    if (!st && model == RT_CLV_PARETO) {
        if (!(group = malloc((size_t)(n > 0 ? n : 1) * sizeof *group)))
            st = rt_error(RETAIN_ERR_INTERNAL, "out of memory to predict for %lld customers",
                          (long long)n);
        else if (!(st = pareto_groups(params, s, group, &p_group))) {
            job.group = group;
            job.p_group = p_group;
        }
    }
    if (!st) {
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num(), count = omp_get_num_threads();
            int64_t first = n * t / count, last = n * (t + 1) / count;
            predict_rows(&job, &memos[t], first, last - first);
        }
    }
    for (int t = 0; memos && t < threads; t++)
        rt_memo_free(&memos[t]);
    free(memos);
    free(group);
    free(p_group);
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
