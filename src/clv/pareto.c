/*
** src/clv/pareto.c: the two terms of the Pareto/NBD likelihood of one
** customer (Schmittlein, Morrison and Colombo 1987), in the form of Fader,
** Hardie and Lee, "A note on deriving the Pareto/NBD model and related
** expressions" (2005):
**   L = G(r+x) al^r be^s / G(r) [ (al+T)^-(r+x) (be+T)^-s + s I ],
**   I = int_tx^T (al+u)^-(r+x) (be+u)^-(s+1) du = A0 / (r+s+x),
** the first term for a customer still alive at T, the second for one who
** left between tx and T. The note's A0 is a difference of two Gauss
** hypergeometric terms, 2F1(r+s+x, s+1; r+s+x+1; (al-be)/(al+t)) when
** al >= be and 2F1(r+s+x, r+x; r+s+x+1; (be-al)/(be+t)) when al < be, so
** the argument lies in [0, 1). Here the two are summed as one series, term
** by term, so nothing cancels: with p >= q the larger of al, be, e1, e2 the
** exponents that go with them, M = e1 + e2 - 1, u1 = p + tx, u2 = p + T,
** z = (p - q) / u1 and rho = u1 / u2,
**   I = u1^-M sum_n (e2)_n / n! z^n (1 - rho^(M+n)) / (M+n),
** and 1 - rho^(M+n+1) = rho (1 - rho^(M+n)) + (1 - rho) adds two positive
** numbers. The derivatives come from the same loop: d/dp I = -e1 I(e1+1)
** and d/dq I = -e2 I(e2+1) are series of the same kind, d/de1 and d/de2
** differentiate each term. The sums are rescaled when they grow large
** (e2 = r + x with many purchases), so ln I never overflows.
** The terms peak near n = e2 z / (1 - z) and then shrink by z each, so
** the series needs about (e2 + 40) / (1 - z) <= (e2 + 40) p / q terms: a
** few hundred where al and be are within a factor 10 of each other, as on
** CDNOW (al = 10.6, be = 11.7). Where that estimate passes SERIES_TERMS the
** integral comes from pareto_quadrature.c instead, whose cost does not grow
** with p / q: it is the faster of the two from about there (measured on
** fits and log-likelihoods of 200,000 customers).
*/
#include "clv.h"

#include <math.h>

#define SERIES_TERMS 500
#define RESCALE 1e250

bool rt_clv_pareto_series(double p, double e1, double q, double e2, double a, double b,
                          rt_clv_integral *out)
{
    double u1 = p + a, u2 = p + b, z = (p - q) / u1, M = e1 + e2 - 1;
    if (!((e2 + 40) < SERIES_TERMS * (q + a) / u1)) /* (e2 + 40) / (1 - z) */
        return false;
    double rho = u1 / u2, gap = (b - a) / u2, lrho = log1p(-gap);
    double power = exp(M * lrho), share = -expm1(M * lrho); /* rho^N, 1 - rho^N */
    double coef = 1.0, h = 0.0, offset = 0.0;               /* (e2)_n z^n / n!, scaled */
    double S = 0, S1 = 0, S2 = 0, G = 0, H = 0;
    for (int64_t n = 0;; n++) {
        if (n == 4 * SERIES_TERMS)
            return false;
        double N = M + (double)n, next_share = rho * share + gap;
        double t = coef * share / N;
        double t1 = coef * next_share / (N + 1);
        S += t;
        S1 += t1;
        S2 += t1 * (e2 + (double)n) / e2;
        G += t * (power * -lrho / share - 1.0 / N); /* d/dN ln((1 - rho^N) / N) */
        H += t * h;                                 /* d/de2 ln (e2)_n = h      */
        double ratio = (e2 + (double)n) / ((double)n + 1) * z;
        h += 1.0 / (e2 + (double)n);
        coef *= ratio;
        power *= rho;
        share = next_share;
        double bound = ratio > z ? ratio : z;
        if (bound < 1 && coef * share / (N + 1) * (2 + (double)n / e2) * (1 + h) <
                             0x1p-56 * (1 - bound) * S)
            break;
        if (coef > RESCALE) {
            coef /= RESCALE;
            S /= RESCALE;
            S1 /= RESCALE;
            S2 /= RESCALE;
            G /= RESCALE;
            H /= RESCALE;
            offset += log(RESCALE);
        }
    }
    double lu1 = log(u1);
    out->log_value = -M * lu1 + log(S) + offset;
    out->d_e1 = -lu1 + G / S;
    out->d_e2 = out->d_e1 + H / S;
    out->d_p = -e1 * S1 / (u1 * S);
    out->d_q = -e2 * S2 / (u1 * S);
    return true;
}

bool rt_clv_pareto_eval(const double *params, double x, double tx, double T,
                         rt_clv_pareto_terms *out)
{
    double r = params[0], al = params[1], s = params[2], be = params[3];
    double lT_al = log(al + T), lT_be = log(be + T);
    out->alive = -(r + x) * lT_al - s * lT_be;
    out->d_alive[0] = -lT_al;
    out->d_alive[1] = -(r + x) / (al + T);
    out->d_alive[2] = -lT_be;
    out->d_alive[3] = -s / (be + T);
    if (!(tx < T)) {
        out->gone = -INFINITY;
        for (int j = 0; j < 4; j++)
            out->d_gone[j] = 0.0;
        return true;
    }
    rt_clv_integral I;
    bool al_big = al >= be;
    double p = al_big ? al : be, e1 = al_big ? r + x : s + 1;
    double q = al_big ? be : al, e2 = al_big ? s + 1 : r + x;
    if (!rt_clv_pareto_series(p, e1, q, e2, tx, T, &I) &&
        !rt_clv_pareto_quadrature(p, e1, q, e2, tx, T, &I))
        return false;
    out->d_gone[0] = al_big ? I.d_e1 : I.d_e2;
    out->d_gone[1] = al_big ? I.d_p : I.d_q;
    out->d_gone[2] = al_big ? I.d_e2 : I.d_e1;
    out->d_gone[3] = al_big ? I.d_q : I.d_p;
    out->gone = log(s) + I.log_value;
    out->d_gone[2] += 1.0 / s;
    return true;
}
