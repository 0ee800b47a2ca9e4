/*
** kernels/cpu/and_popcount_avx512.c: bitset intersections and counts with
** VPOPCNTDQ. Single-word bitsets (the common case deep in a search) go
** eight rows a step: one load of eight rows, an AND with a broadcast, eight
** popcounts in one instruction. Longer ones go 512 bits a step with a
** masked step for the tail. dispatch.c uses this variant only where the
** CPU has AVX512_VPOPCNTDQ, else the AVX2 one.
*/
#ifndef __AVX512F__
#error "and_popcount_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>

__attribute__((target("avx512vpopcntdq"))) void
rt_and_popcount_avx512(const uint64_t *a, const uint64_t *b, int64_t rows, int64_t words,
                       uint64_t *out, int64_t *count)
{
    if (words == 1) {
        __m512i av = _mm512_set1_epi64((long long)a[0]);
        int64_t r = 0;
        for (; r + 8 <= rows; r += 8) {
            __m512i v = _mm512_and_si512(av, _mm512_loadu_si512(b + r));
            _mm512_storeu_si512(out + r, v);
            _mm512_storeu_si512(count + r, _mm512_popcnt_epi64(v));
        }
        if (r < rows) {
            __mmask8 m = (__mmask8)((1u << (rows - r)) - 1);
            __m512i v = _mm512_and_si512(av, _mm512_maskz_loadu_epi64(m, b + r));
            _mm512_mask_storeu_epi64(out + r, m, v);
            _mm512_mask_storeu_epi64(count + r, m, _mm512_popcnt_epi64(v));
        }
        return;
    }
    for (int64_t r = 0; r < rows; r++) {
        const uint64_t *br = b + r * words;
        uint64_t *o = out + r * words;
        __m512i acc = _mm512_setzero_si512();
        int64_t i = 0;
        for (; i + 8 <= words; i += 8) {
            __m512i v = _mm512_and_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(br + i));
            _mm512_storeu_si512(o + i, v);
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(v));
        }
        if (i < words) {
            __mmask8 m = (__mmask8)((1u << (words - i)) - 1);
            __m512i v = _mm512_and_si512(_mm512_maskz_loadu_epi64(m, a + i),
                                         _mm512_maskz_loadu_epi64(m, br + i));
            _mm512_mask_storeu_epi64(o + i, m, v);
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(v));
        }
        count[r] = _mm512_reduce_add_epi64(acc);
    }
}
