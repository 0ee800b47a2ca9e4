/*
** kernels/cuda/kmeans.cu: the Lloyd pass on the GPU (contract in
** kmeans.cuh). Two kernels per chunk of rows:
**   assign  every row's nearest centre, and with the tally its squared
**           distance (assign.cu);
**   sums    the rows cut into contiguous ranges, one block each; thread t
**           owns the columns j = t, t + blockDim, ... of a per-block record
**           of k x (d + 3) doubles (sums, weight, count, weighted distance)
**           and adds the range's rows in row order. No atomics: every entry
**           has one writer, so the order is fixed (loads of four rows go
**           ahead of their adds, which keep row order). The record lives in
**           shared memory when it fits, else in the block's global slot.
** The blocks' records are then added in a fixed order (device.cu) and the
** chunks' totals on the host in chunk order: the same bits on every run.
*/
#include "kmeans_state.cuh"

extern "C" {
#include "core/error.h"
#include "core/parallel.h"
}

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int64_t kMaxParts = 4096;
constexpr int64_t kMaxPartialBytes = 256 << 20;

/* Record of cluster l: [l * width + j], j < d the weighted sums, then the
** weight, the count and the weighted squared distance (width = d + 3). */
__device__ double record_value(const float *__restrict__ x, int d, int j, int64_t i, double wi,
                               const double *__restrict__ dist)
{
    return j < d       ? wi * (double)x[i * d + j]
           : j == d     ? wi
           : j == d + 1 ? 1.0
           : dist       ? wi * dist[i]
                        : 0.0;
}

__global__ void sums_kernel(const float *__restrict__ x, int64_t rows, int d,
                            const int32_t *__restrict__ label, const float *__restrict__ w,
                            const double *__restrict__ dist, int k, int64_t rows_per_part,
                            bool in_shared, double *partial)
{
    extern __shared__ double shared_record[];
    const int width = d + 3;
    double *out = partial + (int64_t)blockIdx.x * k * width;
    double *acc = in_shared ? shared_record : out;
    for (int j = threadIdx.x; j < width; j += blockDim.x)
        for (int l = 0; l < k; l++)
            acc[(int64_t)l * width + j] = 0.0;
    int64_t first = (int64_t)blockIdx.x * rows_per_part;
    int64_t end = first + rows_per_part < rows ? first + rows_per_part : rows;
    /* four rows' loads issued before their adds, which stay in row order */
    int64_t i = first;
    for (; i + 4 <= end; i += 4) {
        int64_t at[4];
        double wi[4];
#pragma unroll
        for (int u = 0; u < 4; u++) {
            at[u] = (int64_t)label[i + u] * width;
            wi[u] = w ? (double)w[i + u] : 1.0;
        }
        for (int j = threadIdx.x; j < width; j += blockDim.x) {
            double v[4];
#pragma unroll
            for (int u = 0; u < 4; u++)
                v[u] = record_value(x, d, j, i + u, wi[u], dist);
#pragma unroll
            for (int u = 0; u < 4; u++)
                acc[at[u] + j] += v[u];
        }
    }
    for (; i < end; i++) {
        int64_t at = (int64_t)label[i] * width;
        double wi = w ? (double)w[i] : 1.0;
        for (int j = threadIdx.x; j < width; j += blockDim.x)
            acc[at + j] += record_value(x, d, j, i, wi, dist);
    }
    if (in_shared)
        for (int j = threadIdx.x; j < width; j += blockDim.x)
            for (int l = 0; l < k; l++)
                out[(int64_t)l * width + j] = acc[(int64_t)l * width + j];
}

} // namespace

