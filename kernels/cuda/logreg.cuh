/*
** kernels/cuda/logreg.cuh: the fused margin / loss / gradient pass of the
** logistic objective on the GPU, callable from C (src/logreg/objective.c)
** when RETAIN_WITH_CUDA is defined. Same contract as the CPU pass
** (kernels/cpu/logreg_pass.c): the solver, the scaling folded into the
** coefficients and the penalty stay on the host.
*/
#ifndef RT_CUDA_LOGREG_CUH
#define RT_CUDA_LOGREG_CUH

#include "retain.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_cuda_logreg rt_cuda_logreg;

/* Copies the raw rows x (n x d, row stride `stride`), the labels y (n, 0/1)
** and the row weights w (n, or NULL for all 1) to the device, in chunks
** when they do not fit (device.cuh). */
retain_status rt_cuda_logreg_open(const float *x, int64_t n, int64_t d, int64_t stride,
                                  const uint8_t *y, const double *w, rt_cuda_logreg **out);

/* With margins m_i = b + v.x_i: acc[j] = sum_i c_i g_i x_ij (j < d),
** acc[d] = sum_i c_i logloss_i, acc[d + 1] = sum_i c_i g_i, g_i =
** sigmoid(m_i) - y_i, all in float64, combined in a fixed order. */
retain_status rt_cuda_logreg_pass(rt_cuda_logreg *g, const double *v, double b, double *acc);

void rt_cuda_logreg_close(rt_cuda_logreg *g);

#ifdef __cplusplus
}
#endif

#endif
