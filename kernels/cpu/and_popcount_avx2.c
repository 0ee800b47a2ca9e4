/*
** kernels/cpu/and_popcount_avx2.c: bitset intersections and counts with
** 256-bit ANDs and the POPCNT instruction (present on every AVX2 CPU).
*/
#ifndef __AVX2__
#error "and_popcount_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>

__attribute__((target("popcnt"))) void
rt_and_popcount_avx2(const uint64_t *a, const uint64_t *b, int64_t rows, int64_t words,
                     uint64_t *out, int64_t *count)
{
    for (int64_t r = 0; r < rows; r++) {
        const uint64_t *br = b + r * words;
        uint64_t *o = out + r * words;
        int64_t n = 0, i = 0;
        for (; i + 4 <= words; i += 4) {
            __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a + i)),
                                         _mm256_loadu_si256((const __m256i *)(br + i)));
            _mm256_storeu_si256((__m256i *)(o + i), v);
            n += _mm_popcnt_u64(o[i]) + _mm_popcnt_u64(o[i + 1]) + _mm_popcnt_u64(o[i + 2]) +
                 _mm_popcnt_u64(o[i + 3]);
        }
        for (; i < words; i++) {
            o[i] = a[i] & br[i];
            n += _mm_popcnt_u64(o[i]);
        }
        count[r] = n;
    }
}
