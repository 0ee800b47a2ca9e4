/*
** kernels/cpu/and_popcount.c: the bitsets of a vertical Eclat step
** (src/rules/eclat.c): for each of `rows` bitsets of `words` 64-bit words
** stored one after another in b, out row r = a & b row r and count[r] =
** the bits set in it, the support of an itemset from two of its subsets.
** Scalar reference; and_popcount_avx2.c and _avx512.c (VPOPCNTDQ) give
** the same results.
*/
#include "kernels.h"

static int64_t popcount64(uint64_t v)
{
    /* SWAR: no instruction-set assumption in the reference */
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int64_t)((v * 0x0101010101010101ull) >> 56);
}

void rt_and_popcount_scalar(const uint64_t *a, const uint64_t *b, int64_t rows, int64_t words,
                            uint64_t *out, int64_t *count)
{
    for (int64_t r = 0; r < rows; r++) {
        int64_t n = 0;
        for (int64_t i = 0; i < words; i++) {
            uint64_t v = a[i] & b[r * words + i];
            out[r * words + i] = v;
            n += popcount64(v);
        }
        count[r] = n;
    }
}
