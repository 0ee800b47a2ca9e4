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
#endif

#endif
