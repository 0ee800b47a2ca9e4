/*
** kernels/cpu/and_popcount_avx2.c: bitset intersection and count with
** 256-bit ANDs and the POPCNT instruction (present on every AVX2 CPU).
*/
#ifndef __AVX2__
#error "and_popcount_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>

__attribute__((target("popcnt"))) int64_t
rt_and_popcount_avx2(const uint64_t *a, const uint64_t *b, uint64_t *out, int64_t words)
{
    int64_t n = 0, i = 0;
    for (; i + 4 <= words; i += 4) {
        __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a + i)),
                                     _mm256_loadu_si256((const __m256i *)(b + i)));
        _mm256_storeu_si256((__m256i *)(out + i), v);
        n += _mm_popcnt_u64(out[i]) + _mm_popcnt_u64(out[i + 1]) + _mm_popcnt_u64(out[i + 2]) +
             _mm_popcnt_u64(out[i + 3]);
    }
    for (; i < words; i++) {
        out[i] = a[i] & b[i];
        n += _mm_popcnt_u64(out[i]);
    }
    return n;
}
