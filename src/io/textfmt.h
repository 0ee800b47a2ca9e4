/*
** src/io/textfmt.h: the fast number formatting that text writers (FIMI
** baskets, CSV logs) share; printf is several times slower at tens of
** millions of lines.
*/
#ifndef RT_IO_TEXTFMT_H
#define RT_IO_TEXTFMT_H

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

#endif
