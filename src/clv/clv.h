/*
** src/clv/clv.h: what the files of the lifetime-value module share. The
** models work on the per-customer summary the literature defines (Fader,
** Hardie and Lee 2005): x repeat purchase occasions, t_x the time of the
** last one and T the age, both from the first purchase, and m_x the mean
** spend of the repeat occasions, with a count of identical customers.
**   likelihood.c  log-likelihoods and their gradients: BG/NBD, MBG/NBD,
**                 Pareto/NBD, Gamma-Gamma
**   pareto.c      the two terms of the Pareto/NBD likelihood of a customer
**   collapse.c    customers with equal summaries merged into weighted rows
**   fit.c         maximum likelihood on log parameters (core/minimise.c),
**                 standard errors from the observed information
**   predict.c     P(alive), conditional expected purchases, expected spend
**   summary.c     the summary from a purchase log (io/eventlog.c)
**   value.c       per-customer predictions over a horizon, CLV with
**                 discounting, a new customer's expected purchases
**   holdout.c     predicted against actual holdout purchases, and the
**                 population tracking curve
*/
#ifndef RT_CLV_H
#define RT_CLV_H

#include "retain.h"

#include "kernels/cpu/kernels.h"

#include <stdbool.h>
#include <stdint.h>

/* n customers (or groups of identical ones: w[i] of them; w NULL for 1). */
typedef struct rt_clv_summary {
    int64_t n;
    const double *x, *tx, *T; /* repeat occasions, recency, age            */
    const double *m;          /* mean repeat spend (Gamma-Gamma), or NULL  */
    const double *w;
} rt_clv_summary;

typedef enum rt_clv_model {
    RT_CLV_BGNBD,       /* r, alpha, a, b                                 */
    RT_CLV_MBGNBD,      /* r, alpha, a, b                                 */
    RT_CLV_PARETO,      /* r, alpha, s, beta                              */
    RT_CLV_GAMMA_GAMMA, /* p, q, v (customers with x > 0 only)            */
} rt_clv_model;

/* Parameters of a model: 4, or 3 for Gamma-Gamma. */
int rt_clv_nparams(rt_clv_model model);
/* Its name as the papers write it: "BG/NBD", "Pareto/NBD", ... */
const char *rt_clv_title(rt_clv_model model);

/* ---- summary.c --------------------------------------------------------------- */

typedef struct rt_eventlog rt_eventlog;

/* The calibration period and how occasions and time are counted. */
typedef struct rt_clv_period {
    int64_t end;   /* epoch seconds: events before it calibrate          */
    bool by_order; /* occasions are orders (else customer-days)          */
    double unit;   /* seconds per time unit: 86400 (day), 604800 (week) */
    int64_t holdout_end; /* epoch seconds, > end: the calibration customers'
                            occasions in [end, holdout_end) are counted
                            (rt_clv_table.holdout, repeats); 0: none     */
} rt_clv_period;

/* The summary of every customer with a purchase in the calibration period,
** in order of first appearance in the log (rt_clv_summarise by_id: of
** increasing user id). */
typedef struct rt_clv_table {
    int64_t n, events; /* customers; events read                    */
    int64_t first_event, last_event; /* their earliest and latest times */
    int64_t *user_id;
    double *x, *tx, *T, *m;
    int64_t age_end; /* the time T runs to: the calibration end (its date
                        with day occasions), epoch seconds              */
    /* with a holdout period only (else NULL and 0): */
    double *holdout; /* each customer's occasions in the holdout period  */
    int64_t repeat_days;             /* days with repeat occasions    */
    int64_t *repeat_day, *repeats;   /* day (epoch seconds, midnight) and
                                        repeat occasions of the customers
                                        on it, up to the holdout end    */
} rt_clv_table;

retain_status rt_clv_summarise(rt_eventlog *log, const rt_clv_period *p, bool by_id,
                               rt_clv_table *out);
void rt_clv_table_free(rt_clv_table *t);

/* ---- likelihood.c ----------------------------------------------------------- */

/* The log-likelihood of the summary at params (all > 0) and, unless grad is
** NULL, its gradient with respect to the params; float64 sums over blocks of
** customers in block order (the same bits for any thread count). */
retain_status rt_clv_loglik(rt_clv_model model, const rt_clv_summary *s, const double *params,
                            double *ll, double *grad);

/* ---- pareto.c --------------------------------------------------------------- */

