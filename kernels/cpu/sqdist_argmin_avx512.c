/*
** kernels/cpu/sqdist_argmin_avx512.c: sqdist_argmin for AVX-512F. Sixteen
** centroids per vector (the transposed, padded layout of kernels.h),
** register-blocked eight rows by sixteen centroids. Each lane sums its
** distance in j order with separate multiply and add, as sqdist_argmin.c
** does, so distances and labels match it bit for bit.
*/
#if !defined(__AVX512F__)
#error "sqdist_argmin_avx512.c must be built with -mavx512f"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

#define ROWS 8

/* Per-lane best (value, index) into the row's winner: least value, lowest
** index among equals. */
static void finish_row(__m512 bv, __m512i bi, int32_t *label, float *dist)
{
    float best = _mm512_reduce_min_ps(bv);
    __mmask16 at = _mm512_cmp_ps_mask(bv, _mm512_set1_ps(best), _CMP_EQ_OQ);
    *label = _mm512_mask_reduce_min_epi32(at, bi);
    *dist = best;
}

void rt_sqdist_argmin_avx512(const float *x, int64_t rows, int64_t d, int64_t xs,
                             const float *ct, int64_t k, int64_t kp, int32_t *label,
                             float *dist)
{
    const __m512 inf = _mm512_set1_ps(INFINITY);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                           14, 15);
    int64_t i = 0;
    for (; i + ROWS <= rows; i += ROWS) {
        const float *xr[ROWS];
        __m512 bv[ROWS];
        __m512i bi[ROWS];
        for (int r = 0; r < ROWS; r++) {
            xr[r] = x + (i + r) * xs;
            bv[r] = inf;
            bi[r] = lane;
        }
        for (int64_t g = 0; g < k; g += 16) {
            __m512 acc[ROWS];
            for (int r = 0; r < ROWS; r++)
                acc[r] = _mm512_setzero_ps();
            for (int64_t j = 0; j < d; j++) {
                __m512 c = _mm512_loadu_ps(ct + j * kp + g);
                for (int r = 0; r < ROWS; r++) {
                    __m512 t = _mm512_sub_ps(_mm512_set1_ps(xr[r][j]), c);
                    acc[r] = _mm512_add_ps(acc[r], _mm512_mul_ps(t, t));
                }
            }
            __m512i idx = _mm512_add_epi32(lane, _mm512_set1_epi32((int32_t)g));
            for (int r = 0; r < ROWS; r++) {
                __mmask16 lt = _mm512_cmp_ps_mask(acc[r], bv[r], _CMP_LT_OQ);
                bv[r] = _mm512_mask_mov_ps(bv[r], lt, acc[r]);
                bi[r] = _mm512_mask_mov_epi32(bi[r], lt, idx);
            }
        }
        for (int r = 0; r < ROWS; r++)
            finish_row(bv[r], bi[r], label + i + r, dist + i + r);
    }
    for (; i < rows; i++) {
        const float *xi = x + i * xs;
        __m512 bv = inf;
        __m512i bi = lane;
        for (int64_t g = 0; g < k; g += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (int64_t j = 0; j < d; j++) {
                __m512 t = _mm512_sub_ps(_mm512_set1_ps(xi[j]), _mm512_loadu_ps(ct + j * kp + g));
                acc = _mm512_add_ps(acc, _mm512_mul_ps(t, t));
            }
            __mmask16 lt = _mm512_cmp_ps_mask(acc, bv, _CMP_LT_OQ);
            bv = _mm512_mask_mov_ps(bv, lt, acc);
            bi = _mm512_mask_mov_epi32(bi, lt, _mm512_add_epi32(lane, _mm512_set1_epi32((int32_t)g)));
        }
        finish_row(bv, bi, label + i, dist + i);
    }
}
