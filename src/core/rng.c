/*
** src/core/rng.c: xoshiro256** (Blackman and Vigna, 2018) seeded through
** splitmix64, plus the distributions the generators need. PTRS Poisson is
** Hormann's transformed rejection (1993); gamma is Marsaglia and Tsang (2000)
** with the shape < 1 boost.
*/
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void rt_rng_init(rt_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t mixed = splitmix64(&x);
    x = mixed ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rt_rng_u64(rt_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rt_rng_uniform(rt_rng *rng)
{
    /* 53 random bits, shifted by half a step so 0 and 1 never occur. */
    return ((double)(rt_rng_u64(rng) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t rt_rng_below(rt_rng *rng, uint64_t n)
{
    /* Lemire's multiply-shift with rejection. */
    unsigned __int128 m = (unsigned __int128)rt_rng_u64(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)rt_rng_u64(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double rt_rng_normal(rt_rng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * rt_rng_uniform(rng) - 1.0;
        v = 2.0 * rt_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

double rt_rng_gamma(rt_rng *rng, double shape, double scale)
{
    if (shape < 1.0) {
        double u = rt_rng_uniform(rng);
        return rt_rng_gamma(rng, shape + 1.0, scale) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = rt_rng_normal(rng);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = rt_rng_uniform(rng);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v * scale;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v * scale;
    }
}

double rt_rng_beta(rt_rng *rng, double a, double b)
{
    double x = rt_rng_gamma(rng, a, 1.0), y = rt_rng_gamma(rng, b, 1.0);
    return x / (x + y);
}

double rt_rng_exponential(rt_rng *rng, double rate)
{
    return -log(rt_rng_uniform(rng)) / rate;
}

int64_t rt_rng_poisson(rt_rng *rng, double lambda)
{
    if (lambda <= 0.0)
        return 0;
    if (lambda < 30.0) {
        double limit = exp(-lambda), p = rt_rng_uniform(rng);
        int64_t k = 0;
        while (p > limit) {
            p *= rt_rng_uniform(rng);
            k++;
        }
        return k;
    }
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rt_rng_uniform(rng) - 0.5, v = rt_rng_uniform(rng);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int64_t)k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
            -lambda + k * loglam - lgamma(k + 1))
            return (int64_t)k;
    }
}

int64_t rt_rng_pick_cdf(rt_rng *rng, const double *cdf, int64_t n)
{
    double target = rt_rng_uniform(rng) * cdf[n - 1];
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
