/*
** kernels/cpu/label_sums_avx2.c: label_sums for AVX2: four columns per
** step, widened to float64 in registers, the last d % 4 one by one. Each
** element gets the same single add (and product) as label_sums.c gives it,
** so the sums match it bit for bit.
*/
#if !defined(__AVX2__)
#error "label_sums_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>

void rt_label_sums_avx2(const float *x, int64_t rows, int64_t d, int64_t xs,
                        const int32_t *label, const float *w, double *sums, double *wsum)
{
    const int64_t full = d / 4 * 4;
    for (int64_t i = 0; i < rows; i++) {
        const float *xi = x + i * xs;
        double *s = sums + (int64_t)label[i] * d;
        const double wi = w ? (double)w[i] : 1.0;
        const __m256d wv = _mm256_set1_pd(wi);
        int64_t j = 0;
        for (; j < full; j += 4) {
            __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(xi + j));
            if (w)
                v = _mm256_mul_pd(wv, v);
            _mm256_storeu_pd(s + j, _mm256_add_pd(_mm256_loadu_pd(s + j), v));
        }
        for (; j < d; j++)
            s[j] += w ? wi * (double)xi[j] : (double)xi[j];
        wsum[label[i]] += wi;
    }
}
