/*
** kernels/cpu/label_sums_avx512.c: label_sums for AVX-512F: eight columns
** per step, widened to float64 in registers (a masked step for the last
** d % 8). Each element gets the same single add (and product) as
** label_sums.c gives it, so the sums match it bit for bit.
*/
#if !defined(__AVX512F__)
#error "label_sums_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>

void rt_label_sums_avx512(const float *x, int64_t rows, int64_t d, int64_t xs,
                          const int32_t *label, const float *w, double *sums, double *wsum)
{
    const int64_t full = d / 8 * 8;
    const __mmask8 tail = (__mmask8)((1u << (d - full)) - 1);
    for (int64_t i = 0; i < rows; i++) {
        const float *xi = x + i * xs;
        double *s = sums + (int64_t)label[i] * d;
        const __m512d wi = _mm512_set1_pd(w ? (double)w[i] : 1.0);
        int64_t j = 0;
        for (; j < full; j += 8) {
            __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(xi + j));
            if (w)
                v = _mm512_mul_pd(wi, v);
            _mm512_storeu_pd(s + j, _mm512_add_pd(_mm512_loadu_pd(s + j), v));
        }
        if (tail) {
            __m512d v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(tail, xi + j));
            if (w)
                v = _mm512_mul_pd(wi, v);
            _mm512_mask_storeu_pd(s + j, tail,
                                  _mm512_add_pd(_mm512_maskz_loadu_pd(tail, s + j), v));
        }
        wsum[label[i]] += w ? (double)w[i] : 1.0;
    }
}
