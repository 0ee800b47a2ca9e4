/*
** kernels/cuda/device.cuh: the CUDA backend's device probe and the check
** macro every CUDA call goes through. Built only when RETAIN_CUDA is on;
** callers test RETAIN_WITH_CUDA first.
*/
#ifndef RT_CUDA_DEVICE_CUH
#define RT_CUDA_DEVICE_CUH

#include "retain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of usable CUDA devices in *count and the first one's name in
** name (cap bytes). RETAIN_ERR_DEVICE with the CUDA message when there is no
** driver or no device. */
retain_status rt_cuda_probe(int *count, char *name, int cap);

#ifdef __cplusplus
}
#endif

#ifdef __CUDACC__
#include <cuda_runtime.h>
/* Evaluates a CUDA call; on failure records call, file, line and CUDA's
** message and returns RETAIN_ERR_DEVICE from the enclosing function. */
#define RT_CUDA_CHECK(call)                                                   \
    do {                                                                      \
        cudaError_t rt_cuda_err_ = (call);                                    \
        if (rt_cuda_err_ != cudaSuccess)                                      \
            return rt_cuda_error(#call, __FILE__, __LINE__, rt_cuda_err_);     \
    } while (0)
retain_status rt_cuda_error(const char *call, const char *file, int line, cudaError_t err);

/* Checks the launch just made (bad configuration, no kernel image). */
#define RT_CUDA_CHECK_LAUNCH() RT_CUDA_CHECK(cudaGetLastError())

/* Rows of a host matrix on the device, as float32 rows of d packed
** floats. When all n fit beside `reserve` bytes of other buffers they are
** copied once (one chunk); otherwise they come in chunks of `chunk` rows,
** a multiple of `align`, through one device buffer, copied again on every
** pass. The environment variable RETAIN_CUDA_CHUNK_ROWS forces chunks of
** that many rows, rounded up to `align` (tests use it to run the
** several-chunk path on a small input). */
typedef struct rt_cuda_rows {
    const float *host;
    int64_t n, d, stride, chunk, nchunks;
    float *dev; /* chunk x d */
} rt_cuda_rows;

retain_status rt_cuda_rows_open(const float *x, int64_t n, int64_t d, int64_t stride,
                                int64_t reserve, int64_t align, rt_cuda_rows *out);
/* Device rows of chunk c (copied there unless resident): first row, rows. */
retain_status rt_cuda_rows_chunk(rt_cuda_rows *r, int64_t c, const float **dev,
                                 int64_t *first, int64_t *rows);
void rt_cuda_rows_close(rt_cuda_rows *r);

/* out[e] = the sum over p of partial[p * width + e]: parts added in groups
** of 32 in order, then the groups' sums in order (partial is overwritten).
** A fixed combining order, behind the backend's same-bits promise. */
retain_status rt_cuda_sum_partials(double *partial, int64_t parts, int64_t width, double *out);
/* Blocks that split `rows` into contiguous row ranges of a multiple of 256
** rows: at most max_parts, and never depending on the device. */
int64_t rt_cuda_parts(int64_t rows, int64_t max_parts, int64_t *rows_per_part);
#endif

#endif
