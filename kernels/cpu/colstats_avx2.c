/*
** kernels/cpu/colstats_avx2.c: colstats for AVX2, eight columns per vector,
** rows in order inside each lane so sums match colstats.c bit for bit.
** Columns left over after the last full vector go to the scalar reference.
*/
#ifndef __AVX2__
#error "colstats_avx2.c must be built with -mavx2"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

void rt_colstats_avx2(const float *x, int64_t rows, int64_t cols,
                      int64_t stride, const rt_colstats *acc)
{
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 inf = _mm256_set1_ps(INFINITY);
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) {
        __m256i nan_count = _mm256_setzero_si256(), inf_count = nan_count;
        __m256d sum_lo = _mm256_setzero_pd(), sum_hi = sum_lo;
        __m256d sq_lo = sum_lo, sq_hi = sum_lo;
        __m256 lo = _mm256_loadu_ps(acc->min + j), hi = _mm256_loadu_ps(acc->max + j);
        for (int64_t i = 0; i < rows; i++) {
            __m256 v = _mm256_loadu_ps(x + i * stride + j);
            __m256 is_nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
            __m256 is_inf = _mm256_cmp_ps(_mm256_and_ps(v, abs_mask), inf, _CMP_EQ_OQ);
            __m256 finite = _mm256_cmp_ps(_mm256_and_ps(v, abs_mask), inf, _CMP_LT_OQ);
            nan_count = _mm256_sub_epi32(nan_count, _mm256_castps_si256(is_nan));
            inf_count = _mm256_sub_epi32(inf_count, _mm256_castps_si256(is_inf));
            __m256 vf = _mm256_and_ps(v, finite);
            __m256d d_lo = _mm256_cvtps_pd(_mm256_castps256_ps128(vf));
            __m256d d_hi = _mm256_cvtps_pd(_mm256_extractf128_ps(vf, 1));
            sum_lo = _mm256_add_pd(sum_lo, d_lo);
            sum_hi = _mm256_add_pd(sum_hi, d_hi);
            sq_lo = _mm256_add_pd(sq_lo, _mm256_mul_pd(d_lo, d_lo));
            sq_hi = _mm256_add_pd(sq_hi, _mm256_mul_pd(d_hi, d_hi));
            lo = _mm256_blendv_ps(lo, _mm256_min_ps(lo, v), finite);
            hi = _mm256_blendv_ps(hi, _mm256_max_ps(hi, v), finite);
        }
        int32_t nans[8], infs[8];
        double s[8], q[8];
        _mm256_storeu_si256((__m256i *)nans, nan_count);
        _mm256_storeu_si256((__m256i *)infs, inf_count);
        _mm256_storeu_pd(s, sum_lo);
        _mm256_storeu_pd(s + 4, sum_hi);
        _mm256_storeu_pd(q, sq_lo);
        _mm256_storeu_pd(q + 4, sq_hi);
        _mm256_storeu_ps(acc->min + j, lo);
        _mm256_storeu_ps(acc->max + j, hi);
        for (int k = 0; k < 8; k++) {
            acc->nan[j + k] += (uint32_t)nans[k];
            acc->inf[j + k] += (uint32_t)infs[k];
            acc->sum[j + k] += s[k];
            acc->sumsq[j + k] += q[k];
        }
    }
    if (j < cols) {
        rt_colstats tail = {acc->nan + j, acc->inf + j, acc->sum + j,
                            acc->sumsq + j, acc->min + j, acc->max + j};
        rt_colstats_scalar(x + j, rows, cols - j, stride, &tail);
    }
}
