/*
** kernels/cpu/logreg_pass_avx512.c: logreg_pass for AVX-512F: eight
** columns per step widened to float64 in registers, two accumulators per
** margin, four rows' gradient terms per step (masked for the last d % 8).
** Same contract as logreg_pass.c; sums differ from it only in order, within
** round-off. Built with -mavx512f; chosen by dispatch.c.
*/
#if !defined(__AVX512F__)
#error "logreg_pass_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>

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
        rt_logreg_tile_loss(margin + t0, tr, y + t0, w ? w + t0 : NULL, acc, slope);
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
