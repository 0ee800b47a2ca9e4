/*
** kernels/cpu/logreg_pass_avx2.c: logreg_pass for AVX2 + FMA: four columns
** per step widened to float64, two accumulators per margin, the last d % 4
** columns in scalar code. Same contract as logreg_pass.c; sums differ from
** it only in order, within round-off. Built with -mavx2 -mfma; chosen by
** dispatch.c.
*/
#if !defined(__AVX2__) || !defined(__FMA__)
#error "logreg_pass_avx2.c must be built with -mavx2 -mfma"
#endif
#include "kernels.h"

#include <immintrin.h>

static double hsum(__m256d a)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
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
        rt_logreg_tile_loss(margin + t0, tr, y + t0, w ? w + t0 : NULL, acc, slope);
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
