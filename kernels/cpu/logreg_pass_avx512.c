/*
** kernels/cpu/logreg_pass_avx512.c: logreg_pass for AVX-512F: eight
** columns per step widened to float64 in registers, two accumulators per
** margin and per gradient chunk (masked for the last d % 8), and the losses
** and slopes of eight rows at a time with a vector exp and log1p (below)
** instead of libm's, which would cost more than reading the row. Same
** contract as logreg_pass.c; results differ from it by round-off only (sums
** in another order; exp and log1p within a few ulps). Built with -mavx512f;
** chosen by dispatch.c.
*/
#if !defined(__AVX512F__)
#error "logreg_pass_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <string.h>

/* e^x for x <= 0: x = n ln2 + r with |r| <= ln2 / 2 (ln2 in two parts), e^r
** by its Taylor series to r^13 (error below 2e-16 relative), times 2^n by
** scalef, which also underflows to 0 gracefully. */
static __m512d exp_nonpositive(__m512d x)
{
    const __m512d log2e = _mm512_set1_pd(1.4426950408889634);
    const __m512d ln2_hi = _mm512_set1_pd(6.93147180369123816490e-01);
    const __m512d ln2_lo = _mm512_set1_pd(1.90821492927058770002e-10);
    x = _mm512_max_pd(x, _mm512_set1_pd(-746.0));
    __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, log2e), _MM_FROUND_TO_NEAREST_INT);
    __m512d r = _mm512_fnmadd_pd(n, ln2_hi, x);
    r = _mm512_fnmadd_pd(n, ln2_lo, r);
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
    __m512d p = _mm512_set1_pd(inv_fact[13]);
    for (int k = 12; k >= 0; k--)
        p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(inv_fact[k]));
    return _mm512_scalef_pd(p, n);
}

/* log(1 + e) for 0 <= e <= 1: 2 atanh(s), s = e / (2 + e) <= 1/3, by the
** series 2 s sum_k s^2k / (2k + 1) to k = 16 (error below 1e-17). */
static __m512d log1p_unit(__m512d e)
{
    __m512d s = _mm512_div_pd(e, _mm512_add_pd(_mm512_set1_pd(2.0), e));
    __m512d s2 = _mm512_mul_pd(s, s);
    __m512d p = _mm512_set1_pd(1.0 / 33);
    for (int k = 15; k >= 0; k--)
        p = _mm512_fmadd_pd(p, s2, _mm512_set1_pd(1.0 / (2 * k + 1)));
    return _mm512_mul_pd(_mm512_add_pd(s, s), p);
}

/* Losses and weighted slopes of up to RT_LOGREG_TILE margins (as logreg_pass.c's
** tile_loss), eight rows at a time. */
static void tile_loss(const double *margin, int64_t rows, const uint8_t *y, const double *w,
                      double *acc, double *slope)
{
    __m512d loss_acc = _mm512_setzero_pd(), g_acc = _mm512_setzero_pd();
    const __m512d one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
    for (int64_t i = 0; i < rows; i += 8) {
        __mmask8 k = rows - i >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (rows - i)) - 1);
        uint8_t yb[8] = {0};
        memcpy(yb, y + i, (size_t)(rows - i >= 8 ? 8 : rows - i));
        __m512d yv = _mm512_cvtepi64_pd(_mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)yb)));
        __m512d m = _mm512_maskz_loadu_pd(k, margin + i);
        __m512d t = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(yv, zero, _CMP_NEQ_OQ), m,
                                         _mm512_sub_pd(zero, m));
        __m512d e = exp_nonpositive(_mm512_sub_pd(zero, _mm512_abs_pd(m)));
        __m512d loss = _mm512_add_pd(_mm512_max_pd(t, zero), log1p_unit(e));
        __m512d q = _mm512_div_pd(one, _mm512_add_pd(one, e));
        __m512d p = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(m, zero, _CMP_GE_OQ),
                                         _mm512_mul_pd(e, q), q);
        __m512d c = w ? _mm512_maskz_loadu_pd(k, w + i) : _mm512_maskz_mov_pd(k, one);
        __m512d g = _mm512_mul_pd(c, _mm512_sub_pd(p, yv));
        loss_acc = _mm512_add_pd(loss_acc, _mm512_maskz_mul_pd(k, c, loss));
        g_acc = _mm512_add_pd(g_acc, g);
        _mm512_mask_storeu_pd(slope + i, k, g);
    }
    acc[0] += _mm512_reduce_add_pd(loss_acc);
    acc[1] += _mm512_reduce_add_pd(g_acc);
}

static double margin_row(const float *xi, int64_t full, __mmask8 tail, const double *v)
{
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    int64_t j = 0;
    for (; j + 16 <= full; j += 16) {
        a0 = _mm512_fmadd_pd(_mm512_loadu_pd(v + j), _mm512_cvtps_pd(_mm256_loadu_ps(xi + j)), a0);
        a1 = _mm512_fmadd_pd(_mm512_loadu_pd(v + j + 8),
                             _mm512_cvtps_pd(_mm256_loadu_ps(xi + j + 8)), a1);
    }
    if (j < full) {
        a0 = _mm512_fmadd_pd(_mm512_loadu_pd(v + j), _mm512_cvtps_pd(_mm256_loadu_ps(xi + j)), a0);
        j += 8;
    }
    if (tail)
        a1 = _mm512_fmadd_pd(_mm512_maskz_loadu_pd(tail, v + j),
                             _mm512_cvtps_pd(_mm256_maskz_loadu_ps(tail, xi + j)), a1);
    return _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
}

void rt_logreg_pass_avx512(const float *x, int64_t rows, int64_t d, int64_t xs,
                           const double *v, double b, const uint8_t *y, const double *w,
                           double *margin, double *acc, double *grad)
{
    const int64_t full = d / 8 * 8;
    const __mmask8 tail = (__mmask8)((1u << (d - full)) - 1);
    double slope[RT_LOGREG_TILE];
    for (int64_t t0 = 0; t0 < rows; t0 += RT_LOGREG_TILE) {
        int64_t tr = rows - t0 < RT_LOGREG_TILE ? rows - t0 : RT_LOGREG_TILE;
        const float *xt = x + t0 * xs;
        for (int64_t i = 0; i < tr; i++)
            margin[t0 + i] = b + margin_row(xt + i * xs, full, tail, v);
        if (!y)
            continue;
        tile_loss(margin + t0, tr, y + t0, w ? w + t0 : NULL, acc, slope);
        for (int64_t j = 0; j < d; j += 8) {
            __mmask8 m = j < full ? (__mmask8)0xff : tail;
            __m512d g0 = _mm512_maskz_loadu_pd(m, grad + j), g1 = _mm512_setzero_pd();
            int64_t i = 0;
            for (; i + 2 <= tr; i += 2) {
                g0 = _mm512_fmadd_pd(_mm512_set1_pd(slope[i]),
                                     _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, xt + i * xs + j)),
                                     g0);
                g1 = _mm512_fmadd_pd(
                    _mm512_set1_pd(slope[i + 1]),
                    _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, xt + (i + 1) * xs + j)), g1);
            }
            if (i < tr)
                g0 = _mm512_fmadd_pd(_mm512_set1_pd(slope[i]),
                                     _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, xt + i * xs + j)),
                                     g0);
            _mm512_mask_storeu_pd(grad + j, m, _mm512_add_pd(g0, g1));
        }
    }
}
