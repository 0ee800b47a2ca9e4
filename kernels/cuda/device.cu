/*
** kernels/cuda/device.cu: CUDA device discovery for `retain info` and
** --device auto, and the error recorder behind RT_CUDA_CHECK. Nothing here
** aborts: every failure becomes RETAIN_ERR_DEVICE with CUDA's own words.
*/
#include "device.cuh"

extern "C" {
#include "core/error.h"
}

#include <cstdio>

retain_status rt_cuda_error(const char *call, const char *file, int line, cudaError_t err)
{
    return rt_error(RETAIN_ERR_DEVICE, "CUDA call %s failed at %s:%d: %s", call, file, line,
                    cudaGetErrorString(err));
}

extern "C" retain_status rt_cuda_probe(int *count, char *name, int cap)
{
    *count = 0;
    if (cap > 0)
        name[0] = '\0';
    int n = 0;
    RT_CUDA_CHECK(cudaGetDeviceCount(&n));
    if (n == 0)
        return rt_error(RETAIN_ERR_DEVICE, "no CUDA device found");
    cudaDeviceProp prop;
    RT_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    *count = n;
    if (cap > 0)
        std::snprintf(name, (size_t)cap, "%s (sm_%d%d, %.0f GiB)", prop.name, prop.major,
                      prop.minor, (double)prop.totalGlobalMem / (1 << 30));
    return RETAIN_OK;
}