/* The Pareto/NBD likelihood of a customer is G(r+x) al^r be^s / G(r)
** (e^alive + e^gone): alive for a customer still buying at T, gone for one
** who left between tx and T (-inf when tx = T); d_ their gradients with
** respect to (r, alpha, s, beta). */
typedef struct rt_clv_pareto_terms {
    double alive, gone;
    double d_alive[4], d_gone[4];
} rt_clv_pareto_terms;

/* false only where neither the series nor the quadrature converges. */
bool rt_clv_pareto_eval(const double *params, double x, double tx, double T,
                         rt_clv_pareto_terms *out);

/* ln I and its derivatives, I(p, e1, q, e2) = int_a^b (p+u)^-e1 (q+u)^-e2 du,
** for p >= q > 0 and 0 <= a < b. */
typedef struct rt_clv_integral {
    double log_value, d_p, d_e1, d_q, d_e2;
} rt_clv_integral;

/* I as a series (pareto.c); false where it would need more than a few
** hundred terms (p / q large). */
bool rt_clv_pareto_series(double p, double e1, double q, double e2, double a, double b,
                          rt_clv_integral *out);

/* ---- pareto_quadrature.c ---------------------------------------------------- */

/* I by adaptive quadrature, whatever p / q; false if it does not converge. */
bool rt_clv_pareto_quadrature(double p, double e1, double q, double e2, double a, double b,
                              rt_clv_integral *out);

/* ---- collapse.c ------------------------------------------------------------- */

/* Rows of a summary merged where (x, tx, T) are equal, weights summed, in
** order of (x, tx, T); m is left NULL (the count models do not read it). */
typedef struct rt_clv_groups {
    rt_clv_summary s;
    double *cols; /* x, tx, T, w: 4 n doubles */
} rt_clv_groups;

retain_status rt_clv_collapse(const rt_clv_summary *s, rt_clv_groups *out);
/* The same groups in order of first appearance, rows merged where the bits
** of (x, tx, T) are equal (so each group's rows have exactly its values),
** and group[i] (s->n entries) the group of row i. */
retain_status rt_clv_distinct(const rt_clv_summary *s, rt_clv_groups *out, int64_t *group);
void rt_clv_groups_free(rt_clv_groups *g);

/* ---- fit.c ------------------------------------------------------------------ */

typedef struct rt_clv_fit {
    double params[4], se[4]; /* estimates and standard errors              */
    double loglik;
    double grad_norm;        /* largest gradient entry (log parameters) at
                                the end, per customer                     */
    int64_t n_iter;
    bool converged;
} rt_clv_fit;

/* Checks the summary: x >= 0, 0 <= tx <= T, weights >= 0, m > 0 where
** x > 0 (Gamma-Gamma), naming the first bad row; counts the weight and the
** repeat buyers. */
retain_status rt_clv_check_summary(rt_clv_model model, const rt_clv_summary *s,
                                   double *customers, double *repeaters);

/* Maximum-likelihood estimates, from 1 for every parameter unless start is
** given; RETAIN_ERR_DATA when the summary cannot identify the model (no
** repeat purchases at all, or no customer with x > 0 for Gamma-Gamma). */
retain_status rt_clv_fit_model(rt_clv_model model, const rt_clv_summary *s, const double *start,
                               double tol, int64_t max_iter, rt_clv_fit *out);

/* ---- predict.c -------------------------------------------------------------- */

/* BG/NBD, MBG/NBD or Pareto/NBD: the probability that a customer with (x, tx, T) is
** still alive, and the expected repeat occasions in the next t: the
** product of rt_clv_alive_expected (the occasions expected of a customer
** alive at T, which do not depend on tx) and P(alive). */
double rt_clv_p_alive(rt_clv_model model, const double *params, double x, double tx, double T);
double rt_clv_expected(rt_clv_model model, const double *params, double t, double x, double tx,
                       double T);
double rt_clv_alive_expected(rt_clv_model model, const double *params, double t, double x,
                             double T);
/* The clv_alive kernel's coefficients for BG/NBD or MBG/NBD parameters
** (rt_clv_p_alive and value.c's loop over customers both run that kernel,
** so they give the same bits). */
rt_clv_alive_params rt_clv_alive_coefficients(rt_clv_model model, const double *params);
/* Gamma-Gamma: the expected mean spend of a customer with x repeat
** occasions of mean m (the population mean p v / (q - 1) for x = 0). */
double rt_clv_expected_spend(const double *params, double x, double m);

