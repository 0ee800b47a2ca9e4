/*
** src/logs/abtest.c: the two-proportion read-out of an A/B split (see
** cohorts.h): the difference of shares with a 95% Wald interval, and the
** pooled two-proportion z test, whose square is the chi-squared statistic
** of the 2x2 table (no continuity correction); p = erfc(|z| / sqrt 2).
*/
#include "cohorts.h"

#include <math.h>

#define Z975 1.959963984540054 /* the 0.975 quantile of the standard normal */

void rt_logs_two_proportions(int64_t x1, int64_t n1, int64_t x0, int64_t n0, double *diff,
                             double *lo, double *hi, double *p_value)
{
    if (n1 <= 0 || n0 <= 0) {
        *diff = *lo = *hi = *p_value = NAN;
        return;
    }
    double a = (double)x1 / (double)n1, b = (double)x0 / (double)n0;
    double se = sqrt(a * (1 - a) / (double)n1 + b * (1 - b) / (double)n0);
    *diff = a - b;
    *lo = *diff - Z975 * se;
    *hi = *diff + Z975 * se;
    double pool = (double)(x1 + x0) / (double)(n1 + n0);
    double se0 = sqrt(pool * (1 - pool) * (1.0 / (double)n1 + 1.0 / (double)n0));
    *p_value = se0 > 0 ? erfc(fabs(*diff) / se0 / sqrt(2.0)) : 1.0;
}
