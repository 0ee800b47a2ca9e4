/*
** kernels/cpu/nearest_centroid_avx512.c: nearest_centroid for AVX-512F. A
** tile of 48 rows is transposed into scratch (16 x 16 blocks in registers),
** so each vector holds one feature of 16 rows; every group of 8 centroids
** then runs against it in 24 accumulators (3 row vectors x 8 centroids,
** each coordinate broadcast once per j), and each row's best score and
** index are kept in its own lane. Per lane the dot product is summed in j
** order with FMA, as nearest_centroid.c does, so the labels match it bit
** for bit.
*/
#if !defined(__AVX512F__)
#error "nearest_centroid_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdbool.h>

#define RV 3             /* row vectors per tile */
#define TR (16 * RV)     /* rows per tile        */
#define G RT_CENTROID_GROUP

/* r[j] <- column j of the 16 x 16 block whose rows are r[0..16). */
static inline void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int q = 0; q < 4; q++) {
        t[q] = _mm512_shuffle_f32x4(r[q], r[4 + q], 0x88);
        t[4 + q] = _mm512_shuffle_f32x4(r[q], r[4 + q], 0xDD);
        t[8 + q] = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0x88);
        t[12 + q] = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0xDD);
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0x88);
        r[8 + q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0xDD);
        r[4 + q] = _mm512_shuffle_f32x4(t[4 + q], t[12 + q], 0x88);
        r[12 + q] = _mm512_shuffle_f32x4(t[4 + q], t[12 + q], 0xDD);
    }
}

/* xt[j * TR + r] = x[r * xs + j] for r < rows (<= TR), zero for the rest. */
static void transpose_tile(const float *x, int64_t rows, int64_t d, int64_t xs, float *xt)
{
    for (int64_t j0 = 0; j0 < d; j0 += 16) {
        int64_t nj = d - j0 < 16 ? d - j0 : 16;
        __mmask16 cols = (__mmask16)((1u << nj) - 1);
        for (int64_t r0 = 0; r0 < TR; r0 += 16) {
            __m512 v[16];
            for (int64_t r = 0; r < 16; r++)
                v[r] = r0 + r < rows ? _mm512_maskz_loadu_ps(cols, x + (r0 + r) * xs + j0)
                                     : _mm512_setzero_ps();
            transpose16(v);
            for (int64_t j = 0; j < nj; j++)
                _mm512_storeu_ps(xt + (j0 + j) * TR + r0, v[j]);
        }
    }
}

/* Labels (and, when track_second, second scores) of the first `rows`
** (<= TR) rows of the transposed tile xt. */
static inline __attribute__((always_inline)) void
tile(const float *xt, int64_t rows, int64_t d, const float *packed, const float *cn,
     int64_t kp, int32_t *label, float *second, const bool track_second)
{
    __m512 best[RV], next[RV];
    __m512i at[RV];
    for (int v = 0; v < RV; v++) {
        best[v] = next[v] = _mm512_set1_ps(INFINITY);
        at[v] = _mm512_setzero_si512();
    }
    const __m512 minus2 = _mm512_set1_ps(-2.0f);
    for (int64_t g0 = 0; g0 < kp; g0 += G) {
        const float *group = packed + g0 * d;
        __m512 acc[RV][G];
        for (int v = 0; v < RV; v++)
            for (int u = 0; u < G; u++)
                acc[v][u] = _mm512_setzero_ps();
        for (int64_t j = 0; j < d; j++) {
            __m512 xv[RV];
            for (int v = 0; v < RV; v++)
                xv[v] = _mm512_loadu_ps(xt + j * TR + 16 * v);
            for (int u = 0; u < G; u++) {
                __m512 c = _mm512_set1_ps(group[j * G + u]);
                for (int v = 0; v < RV; v++)
                    acc[v][u] = _mm512_fmadd_ps(xv[v], c, acc[v][u]);
            }
        }
        for (int u = 0; u < G; u++) {
            __m512 norm = _mm512_set1_ps(cn[g0 + u]);
            __m512i index = _mm512_set1_epi32((int32_t)(g0 + u));
            for (int v = 0; v < RV; v++) {
                __m512 score = _mm512_fmadd_ps(acc[v][u], minus2, norm);
                __mmask16 lt = _mm512_cmp_ps_mask(score, best[v], _CMP_LT_OQ);
                if (track_second) /* min_ps returns its second operand on NaN */
                    next[v] = _mm512_mask_mov_ps(_mm512_min_ps(score, next[v]), lt, best[v]);
                best[v] = _mm512_mask_mov_ps(best[v], lt, score);
                at[v] = _mm512_mask_mov_epi32(at[v], lt, index);
            }
        }
    }
    for (int v = 0; v < RV; v++) {
        int64_t left = rows - 16 * v;
        if (left <= 0)
            break;
        __mmask16 keep = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        _mm512_mask_storeu_epi32(label + 16 * v, keep, at[v]);
        if (track_second)
            _mm512_mask_storeu_ps(second + 16 * v, keep, next[v]);
    }
}

void rt_nearest_centroid_avx512(const float *x, int64_t rows, int64_t d, int64_t xs,
                                const float *packed, const float *cn, int64_t kp,
                                int32_t *label, float *second, float *scratch)
{
    for (int64_t i = 0; i < rows; i += TR) {
        int64_t n = rows - i < TR ? rows - i : TR;
        transpose_tile(x + i * xs, n, d, xs, scratch);
        /* the next tile's rows on their way from memory while this one runs */
        for (int64_t r = i + TR; r < i + 2 * TR && r < rows; r++)
            for (int64_t j = 0; j < d; j += 16)
                _mm_prefetch((const char *)(x + r * xs + j), _MM_HINT_T0);
        if (second)
            tile(scratch, n, d, packed, cn, kp, label + i, second + i, true);
        else
            tile(scratch, n, d, packed, cn, kp, label + i, NULL, false);
    }
}