static retain_status open_buffers(rt_cuda_kmeans *g, const float *z, int64_t n, int64_t stride,
                                  const float *w)
{
    int64_t k = g->k, d = g->d, kw = k * g->width;
    /* labels, distances, weights, k-means++'s closest distances and its
    ** per-block sums (kmeans_seed.cu), the sums' partial records */
    int64_t reserve = n * (int64_t)(sizeof(int32_t) + sizeof(double) + sizeof(float) +
                                    (w ? sizeof(float) : 0)) +
                      rt_block_count(n) * kMaxSeedCandidates * (int64_t)sizeof(double) +
                      kMaxPartialBytes + (kw + k * d + k) * (int64_t)sizeof(double);
    int device, optin;
    RT_CUDA_CHECK(cudaGetDevice(&device));
    RT_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
    g->shared_max = (size_t)optin;
    retain_status s = rt_cuda_rows_open(z, n, d, stride, reserve, RT_BLOCK_ROWS, &g->rows);
    if (s)
        return s;
    RT_CUDA_CHECK(cudaMalloc(&g->label, (size_t)n * sizeof *g->label));
    RT_CUDA_CHECK(cudaMalloc(&g->dist, (size_t)n * sizeof *g->dist));
    RT_CUDA_CHECK(cudaMalloc(&g->c, (size_t)(k * d) * sizeof *g->c));
    RT_CUDA_CHECK(cudaMalloc(&g->cnorm, (size_t)k * sizeof *g->cnorm));
    RT_CUDA_CHECK(cudaMalloc(&g->total, (size_t)kw * sizeof *g->total));
    g->max_parts = kMaxPartialBytes / (kw * (int64_t)sizeof(double));
    g->max_parts = g->max_parts < 1 ? 1 : g->max_parts > kMaxParts ? kMaxParts : g->max_parts;
    RT_CUDA_CHECK(cudaMalloc(&g->partial, (size_t)(g->max_parts * kw) * sizeof *g->partial));
    if (w) {
        RT_CUDA_CHECK(cudaMalloc(&g->w, (size_t)n * sizeof *g->w));
        RT_CUDA_CHECK(cudaMemcpy(g->w, w, (size_t)n * sizeof *g->w, cudaMemcpyHostToDevice));
    }
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_kmeans_open(const float *z, int64_t n, int64_t d,
                                             int64_t stride, const float *w, int64_t k,
                                             rt_cuda_kmeans **out)
{
    *out = nullptr;
    if (n < 1 || k < 1 || k > INT32_MAX || d < 1 || d > INT32_MAX - 3)
        return rt_error(RETAIN_ERR_USAGE, "GPU k-means: %lld rows, k %lld and d %lld; rows, "
                        "k and d from 1, k below 2^31, d below 2^31 - 3", (long long)n,
                        (long long)k, (long long)d);
    rt_cuda_kmeans *g = (rt_cuda_kmeans *)calloc(1, sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the GPU k-means state");
    g->k = k;
    g->d = d;
    g->width = d + 3;
    g->host_total = (double *)malloc((size_t)(2 * k * g->width) * sizeof(double));
    g->host_cnorm = (float *)malloc((size_t)k * sizeof(float));
    g->host_sum = g->host_total ? g->host_total + k * g->width : nullptr;
    retain_status s = g->host_total && g->host_cnorm
                          ? open_buffers(g, z, n, stride, w)
                          : rt_error(RETAIN_ERR_INTERNAL, "out of memory for the GPU k-means "
                                     "state");
    if (s) {
        rt_cuda_kmeans_close(g);
        return rt_error_context(s, "GPU k-means on %lld x %lld rows", (long long)n,
                                (long long)d);
    }
    *out = g;
    return RETAIN_OK;
}

/* One chunk: assign, per-block records, their sum into g->total. */
static retain_status chunk_pass(rt_cuda_kmeans *g, int64_t chunk, bool tally)
{
    const float *x;
    int64_t first, rows;
    retain_status s = rt_cuda_rows_chunk(&g->rows, chunk, &x, &first, &rows);
    if (s)
        return s;
    int k = (int)g->k, d = (int)g->d;
    double *dist = tally ? g->dist + first : nullptr;
    rt_cuda_assign(x, rows, d, g->c, g->cnorm, k, g->label + first, dist, 0);
    RT_CUDA_CHECK_LAUNCH();
    int64_t rows_per, parts = rt_cuda_parts(rows, g->max_parts, &rows_per);
    int64_t kw = g->k * g->width;
    size_t record = (size_t)kw * sizeof(double);
    bool in_shared = record <= g->shared_max;
    if (in_shared && record > 48 * 1024)
        RT_CUDA_CHECK(cudaFuncSetAttribute(sums_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           (int)record));
    int threads = (int)((g->width + 31) / 32 * 32);
    threads = threads > 256 ? 256 : threads;
    sums_kernel<<<(unsigned)parts, threads, in_shared ? record : 0>>>(
        x, rows, d, g->label + first, g->w ? g->w + first : nullptr, dist, k, rows_per,
        in_shared, g->partial);
    RT_CUDA_CHECK_LAUNCH();
    return rt_cuda_sum_partials(g->partial, parts, kw, g->total);
}

extern "C" retain_status rt_cuda_kmeans_pass(rt_cuda_kmeans *g, const float *c, double *sums,
                                             double *wsum, double *tally)
{
    int64_t k = g->k, d = g->d, kw = k * g->width;
    rt_cuda_centre_norms(c, k, d, g->host_cnorm);
    RT_CUDA_CHECK(cudaMemcpy(g->c, c, (size_t)(k * d) * sizeof *c, cudaMemcpyHostToDevice));
    RT_CUDA_CHECK(cudaMemcpy(g->cnorm, g->host_cnorm, (size_t)k * sizeof *c,
                             cudaMemcpyHostToDevice));
    memset(g->host_sum, 0, (size_t)kw * sizeof *g->host_sum);
    g->tallied = tally != nullptr;
    for (int64_t chunk = 0; chunk < g->rows.nchunks; chunk++) {
        retain_status s = chunk_pass(g, chunk, tally != nullptr);
        if (s)
            return s;
        RT_CUDA_CHECK(cudaMemcpy(g->host_total, g->total, (size_t)kw * sizeof *g->total,
                                 cudaMemcpyDeviceToHost));
        for (int64_t e = 0; e < kw; e++)
            g->host_sum[e] += g->host_total[e];
    }
    const double *r = g->host_sum;
    int64_t width = g->width;
    if (tally)
        tally[0] = 0.0;
    for (int64_t l = 0; l < k; l++) {
        for (int64_t j = 0; sums && j < d; j++)
            sums[l * d + j] = r[l * width + j];
        if (wsum)
            wsum[l] = r[l * width + d];
        if (tally) {
            tally[1 + l] = r[l * width + d + 1];
            tally[1 + k + l] = r[l * width + d];
            tally[0] += r[l * width + d + 2];
        }
    }
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_kmeans_labels(rt_cuda_kmeans *g, int32_t *labels, float *sqdist)
{
    int64_t n = g->rows.n;
    RT_CUDA_CHECK(cudaMemcpy(labels, g->label, (size_t)n * sizeof *labels,
                             cudaMemcpyDeviceToHost));
    if (!sqdist)
        return RETAIN_OK;
    if (!g->tallied)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU k-means: distances asked of a pass "
                        "without the tally");
    /* through the host in pieces: n doubles may not fit beside the caller's */
    double buf[4096];
    for (int64_t first = 0; first < n; first += 4096) {
        int64_t rows = n - first < 4096 ? n - first : 4096;
        RT_CUDA_CHECK(cudaMemcpy(buf, g->dist + first, (size_t)rows * sizeof *buf,
                                 cudaMemcpyDeviceToHost));
        for (int64_t i = 0; i < rows; i++)
            sqdist[first + i] = (float)buf[i];
    }
    return RETAIN_OK;
}

extern "C" void rt_cuda_kmeans_close(rt_cuda_kmeans *g)
{
    if (!g)
        return;
    rt_cuda_rows_close(&g->rows);
    /* releases report nothing useful; a failed run's message is already set */
    cudaFree(g->w);
    cudaFree(g->c);
    cudaFree(g->cnorm);
    cudaFree(g->label);
    cudaFree(g->dist);
    cudaFree(g->partial);
    cudaFree(g->total);
    rt_cuda_kmeans_seed_end(g);
    free(g->host_total);
    free(g->host_cnorm);
    free(g);
}
