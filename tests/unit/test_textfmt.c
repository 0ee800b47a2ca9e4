/*
** tests/unit/test_textfmt.c: the fast number formatting of src/io/
** textfmt.h against printf: rt_put_uint exactly; rt_put_g10 equal to
** "%.10g" on fixed cases (zeros, powers of ten, both notations, carries
** like 9.9999999996) and on a million random doubles over 10^-300..10^300,
** where at most one in ten thousand may differ, and then only in the last
** digit (a halfway case rounded from a float64 product).
*/
#include "check.h"

#include "io/textfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int differs(double v, char *got, char *want)
{
    char *end = rt_put_g10(got, v);
    *end = '\0';
    snprintf(want, 64, "%.10g", v);
    return strcmp(got, want) != 0;
}

int main(void)
{
    char got[64], want[64];
    uint64_t ints[] = {0, 1, 9, 10, 99, 100, 12345678901234567890ull, UINT64_MAX};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        *rt_put_uint(got, ints[i]) = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)ints[i]);
        CHECK(strcmp(got, want) == 0, "uint %s vs %s", got, want);
    }
    double fixed[] = {0, 1, -1, 0.5, 0.1, 1e-5, 1e-4, 1.5e-5, 123456789, 1234567890,
                      12345678901.0, 9.9999999996, 0.99999999996, 9999999999.6, 1e10, 1e-300,
                      1.7976931348623157e308, 397.07023216, 0.001088904517, 2.877612337,
                      -0.00012345, 1e22, 1e23, 4.9406564584124654e-324 * 1e10};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        CHECK(!differs(fixed[i], got, want), "%.17g: got %s, printf %s", fixed[i], got, want);
    int64_t mismatches = 0, trials = 1000000;
    for (int64_t t = 0; t < trials; t++) {
        double v = ldexp((double)(next() >> 11), -53) * pow(10, (double)(next() % 600) - 300);
        if (next() % 2)
            v = -v;
        if (differs(v, got, want)) {
            mismatches++;
            double a = strtod(got, NULL), b = strtod(want, NULL);
            CHECK(fabs(a - b) <= 1.0000001e-9 * fabs(b), "%.17g: got %s, printf %s", v, got, want);
        }
    }
    CHECK(mismatches * 10000 <= trials, "%lld of %lld differ from printf",
          (long long)mismatches, (long long)trials);
    printf("rt_put_g10: %lld of %lld random values differ from printf in the last digit\n",
           (long long)mismatches, (long long)trials);
    CHECK_DONE();
}
