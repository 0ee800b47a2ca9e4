/*
** kernels/cpu/logreg_pass.c: one fused pass of the logistic loss and its
** gradient over a row block; the _scalar reference of the family
** (logreg_pass_avx2.c, logreg_pass_avx512.c widen the column loops).
** Rows go in tiles of RT_LOGREG_TILE: the tile's margins first, then its
** losses and slopes (libm exp and log1p here; the SIMD variants vectorise
** them), then the gradient sums while the tile's rows are still in L1, so X
** is read from memory once per pass. Called by src/logreg/objective.c.
*/
#include "kernels.h"

#include <math.h>
#include <stddef.h>

/* Losses and weighted slopes c (sigmoid(m) - y) of up to RT_LOGREG_TILE
** margins into acc[0..1] and slope[0..rows). */
static void tile_loss(const double *margin, int64_t rows, const uint8_t *y, const double *w,
                      double *acc, double *slope)
{
    for (int64_t i = 0; i < rows; i++) {
        double m = margin[i];
        /* loss = log(1 + e^t), t = m for y 0 and -m for y 1; slope = sigmoid(m) - y */
        double t = y[i] ? -m : m;
        double e = exp(-fabs(m));
        double loss = (t > 0 ? t : 0.0) + log1p(e);
        double p = m >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        double g = p - (double)y[i];
        double c = w ? w[i] : 1.0;
        acc[0] += c * loss;
        acc[1] += c * g;
        slope[i] = c * g;
    }
}

void rt_logreg_pass_scalar(const float *x, int64_t rows, int64_t d, int64_t xs,
                           const double *v, double b, const uint8_t *y, const double *w,
                           double *margin, double *acc, double *grad)
{
    double slope[RT_LOGREG_TILE];
    for (int64_t t0 = 0; t0 < rows; t0 += RT_LOGREG_TILE) {
        int64_t tr = rows - t0 < RT_LOGREG_TILE ? rows - t0 : RT_LOGREG_TILE;
        for (int64_t i = 0; i < tr; i++) {
            const float *xi = x + (t0 + i) * xs;
            double s = 0.0;
            for (int64_t j = 0; j < d; j++)
                s += v[j] * (double)xi[j];
            margin[t0 + i] = b + s;
        }
        if (!y)
            continue;
        tile_loss(margin + t0, tr, y + t0, w ? w + t0 : NULL, acc, slope);
        for (int64_t i = 0; i < tr; i++) {
            const float *xi = x + (t0 + i) * xs;
            for (int64_t j = 0; j < d; j++)
                grad[j] += slope[i] * (double)xi[j];
        }
    }
}
