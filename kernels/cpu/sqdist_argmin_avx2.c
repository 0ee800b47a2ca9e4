/*
** kernels/cpu/sqdist_argmin_avx2.c: sqdist_argmin for AVX2. Eight centroids
** per vector (the transposed, padded layout of kernels.h), register-blocked
** four rows by sixteen centroids so each centroid load serves four rows.
** Each lane sums its distance in j order with separate multiply and add,
** as sqdist_argmin.c does, so distances and labels match it bit for bit.
*/
#ifndef __AVX2__
#error "sqdist_argmin_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

#define ROWS 4

/* Per-lane best (value, index) of `nv` vectors into the row's winner:
** least value, lowest index among equals. */
static void finish_row(const __m256 *bv, const __m256i *bi, int nv, int32_t *label,
                       float *dist)
{
    float v[16];
    int32_t idx[16];
    for (int u = 0; u < nv; u++) {
        _mm256_storeu_ps(v + 8 * u, bv[u]);
        _mm256_storeu_si256((__m256i *)(idx + 8 * u), bi[u]);
    }
    float best = v[0];
    int32_t best_l = idx[0];
    for (int t = 1; t < 8 * nv; t++)
        if (v[t] < best || (v[t] == best && idx[t] < best_l)) {
            best = v[t];
            best_l = idx[t];
        }
    *label = best_l;
    *dist = best;
}

static inline void keep_best(__m256 acc, __m256i idx, __m256 *bv, __m256i *bi)
{
    __m256 lt = _mm256_cmp_ps(acc, *bv, _CMP_LT_OQ);
    *bv = _mm256_blendv_ps(*bv, acc, lt);
    *bi = _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(*bi), _mm256_castsi256_ps(idx), lt));
}

void rt_sqdist_argmin_avx2(const float *x, int64_t rows, int64_t d, int64_t xs,
                           const float *ct, int64_t k, int64_t kp, int32_t *label,
                           float *dist)
{
    const __m256 inf = _mm256_set1_ps(INFINITY);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int64_t i = 0;
    for (; i + ROWS <= rows; i += ROWS) {
        const float *xr[ROWS];
        __m256 bv[ROWS][2];
        __m256i bi[ROWS][2];
        for (int r = 0; r < ROWS; r++) {
            xr[r] = x + (i + r) * xs;
            bv[r][0] = bv[r][1] = inf;
            bi[r][0] = bi[r][1] = lane;
        }
        for (int64_t g = 0; g < k; g += 16) {
            __m256 acc[ROWS][2];
            for (int r = 0; r < ROWS; r++)
                acc[r][0] = acc[r][1] = _mm256_setzero_ps();
            for (int64_t j = 0; j < d; j++) {
                __m256 c0 = _mm256_loadu_ps(ct + j * kp + g);
                __m256 c1 = _mm256_loadu_ps(ct + j * kp + g + 8);
                for (int r = 0; r < ROWS; r++) {
                    __m256 xv = _mm256_broadcast_ss(xr[r] + j);
                    __m256 t0 = _mm256_sub_ps(xv, c0), t1 = _mm256_sub_ps(xv, c1);
                    acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_mul_ps(t0, t0));
                    acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_mul_ps(t1, t1));
                }
            }
            __m256i i0 = _mm256_add_epi32(lane, _mm256_set1_epi32((int32_t)g));
            __m256i i1 = _mm256_add_epi32(i0, _mm256_set1_epi32(8));
            for (int r = 0; r < ROWS; r++) {
                keep_best(acc[r][0], i0, &bv[r][0], &bi[r][0]);
                keep_best(acc[r][1], i1, &bv[r][1], &bi[r][1]);
            }
        }
        for (int r = 0; r < ROWS; r++)
            finish_row(bv[r], bi[r], 2, label + i + r, dist + i + r);
    }
    for (; i < rows; i++) {
        const float *xi = x + i * xs;
        __m256 bv = inf;
        __m256i bi = lane;
        for (int64_t g = 0; g < k; g += 8) {
            __m256 acc = _mm256_setzero_ps();
            for (int64_t j = 0; j < d; j++) {
                __m256 t = _mm256_sub_ps(_mm256_broadcast_ss(xi + j),
                                         _mm256_loadu_ps(ct + j * kp + g));
                acc = _mm256_add_ps(acc, _mm256_mul_ps(t, t));
            }
            keep_best(acc, _mm256_add_epi32(lane, _mm256_set1_epi32((int32_t)g)), &bv, &bi);
        }
        finish_row(&bv, &bi, 1, label + i, dist + i);
    }
}
