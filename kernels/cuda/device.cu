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
#include <cstdlib>

retain_status rt_cuda_error(const char *call, const char *file, int line, cudaError_t err)
{
    cudaGetLastError(); /* clears a non-sticky error, so no later check reports it again */
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

/* Host rows [first, first + rows) into the device buffer. */
static retain_status copy_rows(const rt_cuda_rows *r, int64_t first, int64_t rows)
{
    size_t width = (size_t)r->d * sizeof(float);
    RT_CUDA_CHECK(cudaMemcpy2D(r->dev, width, r->host + first * r->stride,
                               (size_t)r->stride * sizeof(float), width, (size_t)rows,
                               cudaMemcpyHostToDevice));
    return RETAIN_OK;
}

retain_status rt_cuda_rows_open(const float *x, int64_t n, int64_t d, int64_t stride,
                                int64_t reserve, int64_t align, rt_cuda_rows *out)
{
    *out = rt_cuda_rows{x, n, d, stride, n, 1, nullptr};
    size_t free_bytes = 0, total = 0;
    RT_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total));
    /* 10% of the free memory stays free for the runtime and other buffers */
    int64_t budget = (int64_t)(free_bytes / 10 * 9) - reserve;
    int64_t row_bytes = d * (int64_t)sizeof(float);
    const char *forced = getenv("RETAIN_CUDA_CHUNK_ROWS");
    if (forced && atoll(forced) > 0)
        out->chunk = (atoll(forced) + align - 1) / align * align;
    else if (n * row_bytes > budget)
        out->chunk = budget / row_bytes / align * align;
    out->chunk = out->chunk < n ? out->chunk : n;
    if (out->chunk < 1 || out->chunk * row_bytes > budget)
        return rt_error(RETAIN_ERR_DEVICE, "GPU memory: %.1f MiB free, not enough for %lld "
                        "rows of %lld floats beside %.1f MiB of other buffers; use the CPU "
                        "(--device cpu) or fewer columns", (double)free_bytes / (1 << 20),
                        (long long)(out->chunk < align ? align : out->chunk), (long long)d,
                        (double)reserve / (1 << 20));
    out->nchunks = (n + out->chunk - 1) / out->chunk;
    RT_CUDA_CHECK(cudaMalloc(&out->dev, (size_t)(out->chunk * row_bytes)));
    retain_status s = out->nchunks == 1 ? copy_rows(out, 0, n) : RETAIN_OK;
    if (s)
        rt_cuda_rows_close(out);
    return s;
}

retain_status rt_cuda_rows_chunk(rt_cuda_rows *r, int64_t c, const float **dev,
                                 int64_t *first, int64_t *rows)
{
    *first = c * r->chunk;
    *rows = r->n - *first < r->chunk ? r->n - *first : r->chunk;
    *dev = r->dev;
    return r->nchunks == 1 ? RETAIN_OK : copy_rows(r, *first, *rows);
}

void rt_cuda_rows_close(rt_cuda_rows *r)
{
    cudaFree(r->dev); /* nothing to report from a release */
    r->dev = nullptr;
}

/* Parts added in groups of this many, then the groups' sums in order. */
constexpr int64_t kGroup = 32;

/* partial[g * kGroup * width + e] = the sum of group g's parts, in order
** (in place: a group's first part holds its sum). */
static __global__ void sum_groups_kernel(double *partial, int64_t parts, int64_t width)
{
    int64_t at = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    int64_t g = at / width, e = at % width;
    if (g * kGroup >= parts)
        return;
    int64_t end = (g + 1) * kGroup < parts ? (g + 1) * kGroup : parts;
    double s = 0.0;
    for (int64_t p = g * kGroup; p < end; p++)
        s += partial[p * width + e];
    partial[g * kGroup * width + e] = s;
}

static __global__ void sum_group_totals_kernel(const double *partial, int64_t parts,
                                               int64_t width, double *out)
{
    int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= width)
        return;
    double s = 0.0;
    for (int64_t p = 0; p < parts; p += kGroup)
        s += partial[p * width + e];
    out[e] = s;
}

retain_status rt_cuda_sum_partials(double *partial, int64_t parts, int64_t width, double *out)
{
    int64_t groups = (parts + kGroup - 1) / kGroup;
    sum_groups_kernel<<<(unsigned)((groups * width + 255) / 256), 256>>>(partial, parts, width);
    RT_CUDA_CHECK_LAUNCH();
    sum_group_totals_kernel<<<(unsigned)((width + 255) / 256), 256>>>(partial, parts, width,
                                                                      out);
    RT_CUDA_CHECK_LAUNCH();
    return RETAIN_OK;
}

int64_t rt_cuda_parts(int64_t rows, int64_t max_parts, int64_t *rows_per_part)
{
    if (rows <= 0) {
        *rows_per_part = 256;
        return 0;
    }
    int64_t tiles = (rows + 255) / 256;
    int64_t parts = tiles < max_parts ? tiles : max_parts;
    if (parts < 1)
        parts = 1;
    int64_t tiles_per = (tiles + parts - 1) / parts;
    *rows_per_part = tiles_per * 256;
    return (rows + *rows_per_part - 1) / *rows_per_part;
}
