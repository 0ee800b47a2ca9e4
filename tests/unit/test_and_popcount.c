/*
** tests/unit/test_and_popcount.c: every compiled variant of the bitset
** kernel (kernels/cpu/and_popcount*.c) against the scalar reference and a
** bit-by-bit count: 1..20 rows of 0..70 words (every tail of the 4- and
** 8-wide steps, the eight-rows-a-step path of one-word bitsets), inputs
** one word off alignment, all-ones and empty words, and nothing written
** outside out and count.
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

enum { MAXW = 70, MAXR = 20, CELLS = MAXW * MAXR + 2 };

int main(void)
{
    static uint64_t a[MAXW + 1], b[CELLS], want[CELLS], got[CELLS + 2];
    static int64_t want_n[MAXR], got_n[MAXR + 2];
    int variants = 0;
    for (int isa = 0; isa < RT_ISA_COUNT; isa++) {
        const rt_kernels *k = rt_kernels_for((rt_isa)isa);
        if (!k)
            continue;
        variants++;
        for (int64_t words = 0; words <= MAXW; words += words < 20 ? 1 : 7) {
            for (int64_t rows = 1; rows <= MAXR; rows++) {
                int trial = (int)(next() % 4);
                for (int64_t i = 0; i <= words; i++)
                    a[i] = trial == 1 ? ~0ull : next();
                for (int64_t i = 0; i < rows * words + 1; i++)
                    b[i] = trial == 2 ? 0 : next() & (trial == 3 ? next() : ~0ull);
                rt_and_popcount_scalar(a + 1, b + 1, rows, words, want, want_n);
                for (int64_t r = 0; r < rows; r++) {
                    int64_t bits = 0;
                    for (int64_t i = 0; i < words; i++)
                        for (int j = 0; j < 64; j++)
                            bits += (a[i + 1] & b[1 + r * words + i]) >> j & 1;
                    CHECK(want_n[r] == bits, "scalar row %lld: %lld, bit by bit %lld",
                          (long long)r, (long long)want_n[r], (long long)bits);
                }
                memset(got, 0xab, sizeof got);
                memset(got_n, 0xab, sizeof got_n);
                k->and_popcount(a + 1, b + 1, rows, words, got + 1, got_n + 1);
                CHECK(memcmp(got + 1, want, (size_t)(rows * words) * 8) == 0 &&
                          memcmp(got_n + 1, want_n, (size_t)rows * 8) == 0,
                      "%s: %lld rows of %lld words differ from scalar", k->name,
                      (long long)rows, (long long)words);
                CHECK(got[0] == 0xababababababababull &&
                          got[rows * words + 1] == 0xababababababababull &&
                          (uint64_t)got_n[0] == 0xababababababababull &&
                          (uint64_t)got_n[rows + 1] == 0xababababababababull,
                      "%s: wrote outside out or count (%lld x %lld)", k->name, (long long)rows,
                      (long long)words);
            }
        }
    }
    CHECK(variants >= 1, "the scalar variant runs everywhere");
    printf("and_popcount: %d variants checked; in use: %s\n", variants, rt_kernels_get()->name);
    CHECK_DONE();
}
