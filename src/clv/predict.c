/*
** src/clv/predict.c: what a fitted model says about one customer.
** BG/NBD (Fader, Hardie and Lee 2005, eqs. 10 and 13):
**   P(alive) = 1 / (1 + [x > 0] a / (b+x-1) ((al+T) / (al+tx))^(r+x))
**   E[Y(t)]  = (a+b+x-1) / (a-1) [1 - ((al+T) / (al+T+t))^(r+x)
**              2F1(r+x, b+x; a+b+x-1; t / (al+T+t))] P(alive)
** MBG/NBD (Batislam et al. 2007) replaces b+x-1 by b+x, a+b+x-1 by a+b+x
** and drops the [x > 0]. Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and
** CLV"): E[M | x, m] = p (v + x m) / (p x + q - 1).
*/
#include "clv.h"

#include "core/special.h"

#include <math.h>

/* a / (b + x - 1 + k) ((al + T) / (al + tx))^(r + x), the odds of having
** dropped out, or 0 for a BG/NBD customer without repeat purchases. */
static double dropout_odds(rt_clv_model model, const double *params, double x, double tx,
                           double T)
{
    double r = params[0], al = params[1], a = params[2], b = params[3];
    double k = model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    if (x == 0 && k == 0)
        return 0.0;
    return a / (b + x - 1 + k) * exp((r + x) * (log(al + T) - log(al + tx)));
}

double rt_clv_p_alive(rt_clv_model model, const double *params, double x, double tx, double T)
{
    return 1.0 / (1.0 + dropout_odds(model, params, x, tx, T));
}

double rt_clv_expected(rt_clv_model model, const double *params, double t, double x, double tx,
                       double T)
{
    double r = params[0], al = params[1], a = params[2], b = params[3];
    double k = model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    double c = a + b + x - 1 + k;
    double hyp = rt_hyp2f1(r + x, b + x + k, c, t / (al + T + t));
    double decay = exp((r + x) * (log(al + T) - log(al + T + t)));
    return c / (a - 1) * (1.0 - decay * hyp) * rt_clv_p_alive(model, params, x, tx, T);
}

double rt_clv_expected_spend(const double *params, double x, double m)
{
    double p = params[0], q = params[1], v = params[2];
    return p * (v + x * m) / (p * x + q - 1);
}
