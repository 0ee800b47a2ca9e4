/*
** src/clv/predict.c: what a fitted model says about one customer.
** BG/NBD (Fader, Hardie and Lee 2005, eqs. 10 and 13):
**   P(alive) = 1 / (1 + [x > 0] a / (b+x-1) ((al+T) / (al+tx))^(r+x))
**   E[Y(t)]  = (a+b+x-1) / (a-1) [1 - ((al+T) / (al+T+t))^(r+x)
**              2F1(r+x, b+x; a+b+x-1; t / (al+T+t))] P(alive)
** MBG/NBD (Batislam et al. 2007) replaces b+x-1 by b+x, a+b+x-1 by a+b+x
** and drops the [x > 0]. Pareto/NBD (Fader, Hardie and Lee 2005, "A note
** on deriving the Pareto/NBD model and related expressions"), with the two
** terms of its likelihood (pareto.c):
**   P(alive) = 1 / (1 + e^(gone - alive))
**   E[Y(t)]  = (r+x) (be+T) / ((al+T) (s-1)) [1 - ((be+T) / (be+T+t))^(s-1)]
**              P(alive),
** the bracket over s - 1 tending to ln(1 + t / (be+T)) as s -> 1; NaN where
** the series of pareto.c does not converge. Gamma-Gamma (Fader, Hardie and
** Lee 2005, "RFM and CLV"): E[M | x, m] = p (v + x m) / (p x + q - 1).
** Each E[Y(t)] is P(alive) times a factor of x and T alone (what the
** customer would buy if alive), which rt_clv_alive_expected computes.
** The BG/NBD and MBG/NBD P(alive) is the clv_alive kernel's (its own log
** and exp, vectorised over customers by value.c, one customer here).
*/
#include "clv.h"

#include "core/special.h"

#include <math.h>

static double pareto_p_alive(const double *params, double x, double tx, double T)
{
    rt_clv_pareto_terms t;
    if (!rt_clv_pareto_eval(params, x, tx, T, &t))
        return NAN;
    return 1.0 / (1.0 + exp(t.gone - t.alive));
}

double rt_clv_p_alive(rt_clv_model model, const double *params, double x, double tx, double T)
{
    if (model == RT_CLV_PARETO)
        return pareto_p_alive(params, x, tx, T);
    rt_clv_alive_params par = rt_clv_alive_coefficients(model, params);
    double p;
    rt_kernels_get()->clv_alive(&x, &tx, &T, 1, &par, &p);
    return p;
}

rt_clv_alive_params rt_clv_alive_coefficients(rt_clv_model model, const double *params)
{
    bool bg = model == RT_CLV_BGNBD;
    return (rt_clv_alive_params){params[0], params[1], params[2], bg ? params[3] - 1 : params[3],
                                 bg};
}

double rt_clv_alive_expected(rt_clv_model model, const double *params, double t, double x,
                             double T)
{
    double r = params[0], al = params[1];
    if (model == RT_CLV_PARETO) {
        double s = params[2], be = params[3];
        double span = log1p(t / (be + T));
        double rate = s == 1 ? span : -expm1(-(s - 1) * span) / (s - 1);
        return (r + x) * (be + T) / (al + T) * rate;
    }
    double a = params[2], b = params[3];
    double k = model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    double c = a + b + x - 1 + k;
    double hyp = rt_hyp2f1(r + x, b + x + k, c, t / (al + T + t));
    double decay = exp((r + x) * (log(al + T) - log(al + T + t)));
    return c / (a - 1) * (1.0 - decay * hyp);
}

double rt_clv_expected(rt_clv_model model, const double *params, double t, double x, double tx,
                       double T)
{
    return rt_clv_alive_expected(model, params, t, x, T) * rt_clv_p_alive(model, params, x, tx, T);
}

double rt_clv_expected_spend(const double *params, double x, double m)
{
    double p = params[0], q = params[1], v = params[2];
    return p * (v + x * m) / (p * x + q - 1);
}
