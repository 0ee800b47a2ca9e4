/*
** src/io/textfmt.h: the fast number formatting that text writers (FIMI
** baskets, CSV logs, itemsets and rules) share; printf is several times
** slower at tens of millions of lines.
*/
#ifndef RT_IO_TEXTFMT_H
#define RT_IO_TEXTFMT_H

#include <math.h>
#include <stdint.h>

/* Writes v in decimal at p; returns the end. */
static inline char *rt_put_uint(char *p, uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Writes a finite v with 10 significant digits as printf's "%.10g" does
** (fixed notation for exponents -5..9, else d.ddde-XX; trailing zeros
** dropped) at p; returns the end. Digits come from one scaling in float64,
** so the tenth digit can differ from printf's exactly rounded one by one
** unit in rare halfway cases. At most 17 bytes. */
static inline char *rt_put_g10(char *p, double v)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (v == 0) {
        *p++ = '0';
        return p;
    }
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    int e = (int)floor(log10(v));
    /* digits = round(v * 10^(9 - e)), exactly 10 of them */
    int s = 9 - e;
    double scaled = v;
    for (; s > 22; s -= 22) /* 10^s itself would overflow near the range ends */
        scaled *= 1e22;
    for (; s < -22; s += 22)
        scaled /= 1e22;
    scaled = s >= 0 ? scaled * pow10[s] : scaled / pow10[-s];
    uint64_t d = (uint64_t)llround(scaled);
    if (d >= 10000000000ull) { /* rounded up to 11 digits: 9.99...95 -> 10.0 */
        d /= 10;
        e++;
    } else if (d < 1000000000ull) { /* log10 came out one too high */
        d = (uint64_t)llround(scaled * 10);
        e--;
    }
    char dig[10];
    for (int i = 9; i >= 0; i--, d /= 10)
        dig[i] = (char)('0' + d % 10);
    int last = 9;
    while (last > 0 && dig[last] == '0')
        last--;
    if (e < -4 || e >= 10) {
        *p++ = dig[0];
        if (last > 0) {
            *p++ = '.';
            for (int i = 1; i <= last; i++)
                *p++ = dig[i];
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        int ae = e < 0 ? -e : e;
        if (ae >= 100)
            *p++ = (char)('0' + ae / 100);
        *p++ = (char)('0' + ae / 10 % 10);
        *p++ = (char)('0' + ae % 10);
    } else if (e < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > e; i--)
            *p++ = '0';
        for (int i = 0; i <= last; i++)
            *p++ = dig[i];
    } else {
        for (int i = 0; i <= e; i++)
            *p++ = dig[i];
        if (last > e) {
            *p++ = '.';
            for (int i = e + 1; i <= last; i++)
                *p++ = dig[i];
        }
    }
    return p;
}

#endif
