/*
** tests/unit/test_and_popcount.c: every compiled variant of the bitset
** kernel (kernels/cpu/and_popcount*.c) against the scalar reference and
** against a bit-by-bit count: lengths 0..130 words (every tail of the 4-
** and 8-word steps), pointers one word off alignment, all-ones and empty
** words, and out written exactly over [0, words).
*/
#include "check.h"

#include "kernels/cpu/kernels.h"

#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x243f6a8885a308d3ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

int main(void)
{
    enum { MAXW = 130 };
    uint64_t a[MAXW + 2], b[MAXW + 2], want[MAXW + 2], got[MAXW + 3];
    int variants = 0;
    for (int isa = 0; isa < RT_ISA_COUNT; isa++) {
        const rt_kernels *k = rt_kernels_for((rt_isa)isa);
        if (!k)
            continue;
        variants++;
        for (int64_t words = 0; words <= MAXW; words++) {
            for (int trial = 0; trial < 4; trial++) {
                for (int64_t i = 0; i < words + 1; i++) {
                    a[i] = trial == 1 ? ~0ull : next() & (trial == 3 ? next() : ~0ull);
                    b[i] = trial == 2 ? 0 : next();
                }
                int64_t bits = 0;
                for (int64_t i = 0; i < words; i++)
                    for (int j = 0; j < 64; j++)
                        bits += (a[i + 1] & b[i + 1]) >> j & 1;
                int64_t ref = rt_and_popcount_scalar(a + 1, b + 1, want, words);
                memset(got, 0xab, sizeof got);
                int64_t n = k->and_popcount(a + 1, b + 1, got + 1, words);
                CHECK(ref == bits, "scalar count %lld, bit by bit %lld (words %lld)",
                      (long long)ref, (long long)bits, (long long)words);
                CHECK(n == ref, "%s: count %lld, scalar %lld (words %lld, trial %d)", k->name,
                      (long long)n, (long long)ref, (long long)words, trial);
                CHECK(memcmp(got + 1, want, (size_t)words * 8) == 0, "%s: out (words %lld)",
                      k->name, (long long)words);
                CHECK(got[0] == 0xababababababababull && got[words + 1] == 0xababababababababull,
                      "%s: wrote outside out[0, %lld)", k->name, (long long)words);
            }
        }
    }
    CHECK(variants >= 1, "the scalar variant runs everywhere");
    printf("and_popcount: %d variants checked; in use: %s\n", variants, rt_kernels_get()->name);
    CHECK_DONE();
}
