/*
** src/core/device.c: --device cpu|cuda|auto turned into the device a run
** uses. CUDA is asked of kernels/cuda/device.cu (rt_cuda_probe) when the
** build has it; without CUDA, asking for it is RETAIN_ERR_DEVICE.
*/
#include "retain.h"

#include "error.h"

#include <stdio.h>

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/device.cuh"
#endif

const char *retain_device_name(retain_device device)
{
    return device == RETAIN_DEVICE_CUDA ? "cuda" : device == RETAIN_DEVICE_AUTO ? "auto" : "cpu";
}

retain_status retain_device_resolve(retain_device asked, retain_device *out, char *why,
                                    size_t cap)
{
    if (cap > 0)
        why[0] = '\0';
    *out = RETAIN_DEVICE_CPU;
    if (asked == RETAIN_DEVICE_CPU)
        return RETAIN_OK;
    if (asked != RETAIN_DEVICE_CUDA && asked != RETAIN_DEVICE_AUTO)
        return rt_error(RETAIN_ERR_USAGE, "device is %d, not a retain_device value", (int)asked);
#ifdef RETAIN_WITH_CUDA
    int count;
    char name[160];
    retain_status s = rt_cuda_probe(&count, name, sizeof name);
    if (!s) {
        *out = RETAIN_DEVICE_CUDA;
        return RETAIN_OK;
    }
    if (asked == RETAIN_DEVICE_CUDA)
        return rt_error_context(s, "device cuda: no usable GPU (use device cpu or auto)");
    snprintf(why, cap, "no usable GPU: %s", retain_last_error());
    return RETAIN_OK;
#else
    if (asked == RETAIN_DEVICE_CUDA)
        return rt_error(RETAIN_ERR_DEVICE, "device cuda: no usable GPU: this build has no "
                        "CUDA backend (rebuild with nvcc present, or use device cpu or auto)");
    snprintf(why, cap, "this build has no CUDA backend");
    return RETAIN_OK;
#endif
}
