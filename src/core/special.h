/*
** src/core/special.h: special functions the statistical models need, in
** float64: log-gamma without libm's global sign (thread-safe), log-beta,
** digamma, and the Gauss hypergeometric series 2F1 inside its circle of
** convergence.
*/
#ifndef RT_CORE_SPECIAL_H
#define RT_CORE_SPECIAL_H

/* ln |Gamma(x)|, safe to call from several threads at once. */
double rt_lgamma(double x);
/* ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), for a, b > 0. */
double rt_lbeta(double a, double b);
/* psi(x) = d/dx ln Gamma(x) for x > 0, to about 1e-15 relative. */
double rt_digamma(double x);
/* 2F1(a, b; c; z) for 0 <= z < 1 and c > 0 by its power series, summed
** until a term no longer changes the sum; NaN if that takes more than
** 100000 terms. */
double rt_hyp2f1(double a, double b, double c, double z);

#endif
