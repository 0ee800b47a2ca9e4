/*
** kernels/cpu/logreg_pass_avx2.c: logreg_pass for AVX2 + FMA: four columns
** per step widened to float64, two accumulators per margin, the last d % 4
** columns in scalar code; the losses and slopes of four rows at a time with
** a vector exp and log1p (below) instead of libm's. Same contract as
** logreg_pass.c; results differ from it by round-off only (sums in another
** order; exp and log1p within a few ulps). Built with -mavx2 -mfma; chosen
** by dispatch.c.
*/
#if !defined(__AVX2__) || !defined(__FMA__)
#error "logreg_pass_avx2.c must be built with -mavx2 -mfma"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <string.h>

static double hsum(__m256d a)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* e^x for x <= 0 as logreg_pass_avx512.c computes it; below -708 (where
** e^x is subnormal and negligible beside 1) x is taken as -708. 2^n is
** built in the exponent bits. */
static __m256d exp_nonpositive(__m256d x)
{
    const __m256d log2e = _mm256_set1_pd(1.4426950408889634);
    const __m256d ln2_hi = _mm256_set1_pd(6.93147180369123816490e-01);
    const __m256d ln2_lo = _mm256_set1_pd(1.90821492927058770002e-10);
    const __m256d magic = _mm256_set1_pd(6755399441055744.0); /* 1.5 * 2^52 */
    x = _mm256_max_pd(x, _mm256_set1_pd(-708.0));
    __m256d n = _mm256_round_pd(_mm256_mul_pd(x, log2e),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, ln2_hi, x);
    r = _mm256_fnmadd_pd(n, ln2_lo, r);
    static const double inv_fact[14] = {1.0,
                                        1.0,
                                        0.5,
                                        1.0 / 6,
                                        1.0 / 24,
                                        1.0 / 120,
                                        1.0 / 720,
                                        1.0 / 5040,
                                        1.0 / 40320,
                                        1.0 / 362880,
                                        1.0 / 3628800,
                                        1.0 / 39916800,
                                        1.0 / 479001600,
                                        1.0 / 6227020800.0};
    __m256d p = _mm256_set1_pd(inv_fact[13]);
    for (int k = 12; k >= 0; k--)
        p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inv_fact[k]));
    __m256i bits = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n, magic)),
                                    _mm256_castpd_si256(magic));
    __m256d scale = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52));
    return _mm256_mul_pd(p, scale);
}

/* log(1 + e) for 0 <= e <= 1, as logreg_pass_avx512.c computes it. */
static __m256d log1p_unit(__m256d e)
{
    __m256d s = _mm256_div_pd(e, _mm256_add_pd(_mm256_set1_pd(2.0), e));
    __m256d s2 = _mm256_mul_pd(s, s);
    __m256d p = _mm256_set1_pd(1.0 / 33);
    for (int k = 15; k >= 0; k--)
        p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / (2 * k + 1)));
    return _mm256_mul_pd(_mm256_add_pd(s, s), p);
}

