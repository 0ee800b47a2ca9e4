/*
** src/core/rng.h: seeded random numbers. xoshiro256** streams derived from
** (seed, stream id) with splitmix64, so work split into blocks draws the
** same numbers whatever thread runs each block. Distributions used by the
** generators and by sampling: uniform, normal, gamma, beta, Poisson,
** geometric-free categorical draws from a cumulative table.
*/
#ifndef RT_CORE_RNG_H
#define RT_CORE_RNG_H

#include <stdint.h>

typedef struct rt_rng {
    uint64_t s[4];
} rt_rng;

/* Independent stream `stream` of generator `seed`. */
void rt_rng_init(rt_rng *rng, uint64_t seed, uint64_t stream);

uint64_t rt_rng_u64(rt_rng *rng);
/* Uniform in the open interval (0, 1). */
double rt_rng_uniform(rt_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rt_rng_below(rt_rng *rng, uint64_t n);
/* Standard normal (Marsaglia polar method, no cached second value). */
double rt_rng_normal(rt_rng *rng);
/* Gamma with shape k > 0 and scale theta > 0 (Marsaglia-Tsang). */
double rt_rng_gamma(rt_rng *rng, double shape, double scale);
/* Beta(a, b), a, b > 0. */
double rt_rng_beta(rt_rng *rng, double a, double b);
/* Exponential with the given rate > 0. */
double rt_rng_exponential(rt_rng *rng, double rate);
/* Poisson with mean lambda >= 0 (inversion below 30, PTRS above). */
int64_t rt_rng_poisson(rt_rng *rng, double lambda);
/* Index i with probability (cdf[i] - cdf[i-1]) / cdf[n-1]; cdf ascending. */
int64_t rt_rng_pick_cdf(rt_rng *rng, const double *cdf, int64_t n);

#endif
