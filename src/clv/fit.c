/*
** src/clv/fit.c: maximum-likelihood fits of the lifetime-value models. The
** minimiser (core/minimise.c, L-BFGS) works on the log parameters, so
** every step stays positive, and on the mean negative log-likelihood per
** customer, so the tolerance does not depend on how many there are.
** Standard errors come from the observed information, the Hessian of the
** log-likelihood at the estimates, by central differences of the analytic
** gradient, inverted; a Hessian that is not negative definite leaves NaN.
** Gamma-Gamma is fitted on a copy of the repeat buyers alone (the others
** add nothing to its likelihood), so its passes do not skip rows.
*/
#include "clv.h"

#include "core/error.h"
#include "core/minimise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct objective {
    rt_clv_model model;
    const rt_clv_summary *s;
    double customers;
} objective;

static retain_status mean_negative(void *ctx, const double *theta, double *f, double *g)
{
    const objective *o = ctx;
    int np = rt_clv_nparams(o->model);
    double p[4], grad[4], ll;
    for (int j = 0; j < np; j++) {
        p[j] = exp(theta[j]);
        if (!(p[j] > 0) || !isfinite(p[j])) { /* a step out of range: not a lower f */
            *f = INFINITY;
            return RETAIN_OK;
        }
    }
    retain_status s = rt_clv_loglik(o->model, o->s, p, &ll, grad);
    if (s)
        return s;
    *f = -ll / o->customers;
    for (int j = 0; j < np; j++)
        g[j] = -grad[j] * p[j] / o->customers;
    return RETAIN_OK;
}

retain_status rt_clv_check_summary(rt_clv_model model, const rt_clv_summary *s,
                                   double *customers, double *repeaters)
{
    *customers = *repeaters = 0.0;
    for (int64_t i = 0; i < s->n; i++) {
        double x = s->x[i], tx = s->tx[i], T = s->T[i], w = s->w ? s->w[i] : 1.0;
        if (!(x >= 0) || !(T >= 0) || !(tx >= 0) || !(tx <= T) || !(w >= 0) || !isfinite(x) ||
            !isfinite(T) || !isfinite(w))
            return rt_error(RETAIN_ERR_DATA, "customer %lld: x %g, t_x %g, T %g, weight %g; "
                            "a summary needs x >= 0, 0 <= t_x <= T and a weight >= 0",
                            (long long)i, x, tx, T, w);
        if (model == RT_CLV_GAMMA_GAMMA && x > 0 && w > 0 && !(s->m[i] > 0 && isfinite(s->m[i])))
            return rt_error(RETAIN_ERR_DATA, "customer %lld: mean repeat spend %g; Gamma-Gamma "
                            "needs a positive spend for every repeat buyer of positive weight",
                            (long long)i, s->m[i]);
        *customers += w;
        *repeaters += x > 0 ? w : 0.0;
    }
    return RETAIN_OK;
}

/* Inverts the symmetric n x n matrix a (n <= 4) in place by Gauss-Jordan
** with partial pivoting; false if it is singular. */
static bool invert(double a[4][4], int n)
{
    double inv[4][4] = {{0}};
    for (int i = 0; i < n; i++)
        inv[i][i] = 1.0;
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        if (!(fabs(a[piv][c]) > 0))
            return false;
        for (int k = 0; k < n; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
            t = inv[c][k];
            inv[c][k] = inv[piv][k];
            inv[piv][k] = t;
        }
        double d = a[c][c];
        for (int k = 0; k < n; k++) {
            a[c][k] /= d;
            inv[c][k] /= d;
        }
        for (int r = 0; r < n; r++) {
            if (r == c)
                continue;
            double f = a[r][c];
            for (int k = 0; k < n; k++) {
                a[r][k] -= f * a[c][k];
                inv[r][k] -= f * inv[c][k];
            }
        }
    }
    memcpy(a, inv, sizeof inv);
    return true;
}

