/*
** kernels/cuda/score.cuh: `retain score --device cuda`'s device side,
** callable from C (src/score/score.c) when RETAIN_WITH_CUDA is defined: a
** block of feature rows in, each row's segment, distance and churn
** probability out, with the copies to and from the device overlapping the
** kernels (two streams, pieces of rows, the caller's buffers pinned).
** `kmeans predict --device cuda` (src/kmeans/model.c) uses it too.
*/
#ifndef RT_CUDA_SCORE_CUH
#define RT_CUDA_SCORE_CUH

#include "retain.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The models, as the CPU scorers use them. */
typedef struct rt_cuda_score_models {
    int64_t d;                     /* features per row                         */
    int64_t k;                     /* segments; 0: no segment model            */
    const float *centres;          /* k x d, in the model's scaled units        */
    const double *offset, *spread; /* d each: scaled = (x - offset) / spread; NULL: x */
    const double *coef;            /* d, on the raw features; NULL: no churn    */
    double intercept;
} rt_cuda_score_models;

typedef struct rt_cuda_score rt_cuda_score;

/* Device buffers for blocks of up to max_rows rows and the models' numbers. */
retain_status rt_cuda_score_open(const rt_cuda_score_models *m, int64_t max_rows,
                                 rt_cuda_score **out);
/* Pins `bytes` of host memory at p for the life of the scorer (the blocks'
** rows and outputs), so that its copies run beside the kernels. When the
** system refuses, the copies still work, staged by the driver; the reason
** goes to *why (cap bytes) and the call returns RETAIN_OK. */
retain_status rt_cuda_score_pin(rt_cuda_score *s, void *p, size_t bytes, char *why, int cap);
/* Scores `rows` packed rows x (rows x d, host): with a segment model
** segment[i] (nearest centre, ties to the lower index) and, unless
** distance is NULL, distance[i] (Euclidean: the square root of the float64
** squared distance rounded to float32, as `kmeans predict` reports it);
** with a churn model prob[i] = sigmoid(intercept + coef . x_i), float64.
** Returns once every output is on the host. */
retain_status rt_cuda_score_run(rt_cuda_score *s, const float *x, int64_t rows,
                                int32_t *segment, float *distance, double *prob);
/* Unpins what rt_cuda_score_pin pinned and frees the device buffers; call
** before freeing pinned memory. */
void rt_cuda_score_close(rt_cuda_score *s);

#ifdef __cplusplus
}
#endif

#endif
