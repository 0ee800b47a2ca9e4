/*
** src/clv/likelihood.c: log-likelihoods of the summary and their analytic
** gradients, in log space so that nothing overflows.
**
** BG/NBD (Fader, Hardie and Lee 2005, eq. 6), per customer:
**   L = B(a, b+x) / B(a, b) * G(r+x) a^r / (G(r) (al+T)^(r+x))
**     + [x > 0] B(a+1, b+x-1) / B(a, b) * G(r+x) al^r / (G(r) (al+tx)^(r+x))
** MBG/NBD (Batislam, Denizel and Filiztekin 2007): the same with b+x+1 and
** b+x in the two betas and the second term for every x, so a customer can
** also drop out before the first repeat purchase. Both are
**   ln L = lnG(r+x) - lnG(r) + r ln al - lnB(a, b) + ln(e^A + e^B),
**   A = lnB(a, b+x+k) - (r+x) ln(al+T), B = lnB(a+1, b+x-1+k) - (r+x) ln(al+tx)
** with k = 0 (BG) or 1 (MBG); the last term is a log-sum-exp.
** Pareto/NBD (Schmittlein, Morrison and Colombo 1987), per customer:
**   ln L = lnG(r+x) - lnG(r) + r ln al + s ln be + ln(e^alive + e^gone)
** with the two terms of pareto.c (hypergeometric series in log space).
** Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV"; the form the
** lifetimes package fits), per customer with x > 0 and mean spend m:
**   ln L = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
**          - (px+q) ln(v + x m).
** Gradients use digamma (core/special.c).
*/
#include "clv.h"

#include "core/error.h"
#include "core/parallel.h"
#include "core/special.h"

#include <math.h>

int rt_clv_nparams(rt_clv_model model) { return model == RT_CLV_GAMMA_GAMMA ? 3 : 4; }

const char *rt_clv_title(rt_clv_model model)
{
    static const char *const titles[] = {"BG/NBD", "MBG/NBD", "Pareto/NBD", "Gamma-Gamma"};
    return titles[model];
}

typedef struct lik_ctx {
    rt_clv_model model;
    const rt_clv_summary *s;
    const double *p;
} lik_ctx;

/* partial: log-likelihood, then the gradient (4). */
static void bgnbd_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double r = c->p[0], al = c->p[1], a = c->p[2], b = c->p[3];
    double k = c->model == RT_CLV_MBGNBD ? 1.0 : 0.0;
    double lb_ab = rt_lbeta(a, b), psi_r = rt_digamma(r), psi_a = rt_digamma(a),
           psi_b = rt_digamma(b), psi_ab = rt_digamma(a + b), psi_a1 = rt_digamma(a + 1);
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], tx = s->tx[i], T = s->T[i], w = s->w ? s->w[i] : 1.0;
        double rx = r + x, lT = log(al + T), ltx = log(al + tx);
        double A = rt_lbeta(a, b + x + k) - rx * lT;
        bool second = x > 0 || k > 0;
        double B = second ? rt_lbeta(a + 1, b + x - 1 + k) - rx * ltx : -INFINITY;
        double top = A > B ? A : B;
        double lse = top + log(exp(A - top) + exp(B - top));
        double wa = exp(A - lse), wb = second ? exp(B - lse) : 0.0;
        partial[0] += w * (rt_lgamma(rx) - rt_lgamma(r) + r * log(al) - lb_ab + lse);
        double psi_abx = rt_digamma(a + b + x + k);
        partial[1] += w * (rt_digamma(rx) - psi_r + log(al) - wa * lT - wb * ltx);
        partial[2] += w * (r / al - rx * (wa / (al + T) + wb / (al + tx)));
        partial[3] += w * (-(psi_a - psi_ab) + wa * (psi_a - psi_abx) + wb * (psi_a1 - psi_abx));
        double psi_b_A = rt_digamma(b + x + k);
        double psi_b_B = second ? rt_digamma(b + x - 1 + k) : 0.0;
        partial[4] += w * (-(psi_b - psi_ab) + wa * (psi_b_A - psi_abx) + wb * (psi_b_B - psi_abx));
    }
}

