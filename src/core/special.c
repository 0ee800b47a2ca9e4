/*
** src/core/special.c: log-gamma, log-beta, digamma and the hypergeometric
** series (special.h). Digamma: the recurrence psi(x) = psi(x + 1) - 1/x up
** to x >= 10, then the asymptotic series ln x - 1/2x - sum B_2k / (2k x^2k)
** to the x^-14 term (Abramowitz and Stegun 6.3.18), which leaves an error
** below 1e-16 relative there.
*/
#include "special.h"

#include <math.h>

double rt_lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

double rt_lbeta(double a, double b)
{
    return rt_lgamma(a) + rt_lgamma(b) - rt_lgamma(a + b);
}

double rt_digamma(double x)
{
    double shift = 0.0;
    while (x < 10.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    double f = 1.0 / (x * x);
    /* B_2k / 2k for k = 1 .. 7 */
    double series =
        f * (1.0 / 12 -
             f * (1.0 / 120 -
                  f * (1.0 / 252 -
                       f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f * (1.0 / 12)))))));
    return shift + log(x) - 0.5 / x - series;
}

double rt_hyp2f1(double a, double b, double c, double z)
{
    double term = 1.0, sum = 1.0;
    for (int n = 0; n < 100000; n++) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        double next = sum + term;
        if (next == sum)
            return sum;
        sum = next;
    }
    return NAN;
}
