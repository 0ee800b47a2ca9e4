/*
** kernels/cpu/colstats_avx512.c: colstats for AVX-512, sixteen columns per
** vector with masked loads for the last partial vector, rows in order inside
** each lane so sums match colstats.c bit for bit.
*/
#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "colstats_avx512.c must be built with -mavx512f -mavx512dq"
#endif
#include "kernels.h"

#include <immintrin.h>
#include <math.h>

void rt_colstats_avx512(const float *x, int64_t rows, int64_t cols,
                        int64_t stride, const rt_colstats *acc)
{
    const __m512 inf = _mm512_set1_ps(INFINITY);
    for (int64_t j = 0; j < cols; j += 16) {
        int64_t width = cols - j < 16 ? cols - j : 16;
        __mmask16 lanes = (__mmask16)((1u << width) - 1u);
        __m512i nan_count = _mm512_setzero_si512(), inf_count = nan_count;
        const __m512i one = _mm512_set1_epi32(1);
        __m512d sum_lo = _mm512_setzero_pd(), sum_hi = sum_lo;
        __m512d sq_lo = sum_lo, sq_hi = sum_lo;
        __m512 lo = _mm512_mask_loadu_ps(inf, lanes, acc->min + j);
        __m512 hi = _mm512_mask_loadu_ps(_mm512_sub_ps(_mm512_setzero_ps(), inf),
                                         lanes, acc->max + j);
        for (int64_t i = 0; i < rows; i++) {
            __m512 v = _mm512_maskz_loadu_ps(lanes, x + i * stride + j);
            __m512 a = _mm512_abs_ps(v);
            __mmask16 is_nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & lanes;
            __mmask16 is_inf = _mm512_cmp_ps_mask(a, inf, _CMP_EQ_OQ) & lanes;
            __mmask16 finite = _mm512_cmp_ps_mask(a, inf, _CMP_LT_OQ) & lanes;
            nan_count = _mm512_mask_add_epi32(nan_count, is_nan, nan_count, one);
            inf_count = _mm512_mask_add_epi32(inf_count, is_inf, inf_count, one);
            __m512 vf = _mm512_maskz_mov_ps(finite, v);
            __m512d d_lo = _mm512_cvtps_pd(_mm512_castps512_ps256(vf));
            __m512d d_hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(vf, 1));
            sum_lo = _mm512_add_pd(sum_lo, d_lo);
            sum_hi = _mm512_add_pd(sum_hi, d_hi);
            sq_lo = _mm512_add_pd(sq_lo, _mm512_mul_pd(d_lo, d_lo));
            sq_hi = _mm512_add_pd(sq_hi, _mm512_mul_pd(d_hi, d_hi));
            lo = _mm512_mask_min_ps(lo, finite, lo, v);
            hi = _mm512_mask_max_ps(hi, finite, hi, v);
        }
        int32_t nans[16], infs[16];
        double s[16], q[16];
        _mm512_storeu_si512(nans, nan_count);
        _mm512_storeu_si512(infs, inf_count);
        _mm512_storeu_pd(s, sum_lo);
        _mm512_storeu_pd(s + 8, sum_hi);
        _mm512_storeu_pd(q, sq_lo);
        _mm512_storeu_pd(q + 8, sq_hi);
        _mm512_mask_storeu_ps(acc->min + j, lanes, lo);
        _mm512_mask_storeu_ps(acc->max + j, lanes, hi);
        for (int64_t k = 0; k < width; k++) {
            acc->nan[j + k] += (uint32_t)nans[k];
            acc->inf[j + k] += (uint32_t)infs[k];
            acc->sum[j + k] += s[k];
            acc->sumsq[j + k] += q[k];
        }
    }
}
