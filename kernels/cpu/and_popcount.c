/*
** kernels/cpu/and_popcount.c: out = a & b over `words` 64-bit words and the
** number of bits set in out: the support of an itemset from the bitsets of
** two of its subsets (vertical Eclat, src/rules/eclat.c). Scalar reference;
** and_popcount_avx2.c and _avx512.c (VPOPCNTDQ) give the same results.
*/
#include "kernels.h"

int64_t rt_and_popcount_scalar(const uint64_t *a, const uint64_t *b, uint64_t *out,
                               int64_t words)
{
    int64_t n = 0;
    for (int64_t i = 0; i < words; i++) {
        uint64_t v = a[i] & b[i];
        out[i] = v;
        /* SWAR popcount: no instruction-set assumption in the reference */
        v = v - ((v >> 1) & 0x5555555555555555ull);
        v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
        v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
        n += (int64_t)((v * 0x0101010101010101ull) >> 56);
    }
    return n;
}
