/*
** kernels/cpu/colstats.c: per-column NaN/Inf counts and finite sum, sum of
** squares, min and max over a block of rows; the _scalar reference of the
** family (SIMD siblings: colstats_avx2.c, colstats_avx512.c). Used by
** `retain info` and by input validation.
*/
#include "kernels.h"

#include <math.h>

void rt_colstats_scalar(const float *x, int64_t rows, int64_t cols,
                        int64_t stride, const rt_colstats *acc)
{
    for (int64_t j = 0; j < cols; j++) {
        int64_t nan = 0, inf = 0;
        double sum = 0.0, sumsq = 0.0;
        float lo = acc->min[j], hi = acc->max[j];
        for (int64_t i = 0; i < rows; i++) {
            float v = x[i * stride + j];
            if (isnan(v)) {
                nan++;
            } else if (isinf(v)) {
                inf++;
            } else {
                double d = v;
                sum += d;
                sumsq += d * d;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        acc->nan[j] += nan;
        acc->inf[j] += inf;
        acc->sum[j] += sum;
        acc->sumsq[j] += sumsq;
        acc->min[j] = lo;
        acc->max[j] = hi;
    }
}
