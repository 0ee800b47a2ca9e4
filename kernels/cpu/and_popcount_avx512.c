/*
** kernels/cpu/and_popcount_avx512.c: bitset intersection and count, 512
** bits a step with VPOPCNTDQ (per-lane 64-bit popcounts summed in a vector)
** and a masked step for the tail. dispatch.c uses it only where the CPU has
** AVX512_VPOPCNTDQ, else the AVX2 variant.
*/
#ifndef __AVX512F__
#error "and_popcount_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>

__attribute__((target("avx512vpopcntdq"))) int64_t
rt_and_popcount_avx512(const uint64_t *a, const uint64_t *b, uint64_t *out, int64_t words)
{
    __m512i acc = _mm512_setzero_si512();
    int64_t i = 0;
    for (; i + 8 <= words; i += 8) {
        __m512i v = _mm512_and_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
        _mm512_storeu_si512(out + i, v);
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(v));
    }
    if (i < words) {
        __mmask8 m = (__mmask8)((1u << (words - i)) - 1);
        __m512i v = _mm512_and_si512(_mm512_maskz_loadu_epi64(m, a + i),
                                     _mm512_maskz_loadu_epi64(m, b + i));
        _mm512_mask_storeu_epi64(out + i, m, v);
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(v));
    }
    return _mm512_reduce_add_epi64(acc);
}
