/*
** tests/unit/test_rng.c: src/core/rng.c against known values and the
** moments of each distribution. Sample sizes and tolerances are chosen so a
** correct generator fails with probability far below 1e-6 (about 6 standard
** errors), while a wrong parameterisation (scale vs rate, a shifted mean)
** fails for sure.
*/
#include "check.h"

#include "core/rng.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define N 400000

static void moments(double *x, int n, double *mean, double *var)
{
    double s = 0, q = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        q += (x[i] - *mean) * (x[i] - *mean);
    *var = q / (n - 1);
}

/* Mean within 6 standard errors of mu, variance within 6% (N is large). */
static void check_moments(const char *what, double *x, double mu, double sigma2)
{
    double m, v;
    moments(x, N, &m, &v);
    double se = sqrt(sigma2 / N);
    CHECK(fabs(m - mu) < 6 * se, "%s mean %.6f, expected %.6f (se %.2g)", what, m, mu, se);
    CHECK(fabs(v / sigma2 - 1) < 0.06, "%s variance %.6f, expected %.6f", what, v, sigma2);
}

static double x[N];

int main(void)
{
    rt_rng a, b, c;
    rt_rng_init(&a, 42, 0);
    rt_rng_init(&b, 42, 0);
    rt_rng_init(&c, 42, 1);
    int same = 1, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t va = rt_rng_u64(&a), vb = rt_rng_u64(&b), vc = rt_rng_u64(&c);
        same &= va == vb;
        differ += va != vc;
    }
    CHECK(same, "same seed and stream give the same sequence");
    CHECK(differ > 990, "another stream differs (%d of 1000)", differ);

    /* Reference xoshiro256** step from the authors' description: state
    ** {1, 2, 3, 4} gives 11520 first, then 0, then 1509978240. */
    rt_rng ref = {{1, 2, 3, 4}};
    uint64_t r1 = rt_rng_u64(&ref), r2 = rt_rng_u64(&ref), r3 = rt_rng_u64(&ref);
    CHECK(r1 == 11520 && r2 == 0 && r3 == 1509978240, "xoshiro256** reference %llu %llu %llu",
          (unsigned long long)r1, (unsigned long long)r2, (unsigned long long)r3);

    rt_rng g;
    rt_rng_init(&g, 7, 3);
    for (int i = 0; i < N; i++)
        x[i] = rt_rng_uniform(&g);
    check_moments("uniform", x, 0.5, 1.0 / 12);
    for (int i = 0; i < N; i++)
        CHECK(x[i] > 0 && x[i] < 1, "uniform in (0,1): %g", x[i]);

    int counts[7] = {0};
    for (int i = 0; i < 70000; i++)
        counts[rt_rng_below(&g, 7)]++;
    for (int k = 0; k < 7; k++)
        CHECK(abs(counts[k] - 10000) < 600, "below(7) bucket %d: %d", k, counts[k]);

    for (int i = 0; i < N; i++)
        x[i] = rt_rng_normal(&g);
    check_moments("normal", x, 0, 1);
    for (int i = 0; i < N; i++)
        x[i] = rt_rng_gamma(&g, 2.5, 3.0);
    check_moments("gamma(2.5, scale 3)", x, 7.5, 22.5);
    for (int i = 0; i < N; i++)
        x[i] = rt_rng_gamma(&g, 0.3, 2.0);
    check_moments("gamma(0.3, scale 2)", x, 0.6, 1.2);
    for (int i = 0; i < N; i++)
        x[i] = rt_rng_beta(&g, 0.8, 2.4);
    check_moments("beta(0.8, 2.4)", x, 0.25, 0.8 * 2.4 / (3.2 * 3.2 * 4.2));
    for (int i = 0; i < N; i++)
        x[i] = rt_rng_exponential(&g, 4.0);
    check_moments("exponential(4)", x, 0.25, 1.0 / 16);
    for (int i = 0; i < N; i++)
        x[i] = (double)rt_rng_poisson(&g, 3.5);
    check_moments("poisson(3.5)", x, 3.5, 3.5);
    for (int i = 0; i < N; i++)
        x[i] = (double)rt_rng_poisson(&g, 120.0);
    check_moments("poisson(120)", x, 120, 120);
    CHECK(rt_rng_poisson(&g, 0.0) == 0, "poisson(0)");

    double cdf[3] = {1, 3, 6}; /* weights 1, 2, 3 */
    int picks[3] = {0};
    for (int i = 0; i < 60000; i++)
        picks[rt_rng_pick_cdf(&g, cdf, 3)]++;
    CHECK(abs(picks[0] - 10000) < 600 && abs(picks[1] - 20000) < 800 &&
              abs(picks[2] - 30000) < 800,
          "pick_cdf %d %d %d", picks[0], picks[1], picks[2]);
    CHECK_DONE();
}
