/*
** kernels/cpu/seed_dist_loop.h: the body of the seed_dist kernels (k-means++
** seeding), written once in plain C and compiled three times (seed_dist.c,
** _avx2.c, _avx512.c) so the compiler vectorises it for each ISA.
** A row's squared distance to a centre is summed in one fixed order: eight
** running sums over the dimensions j = u mod 8 (u < 8, in whole groups of
** eight), the leftover dimensions into a ninth, then
** ninth + (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))).
** Here that order runs in every lane, one row a lane: the tile's rows are
** turned into columns first, so each step is one exactly rounded operation
** on contiguous floats (the build turns contraction off). Every variant,
** and kernels/cuda/kmeans_seed.cu, gives the same bits.
*/
#ifndef RT_SEED_DIST_FN
#error "define RT_SEED_DIST_FN before including seed_dist_loop.h"
#endif
#include "kernels.h"

#include <string.h>

void RT_SEED_DIST_FN(const float *z, int64_t stride, int64_t rows, int64_t d,
                     const float *centres, int64_t count, float *tile, float *out)
{
    enum { R = RT_SEED_TILE };
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < d; j++)
            tile[j * R + i] = z[i * stride + j];
    for (int64_t j = 0; rows < R && j < d; j++) /* lanes past the rows: 0, not read */
        memset(tile + j * R + rows, 0, (size_t)(R - rows) * sizeof *tile);
    int64_t groups = d / 8;
    for (int64_t t = 0; t < count; t++) {
        const float *c = centres + t * d;
        float sums[8][R], rest[R];
        /* a sum's first term is its first square: 0 + e * e adds nothing */
        if (groups == 0)
            memset(sums, 0, sizeof sums);
        for (int64_t g = 0; g < groups; g++)
            for (int u = 0; u < 8; u++) {
                const float *col = tile + (g * 8 + u) * R, cu = c[g * 8 + u];
                if (g == 0)
                    for (int i = 0; i < R; i++) {
                        float e = col[i] - cu;
                        sums[u][i] = e * e;
                    }
                else
                    for (int i = 0; i < R; i++) {
                        float e = col[i] - cu;
                        sums[u][i] += e * e;
                    }
            }
        if (groups * 8 == d)
            memset(rest, 0, sizeof rest);
        for (int64_t j = groups * 8; j < d; j++) {
            const float *col = tile + j * R, cj = c[j];
            if (j == groups * 8)
                for (int i = 0; i < R; i++) {
                    float e = col[i] - cj;
                    rest[i] = e * e;
                }
            else
                for (int i = 0; i < R; i++) {
                    float e = col[i] - cj;
                    rest[i] += e * e;
                }
        }
        float *o = out + t * R;
        for (int i = 0; i < R; i++)
            o[i] = rest[i] + (((sums[0][i] + sums[1][i]) + (sums[2][i] + sums[3][i])) +
                              ((sums[4][i] + sums[5][i]) + (sums[6][i] + sums[7][i])));
    }
}