/* ---- value.c ---------------------------------------------------------------- */

/* The expected repeat occasions of a customer in the first t after the
** trial purchase, before anything is known of them (the unconditional
** E[X(t)]: FHL 2005 eq. 9 for BG/NBD; its MBG/NBD and Pareto/NBD forms). */
double rt_clv_expected_new(rt_clv_model model, const double *params, double t);

/* A prediction horizon, in the model's time unit. */
typedef struct rt_clv_horizon {
    double length; /* > 0                                               */
    double period; /* discount period, > 0                              */
    double rate;   /* discount rate a period, >= 0                      */
} rt_clv_horizon;

/* The discounted expected repeat occasions over the horizon, as the
** lifetimes package's customer_lifetime_value counts them: the sum over
** k = 1 .. ceil(length / period) of (E[Y(t_k)] - E[Y(t_{k-1})]) /
** (1 + rate)^(t_k / period), t_k = min(k period, length), t_0 = 0. With
** rate 0 it is E[Y(length)]. CLV = this times the expected spend. As
** E[Y(t)] is, it is P(alive) times the same sum over
** rt_clv_alive_expected, which rt_clv_discounted_alive gives. */
double rt_clv_discounted(rt_clv_model model, const double *params, const rt_clv_horizon *h,
                         double x, double tx, double T);
double rt_clv_discounted_alive(rt_clv_model model, const double *params,
                               const rt_clv_horizon *h, double x, double T);

/* Every customer's P(alive), expected occasions over the horizon and,
** when spend (Gamma-Gamma p, q, v) is given, expected mean spend and CLV
** (spend and value NULL otherwise): the same bits as the per-customer
** functions above. The factors of x and T are computed once per distinct
** (x, T), the logarithms of the BG/NBD P(alive) once per time, and the
** Pareto/NBD P(alive) once per distinct (x, tx, T). In parallel; the same
** bits for any thread count. RETAIN_ERR_INTERNAL when out of memory. */
typedef struct rt_clv_predictions {
    double *p_alive, *expected, *spend, *value;
} rt_clv_predictions;
retain_status rt_clv_predict_all(rt_clv_model model, const double *params,
                                 const double *spend, const rt_clv_horizon *h,
                                 const rt_clv_summary *s, const rt_clv_predictions *out);

/* The P(alive) bands of the summaries: < 0.1, 0.1 - 0.5, 0.5 - 0.9, >= 0.9. */
#define RT_CLV_BANDS 4
extern const double rt_clv_band_upper[RT_CLV_BANDS];
extern const char *const rt_clv_band_names[RT_CLV_BANDS];
/* The band of a P(alive) (the last for NaN). */
int rt_clv_band(double p_alive);

/* ---- holdout.c -------------------------------------------------------------- */

#define RT_CLV_HOLDOUT_GROUPS 8 /* calibration repeat occasions 0 .. 6, 7+ */

/* Predicted against actual holdout occasions of the calibration customers
** (FHL 2005, Figure 3 and Table 1) and the tracking curve (Figure 2): the
** cumulative repeat occasions of the cohort at the end of each week from
** the first trial day to the holdout end, actual and expected. */
typedef struct rt_clv_holdout {
    double length;   /* of the holdout period, in the model's unit      */
    double unit;     /* seconds per time unit                           */
    int64_t customers[RT_CLV_HOLDOUT_GROUPS];
    double actual[RT_CLV_HOLDOUT_GROUPS], predicted[RT_CLV_HOLDOUT_GROUPS]; /* means */
    double actual_total, predicted_total;
    double correlation; /* Pearson, per customer (NaN if either is constant) */
    int64_t origin;     /* epoch seconds: midnight of the first trial day  */
    int64_t end;        /* epoch seconds: the holdout end (excluded)       */
    int64_t weeks;      /* points on the curve; the last ends at the
                           holdout end                                    */
    double *week_actual, *week_expected;
} rt_clv_holdout;

/* From a summary with a holdout period (t->holdout set; p as summarised). */
retain_status rt_clv_holdout_check(rt_clv_model model, const double *params,
                                   const rt_clv_table *t, const rt_clv_period *p,
                                   rt_clv_holdout *out);
void rt_clv_holdout_free(rt_clv_holdout *h);
/* The end (excluded) of week j (0-based) of the tracking curve. */
int64_t rt_clv_holdout_week_end(const rt_clv_holdout *h, int64_t j);

#endif