/* Standard errors of params from the inverse of minus the Hessian. */
static retain_status standard_errors(rt_clv_model model, const rt_clv_summary *s,
                                     const double *params, double *se)
{
    int np = rt_clv_nparams(model);
    double hess[4][4], p[4], gp[4], gm[4], ll;
    for (int k = 0; k < np; k++) {
        double h = 1e-5 * params[k];
        memcpy(p, params, sizeof p);
        p[k] = params[k] + h;
        retain_status st = rt_clv_loglik(model, s, p, &ll, gp);
        p[k] = params[k] - h;
        if (st || (st = rt_clv_loglik(model, s, p, &ll, gm)))
            return st;
        for (int j = 0; j < np; j++)
            hess[j][k] = -(gp[j] - gm[j]) / (2 * h);
    }
    for (int j = 0; j < np; j++)
        for (int k = 0; k < j; k++)
            hess[j][k] = hess[k][j] = (hess[j][k] + hess[k][j]) / 2;
    bool ok = invert(hess, np);
    for (int j = 0; j < np; j++)
        se[j] = ok && hess[j][j] > 0 ? sqrt(hess[j][j]) : NAN;
    return RETAIN_OK;
}

/* The rows of s with x > 0 and a positive weight, copied into *store
** (x, m, then the weights if s has them); tx and T are not copied. */
static retain_status repeat_buyers(const rt_clv_summary *s, rt_clv_summary *out,
                                   double **store)
{
    int64_t n = 0;
    for (int64_t i = 0; i < s->n; i++)
        n += s->x[i] > 0 && (!s->w || s->w[i] > 0);
    double *d = *store = malloc((size_t)(n > 0 ? n : 1) * (s->w ? 3 : 2) * sizeof *d);
    if (!d)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld repeat buyers",
                        (long long)n);
    double *x = d, *m = d + n, *w = s->w ? d + 2 * n : NULL;
    int64_t k = 0;
    for (int64_t i = 0; i < s->n; i++)
        if (s->x[i] > 0 && (!s->w || s->w[i] > 0)) {
            x[k] = s->x[i];
            m[k] = s->m[i];
            if (w)
                w[k] = s->w[i];
            k++;
        }
    *out = (rt_clv_summary){n, x, x, x, m, w};
    return RETAIN_OK;
}

/* The fit on s, whose mean is taken over `customers`. */
static retain_status fit_summary(rt_clv_model model, const rt_clv_summary *s,
                                 const double *start, double customers, double tol,
                                 int64_t max_iter, rt_clv_fit *out)
{
    retain_status st;
    int np = rt_clv_nparams(model);
    double theta[4], g[4], f;
    for (int j = 0; j < np; j++)
        theta[j] = start ? log(start[j]) : 0.0;
    objective o = {model, s, customers};
    rt_minimiser solver = {.dims = np, .tol = tol, .max_iter = max_iter, .memory = 10};
    rt_minimum result;
    if ((st = rt_minimise(mean_negative, &o, &solver, theta, &result)) ||
        (st = mean_negative(&o, theta, &f, g)))
        return st;
    for (int j = 0; j < np; j++) {
        out->params[j] = exp(theta[j]);
        out->grad_norm = fabs(g[j]) > out->grad_norm ? fabs(g[j]) : out->grad_norm;
    }
    out->loglik = -f * customers;
    out->n_iter = result.n_iter;
    out->converged = result.converged;
    return standard_errors(model, s, out->params, out->se);
}

retain_status rt_clv_fit_model(rt_clv_model model, const rt_clv_summary *s, const double *start,
                               double tol, int64_t max_iter, rt_clv_fit *out)
{
    memset(out, 0, sizeof *out);
    double customers, repeaters;
    retain_status st = rt_clv_check_summary(model, s, &customers, &repeaters);
    if (st)
        return st;
    if (!(repeaters > 0))
        return rt_error(RETAIN_ERR_DATA, "none of the %.0f customers made a repeat purchase "
                        "in the calibration period; the %s model needs some repeat purchases",
                        customers, rt_clv_title(model));
    if (model != RT_CLV_GAMMA_GAMMA)
        return fit_summary(model, s, start, customers, tol, max_iter, out);
    rt_clv_summary buyers;
    double *store;
    if ((st = repeat_buyers(s, &buyers, &store)))
        return st;
    st = fit_summary(model, &buyers, start, customers, tol, max_iter, out);
    free(store);
    return st;
}
