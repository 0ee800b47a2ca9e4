/*
** kernels/cpu/nonfinite_avx2.c: first NaN/Inf, AVX2, 32 floats a step; the
** exact position inside a hit is found by the scalar reference.
*/
#ifndef __AVX2__
#error "nonfinite_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>

int64_t rt_first_nonfinite_avx2(const float *x, int64_t n)
{
    const __m256i exp_mask = _mm256_set1_epi32(0x7f800000);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i any = _mm256_setzero_si256();
        for (int k = 0; k < 4; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(x + i + 8 * k));
            any = _mm256_or_si256(
                any, _mm256_cmpeq_epi32(_mm256_and_si256(v, exp_mask), exp_mask));
        }
        if (!_mm256_testz_si256(any, any))
            return i + rt_first_nonfinite_scalar(x + i, 32);
    }
    int64_t tail = rt_first_nonfinite_scalar(x + i, n - i);
    return tail < 0 ? -1 : i + tail;
}
