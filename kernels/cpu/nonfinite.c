/*
** kernels/cpu/nonfinite.c: find the first NaN or Inf in a float array, the
** check every matrix read runs; _scalar reference of the family. A float is
** not finite exactly when its exponent bits are all ones.
*/
#include "kernels.h"

#include <string.h>

int64_t rt_first_nonfinite_scalar(const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        if ((bits & 0x7f800000u) == 0x7f800000u)
            return i;
    }
    return -1;
}
