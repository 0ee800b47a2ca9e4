/*
** kernels/cpu/clv_alive_loop.h: the body of the clv_alive kernels, written
** once in plain C and compiled three times (clv_alive.c, _avx2.c,
** _avx512.c) so the compiler vectorises it for each ISA. Every operation
** is exactly rounded IEEE arithmetic or fma (the build turns contraction
** off), so every variant gives the same bits, one lane or eight. The
** selects need -fno-trapping-math to vectorise (CMakeLists.txt sets it).
**
** P(alive) = 1 / (1 + c e^z) with c = a / (b + x - 1) (BG/NBD) or
** a / (b + x) (MBG/NBD) and z = (r + x) ln q, q = (al + T) / (al + tx) >= 1,
** is computed as w / (w + c) with w = e^-z in (0, 1], so nothing overflows.
** The logarithm and the exponential below are within 1 ulp of libm's.
*/
#ifndef RT_CLV_ALIVE_FN
#error "define RT_CLV_ALIVE_FN before including clv_alive_loop.h"
#endif
#include "kernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ln q for a positive normal q: q = 2^k z with z in [0.705, 1.41], and
** ln z = ln(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.172, arranged as
** fdlibm's e_log.c does (f - (f^2/2 - s (f^2/2 + R))), with R the
** atanh series in s^2 to s^22 (truncation below 1e-19). */
static inline double log_normal(double q)
{
    uint64_t bits;
    memcpy(&bits, &q, sizeof bits);
    uint64_t shifted = bits - 0x3fe6955500000000ULL;
    /* the exponent from the high word, in 32 bits so AVX2 can convert it */
    int32_t k = (int32_t)(uint32_t)(shifted >> 32) >> 20;
    double z = double_of(bits - (shifted & 0xfff0000000000000ULL));
    double e = (double)k, f = z - 1.0, s = f / (2.0 + f), s2 = s * s;
    double series = 2.0 / 23; /* 2 / (2j + 1), j = 11 down to 1 (Horner, unrolled) */
    series = fma(series, s2, 2.0 / 21);
    series = fma(series, s2, 2.0 / 19);
    series = fma(series, s2, 2.0 / 17);
    series = fma(series, s2, 2.0 / 15);
    series = fma(series, s2, 2.0 / 13);
    series = fma(series, s2, 2.0 / 11);
    series = fma(series, s2, 2.0 / 9);
    series = fma(series, s2, 2.0 / 7);
    series = fma(series, s2, 2.0 / 5);
    series = fma(series, s2, 2.0 / 3);
    series *= s2;
    double half_f2 = 0.5 * (f * f);
    double low = fma(s, half_f2 + series, e * 1.90821492927058770002e-10);
    return fma(e, 6.93147180369123816490e-01, -((half_f2 - low) - f));
}

/* e^-z for z >= 0: -z = n ln2 + r, |r| <= ln2 / 2 (ln2 in two parts), e^r
** by its Taylor series to r^13 (truncation below 1e-17), times 2^n as
** 2^(n+64) 2^-64: the first product is exact, so the result is rounded
** once, subnormal or not. Below e^-746 it is 0. */
static inline double exp_negative(double z)
{
    double x = -z > -746.0 ? -z : -746.0;
    double n = nearbyint(x * 1.4426950408889634);
    double r = fma(-n, 6.93147180369123816490e-01, x);
    r = fma(-n, 1.90821492927058770002e-10, r);
    double p = 1.0 / 6227020800.0; /* 1 / j!, j = 13 down to 0 (Horner, unrolled) */
    p = fma(p, r, 1.0 / 479001600);
    p = fma(p, r, 1.0 / 39916800);
    p = fma(p, r, 1.0 / 3628800);
    p = fma(p, r, 1.0 / 362880);
    p = fma(p, r, 1.0 / 40320);
    p = fma(p, r, 1.0 / 5040);
    p = fma(p, r, 1.0 / 720);
    p = fma(p, r, 1.0 / 120);
    p = fma(p, r, 1.0 / 24);
    p = fma(p, r, 1.0 / 6);
    p = fma(p, r, 0.5);
    p = fma(p, r, 1.0);
    p = fma(p, r, 1.0);
    double scale = double_of((uint64_t)((int32_t)n + 64 + 1023) << 52);
    return (p * scale) * 0x1p-64;
}

void RT_CLV_ALIVE_FN(const double *x, const double *tx, const double *T, int64_t n,
                     const rt_clv_alive_params *par, double *p_alive)
{
    double r = par->r, al = par->alpha, a = par->a, b = par->b_shifted;
    int bg = par->bg;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i];
        double w = exp_negative((r + xi) * log_normal((al + T[i]) / (al + tx[i])));
        double p = w / (w + a / (b + xi));
        p_alive[i] = (bg & (xi == 0)) ? 1.0 : p;
    }
}