/* Losses and weighted slopes of up to RT_LOGREG_TILE margins (as
** logreg_pass.c's tile_loss), four rows at a time; a last partial group is
** padded with weight 0. */
static void tile_loss(const double *margin, int64_t rows, const uint8_t *y, const double *w,
                      double *acc, double *slope)
{
    __m256d loss_acc = _mm256_setzero_pd(), g_acc = _mm256_setzero_pd();
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    for (int64_t i = 0; i < rows; i += 4) {
        int64_t k = rows - i >= 4 ? 4 : rows - i;
        double mb[4] = {0, 0, 0, 0}, cb[4] = {0, 0, 0, 0}, gb[4];
        int32_t yb[4] = {0, 0, 0, 0};
        for (int64_t u = 0; u < k; u++) {
            mb[u] = margin[i + u];
            cb[u] = w ? w[i + u] : 1.0;
            yb[u] = y[i + u];
        }
        __m256d yv = _mm256_cvtepi32_pd(_mm_loadu_si128((const __m128i *)yb));
        __m256d m = _mm256_loadu_pd(mb), c = _mm256_loadu_pd(cb);
        __m256d t = _mm256_blendv_pd(m, _mm256_sub_pd(zero, m), _mm256_cmp_pd(yv, zero, _CMP_NEQ_OQ));
        __m256d absm = _mm256_max_pd(m, _mm256_sub_pd(zero, m));
        __m256d e = exp_nonpositive(_mm256_sub_pd(zero, absm));
        __m256d loss = _mm256_add_pd(_mm256_max_pd(t, zero), log1p_unit(e));
        __m256d q = _mm256_div_pd(one, _mm256_add_pd(one, e));
        __m256d p = _mm256_blendv_pd(_mm256_mul_pd(e, q), q, _mm256_cmp_pd(m, zero, _CMP_GE_OQ));
        __m256d g = _mm256_mul_pd(c, _mm256_sub_pd(p, yv));
        loss_acc = _mm256_add_pd(loss_acc, _mm256_mul_pd(c, loss));
        g_acc = _mm256_add_pd(g_acc, g);
        _mm256_storeu_pd(gb, g);
        memcpy(slope + i, gb, (size_t)k * sizeof *gb);
    }
    acc[0] += hsum(loss_acc);
    acc[1] += hsum(g_acc);
}

void rt_logreg_pass_avx2(const float *x, int64_t rows, int64_t d, int64_t xs,
                         const double *v, double b, const uint8_t *y, const double *w,
                         double *margin, double *acc, double *grad)
{
    const int64_t full = d / 4 * 4;
    double slope[RT_LOGREG_TILE];
    for (int64_t t0 = 0; t0 < rows; t0 += RT_LOGREG_TILE) {
        int64_t tr = rows - t0 < RT_LOGREG_TILE ? rows - t0 : RT_LOGREG_TILE;
        const float *xt = x + t0 * xs;
        for (int64_t i = 0; i < tr; i++) {
            const float *xi = xt + i * xs;
            __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
            int64_t j = 0;
            for (; j + 8 <= full; j += 8) {
                a0 = _mm256_fmadd_pd(_mm256_loadu_pd(v + j), _mm256_cvtps_pd(_mm_loadu_ps(xi + j)),
                                     a0);
                a1 = _mm256_fmadd_pd(_mm256_loadu_pd(v + j + 4),
                                     _mm256_cvtps_pd(_mm_loadu_ps(xi + j + 4)), a1);
            }
            if (j < full) {
                a0 = _mm256_fmadd_pd(_mm256_loadu_pd(v + j), _mm256_cvtps_pd(_mm_loadu_ps(xi + j)),
                                     a0);
                j += 4;
            }
            double s = hsum(_mm256_add_pd(a0, a1));
            for (; j < d; j++)
                s += v[j] * (double)xi[j];
            margin[t0 + i] = b + s;
        }
        if (!y)
            continue;
        tile_loss(margin + t0, tr, y + t0, w ? w + t0 : NULL, acc, slope);
        int64_t j = 0;
        for (; j < full; j += 4) {
            __m256d g0 = _mm256_loadu_pd(grad + j), g1 = _mm256_setzero_pd();
            int64_t i = 0;
            for (; i + 2 <= tr; i += 2) {
                g0 = _mm256_fmadd_pd(_mm256_set1_pd(slope[i]),
                                     _mm256_cvtps_pd(_mm_loadu_ps(xt + i * xs + j)), g0);
                g1 = _mm256_fmadd_pd(_mm256_set1_pd(slope[i + 1]),
                                     _mm256_cvtps_pd(_mm_loadu_ps(xt + (i + 1) * xs + j)), g1);
            }
            if (i < tr)
                g0 = _mm256_fmadd_pd(_mm256_set1_pd(slope[i]),
                                     _mm256_cvtps_pd(_mm_loadu_ps(xt + i * xs + j)), g0);
            _mm256_storeu_pd(grad + j, _mm256_add_pd(g0, g1));
        }
        for (; j < d; j++)
            for (int64_t i = 0; i < tr; i++)
                grad[j] += slope[i] * (double)xt[i * xs + j];
    }
}