/* partial: log-likelihood, then the gradient (4); a customer whose series
** does not converge makes the log-likelihood NaN (the minimiser then steps
** back). */
static void pareto_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double r = c->p[0], al = c->p[1], sh = c->p[2], be = c->p[3];
    double lg_r = rt_lgamma(r), psi_r = rt_digamma(r), l_al = log(al), l_be = log(be);
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], w = s->w ? s->w[i] : 1.0;
        if (w == 0)
            continue;
        rt_clv_pareto_terms t;
        if (!rt_clv_pareto_eval(c->p, x, s->tx[i], s->T[i], &t)) {
            partial[0] = NAN;
            continue;
        }
        double top = t.alive > t.gone ? t.alive : t.gone;
        double lse = top + log(exp(t.alive - top) + exp(t.gone - top));
        double wa = exp(t.alive - lse), wg = exp(t.gone - lse);
        partial[0] += w * (rt_lgamma(r + x) - lg_r + r * l_al + sh * l_be + lse);
        double own[4] = {rt_digamma(r + x) - psi_r + l_al, r / al, l_be, sh / be};
        for (int j = 0; j < 4; j++)
            partial[1 + j] += w * (own[j] + wa * t.d_alive[j] + wg * t.d_gone[j]);
    }
}

/* partial: log-likelihood, then the gradient (3); customers with x = 0 or
** weight 0 add nothing. */
static void gamma_gamma_block(void *ctx, int thread, int64_t first, int64_t rows,
                              double *partial)
{
    const lik_ctx *c = ctx;
    const rt_clv_summary *s = c->s;
    double p = c->p[0], q = c->p[1], v = c->p[2];
    double lg_q = rt_lgamma(q), psi_q = rt_digamma(q), lv = log(v);
    for (int64_t i = first; i < first + rows; i++) {
        double x = s->x[i], m = s->m[i], w = s->w ? s->w[i] : 1.0;
        if (!(x > 0) || w == 0)
            continue;
        double px = p * x, spend = log(v + x * m), psi_pxq = rt_digamma(px + q);
        partial[0] += w * (rt_lgamma(px + q) - rt_lgamma(px) - lg_q + q * lv +
                           (px - 1) * log(m) + px * log(x) - (px + q) * spend);
        partial[1] += w * x * (psi_pxq - rt_digamma(px) + log(m) + log(x) - spend);
        partial[2] += w * (psi_pxq - psi_q + lv - spend);
        partial[3] += w * (q / v - (px + q) / (v + x * m));
    }
}

retain_status rt_clv_loglik(rt_clv_model model, const rt_clv_summary *s, const double *params,
                            double *ll, double *grad)
{
    int np = rt_clv_nparams(model);
    for (int j = 0; j < np; j++)
        if (!(params[j] > 0) || !isfinite(params[j]))
            return rt_error(RETAIN_ERR_USAGE, "lifetime-value parameter %d is %g; every "
                            "parameter must be finite and > 0", j, params[j]);
    if (model == RT_CLV_GAMMA_GAMMA && !s->m)
        return rt_error(RETAIN_ERR_USAGE, "Gamma-Gamma needs the mean repeat spend m");
    lik_ctx c = {model, s, params};
    double acc[5];
    rt_block_fn block = model == RT_CLV_GAMMA_GAMMA ? gamma_gamma_block
                        : model == RT_CLV_PARETO    ? pareto_block
                                                    : bgnbd_block;
    retain_status st = rt_reduce_rows(s->n, np + 1, block, &c, acc);
    if (st)
        return st;
    *ll = acc[0];
    for (int j = 0; grad && j < np; j++)
        grad[j] = acc[1 + j];
    return RETAIN_OK;
}
