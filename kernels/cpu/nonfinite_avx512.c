/*
** kernels/cpu/nonfinite_avx512.c: first NaN/Inf, AVX-512, 64 floats a step
** and a masked step for the tail; the lane is found from the compare mask.
*/
#ifndef __AVX512F__
#error "nonfinite_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>

static inline __mmask16 nonfinite_lanes(__m512i v, __m512i exp_mask)
{
    return _mm512_cmpeq_epi32_mask(_mm512_and_si512(v, exp_mask), exp_mask);
}

int64_t rt_first_nonfinite_avx512(const float *x, int64_t n)
{
    const __m512i exp_mask = _mm512_set1_epi32(0x7f800000);
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __mmask16 m0 = nonfinite_lanes(_mm512_loadu_si512(x + i), exp_mask);
        __mmask16 m1 = nonfinite_lanes(_mm512_loadu_si512(x + i + 16), exp_mask);
        __mmask16 m2 = nonfinite_lanes(_mm512_loadu_si512(x + i + 32), exp_mask);
        __mmask16 m3 = nonfinite_lanes(_mm512_loadu_si512(x + i + 48), exp_mask);
        if (m0 | m1 | m2 | m3) {
            uint64_t all = (uint64_t)m0 | (uint64_t)m1 << 16 |
                           (uint64_t)m2 << 32 | (uint64_t)m3 << 48;
            return i + __builtin_ctzll(all);
        }
    }
    for (; i < n; i += 16) {
        int64_t width = n - i < 16 ? n - i : 16;
        __mmask16 lanes = (__mmask16)((1u << width) - 1u);
        __mmask16 m =
            nonfinite_lanes(_mm512_maskz_loadu_epi32(lanes, x + i), exp_mask) & lanes;
        if (m)
            return i + __builtin_ctz(m);
    }
    return -1;
}
