/*
** kernels/cpu/nearest_centroid_avx2.c: nearest_centroid for AVX2 + FMA, laid
** out as nearest_centroid_avx512.c is, at half the width: a tile of 16 rows
** transposed into scratch (8 x 8 blocks in registers), each group of 8
** centroids taken in two halves of 4 against it (2 row vectors x 4
** centroids in 8 accumulators), each row's best kept in its own lane. Per
** lane the dot product is summed in j order with FMA, as nearest_centroid.c
** does, so the labels match it bit for bit.
*/
#if !defined(__AVX2__) || !defined(__FMA__)
#error "nearest_centroid_avx2.c must be built with -mavx2 -mfma"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdbool.h>

#define RV 2          /* row vectors per tile */
#define TR (8 * RV)   /* rows per tile        */
#define G RT_CENTROID_GROUP
#define H (G / 2)     /* centroids per pass   */

/* r[j] <- column j of the 8 x 8 block whose rows are r[0..8). */
static inline void transpose8(__m256 r[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        s[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm256_permute2f128_ps(s[q], s[4 + q], 0x20);
        r[4 + q] = _mm256_permute2f128_ps(s[q], s[4 + q], 0x31);
    }
}

/* xt[j * TR + r] = x[r * xs + j] for r < rows (<= TR), zero for the rest. */
static void transpose_tile(const float *x, int64_t rows, int64_t d, int64_t xs, float *xt)
{
    for (int64_t j0 = 0; j0 < d; j0 += 8) {
        int64_t nj = d - j0 < 8 ? d - j0 : 8;
        __m256i cols = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)nj),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int64_t r0 = 0; r0 < TR; r0 += 8) {
            __m256 v[8];
            for (int64_t r = 0; r < 8; r++)
                v[r] = r0 + r < rows ? _mm256_maskload_ps(x + (r0 + r) * xs + j0, cols)
                                     : _mm256_setzero_ps();
            transpose8(v);
            for (int64_t j = 0; j < nj; j++)
                _mm256_storeu_ps(xt + (j0 + j) * TR + r0, v[j]);
        }
    }
}

/* Labels (and, when track_second, second scores) of the first `rows`
** (<= TR) rows of the transposed tile xt. */
static inline __attribute__((always_inline)) void
tile(const float *xt, int64_t rows, int64_t d, const float *packed, const float *cn,
     int64_t kp, int32_t *label, float *second, const bool track_second)
{
    __m256 best[RV], next[RV];
    __m256i at[RV];
    for (int v = 0; v < RV; v++) {
        best[v] = next[v] = _mm256_set1_ps(INFINITY);
        at[v] = _mm256_setzero_si256();
    }
    const __m256 minus2 = _mm256_set1_ps(-2.0f);
    for (int64_t l0 = 0; l0 < kp; l0 += H) {
        const float *group = packed + (l0 - l0 % G) * d + l0 % G;
        __m256 acc[RV][H];
        for (int v = 0; v < RV; v++)
            for (int u = 0; u < H; u++)
                acc[v][u] = _mm256_setzero_ps();
        for (int64_t j = 0; j < d; j++) {
            __m256 xv[RV];
            for (int v = 0; v < RV; v++)
                xv[v] = _mm256_loadu_ps(xt + j * TR + 8 * v);
            for (int u = 0; u < H; u++) {
                __m256 c = _mm256_broadcast_ss(group + j * G + u);
                for (int v = 0; v < RV; v++)
                    acc[v][u] = _mm256_fmadd_ps(xv[v], c, acc[v][u]);
            }
        }
        for (int u = 0; u < H; u++) {
            __m256 norm = _mm256_broadcast_ss(cn + l0 + u);
            __m256i index = _mm256_set1_epi32((int32_t)(l0 + u));
            for (int v = 0; v < RV; v++) {
                __m256 score = _mm256_fmadd_ps(acc[v][u], minus2, norm);
                __m256 lt = _mm256_cmp_ps(score, best[v], _CMP_LT_OQ);
                if (track_second) /* min_ps returns its second operand on NaN */
                    next[v] = _mm256_blendv_ps(_mm256_min_ps(score, next[v]), best[v], lt);
                best[v] = _mm256_blendv_ps(best[v], score, lt);
                at[v] = _mm256_blendv_epi8(at[v], index, _mm256_castps_si256(lt));
            }
        }
    }
    for (int v = 0; v < RV; v++) {
        int64_t left = rows - 8 * v;
        if (left <= 0)
            break;
        __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)left),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_epi32(label + 8 * v, keep, at[v]);
        if (track_second)
            _mm256_maskstore_ps(second + 8 * v, keep, next[v]);
    }
}

void rt_nearest_centroid_avx2(const float *x, int64_t rows, int64_t d, int64_t xs,
                              const float *packed, const float *cn, int64_t kp,
                              int32_t *label, float *second, float *scratch)
{
    for (int64_t i = 0; i < rows; i += TR) {
        int64_t n = rows - i < TR ? rows - i : TR;
        transpose_tile(x + i * xs, n, d, xs, scratch);
        if (second)
            tile(scratch, n, d, packed, cn, kp, label + i, second + i, true);
        else
            tile(scratch, n, d, packed, cn, kp, label + i, NULL, false);
    }
}
