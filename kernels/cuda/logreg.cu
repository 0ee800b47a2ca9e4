/*
** kernels/cuda/logreg.cu: the logistic loss and gradient pass on the GPU
** (contract in logreg.cuh). The rows are cut into contiguous ranges, one
** block each, walked in tiles of 256 rows. Each warp forms 32 rows'
** margins, reading a row across its lanes; a thread per row then forms the
** loss and weighted slope in float64; then the gradient: when d <= 128,
** 256 / d threads share a column, each over every (256 / d)-th row of the
** tile, and their sums are added in thread order; wider, thread t owns the
** columns j = t, t + 256, ... Each column of the block's record (d + 2
** doubles in global memory) has one writer. Loss and slope sums go through
** a fixed tree at the end. The records are added in a fixed order
** (device.cu) and the chunks' totals on the host in chunk order, so a pass
** has the same bits every time.
*/
#include "logreg.cuh"
#include "device.cuh"

extern "C" {
#include "core/error.h"
}

#include <cstdlib>
#include <cstring>

namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxParts = 1024;

__global__ void pass_kernel(const float *x, int64_t rows, int d, const double *v, double b,
                            const uint8_t *y, const double *w, int64_t rows_per_part,
                            double *partial)
{
    __shared__ double slope[kThreads], share[kThreads];
    __shared__ double loss_sum[kThreads], slope_sum[kThreads];
    const int t = threadIdx.x, lane = t % 32, warp = t / 32;
    /* the gradient's split: `split` threads a column, each over every
    ** split-th row of the tile, when the columns leave threads over */
    const int split = d <= kThreads / 2 ? kThreads / d : 1;
    double *acc = partial + (int64_t)blockIdx.x * (d + 2);
    for (int j = t; j < d; j += kThreads)
        acc[j] = 0.0;
    int64_t first = (int64_t)blockIdx.x * rows_per_part;
    int64_t end = first + rows_per_part < rows ? first + rows_per_part : rows;
    double my_loss = 0.0, my_slope = 0.0;
    for (int64_t i0 = first; i0 < end; i0 += kThreads) {
        const int tile = end - i0 < kThreads ? (int)(end - i0) : kThreads;
        /* margins: warp w reads rows 32w .. 32w + 31 of the tile, a row at a
        ** time across its lanes (coalesced), summed by a butterfly that
        ** leaves the same bits in every lane; lane r keeps row 32w + r's */
        double mine = 0.0;
        for (int r = 0; r < 32 && warp * 32 + r < tile; r++) {
            const float *xr = x + (i0 + warp * 32 + r) * d;
            double m = 0.0;
            for (int j = lane; j < d; j += 32)
                m += v[j] * (double)xr[j];
            for (int off = 16; off > 0; off >>= 1)
                m += __shfl_xor_sync(0xffffffffu, m, off);
            mine = lane == r ? m : mine;
        }
        double sl = 0.0;
        if (t < tile) {
            int64_t i = i0 + t;
            double m = mine + b;
            /* loss = log(1 + e^u), u = m for y 0 and -m for y 1 */
            double u = y[i] ? -m : m;
            double e = exp(-fabs(m));
            double loss = (u > 0 ? u : 0.0) + log1p(e);
            double p = m >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            double c = w ? w[i] : 1.0;
            sl = c * (p - (double)y[i]);
            my_loss += c * loss;
            my_slope += sl;
        }
        slope[t] = sl;
        __syncthreads();
        if (split > 1) {
            int j = t % d, part = t / d;
            double g = 0.0;
            for (int r = part; part < split && r < tile; r += split)
                g += slope[r] * (double)x[(i0 + r) * d + j];
            share[t] = g;
            __syncthreads();
            if (t < d) {
                double sum = 0.0;
                for (int q = 0; q < split; q++)
                    sum += share[q * d + t];
                acc[t] += sum;
            }
        } else {
            for (int j = t; j < d; j += kThreads) {
                double g = 0.0;
                for (int r = 0; r < tile; r++)
                    g += slope[r] * (double)x[(i0 + r) * d + j];
                acc[j] += g;
            }
        }
        __syncthreads();
    }
    loss_sum[t] = my_loss;
    slope_sum[t] = my_slope;
    __syncthreads();
    for (int half = kThreads / 2; half > 0; half /= 2) {
        if (t < half) {
            loss_sum[t] += loss_sum[t + half];
            slope_sum[t] += slope_sum[t + half];
        }
        __syncthreads();
    }
    if (t == 0) {
        acc[d] = loss_sum[0];
        acc[d + 1] = slope_sum[0];
    }
}

} // namespace

struct rt_cuda_logreg {
    rt_cuda_rows rows;
    int64_t d;
    uint8_t *y;                 /* device: n                       */
    double *w, *v;              /* device: n or NULL; d            */
    double *partial, *total;    /* device: kMaxParts x (d + 2); d + 2 */
    double *host_total;         /* host: d + 2                     */
};

static retain_status open_buffers(rt_cuda_logreg *g, const float *x, int64_t n, int64_t stride,
                                  const uint8_t *y, const double *w)
{
    int64_t d = g->d;
    int64_t reserve = n * (int64_t)(1 + (w ? sizeof(double) : 0)) +
                      (kMaxParts + 2) * (d + 2) * (int64_t)sizeof(double);
    retain_status s = rt_cuda_rows_open(x, n, d, stride, reserve, 256, &g->rows);
    if (s)
        return s;
    RT_CUDA_CHECK(cudaMalloc(&g->y, (size_t)n));
    RT_CUDA_CHECK(cudaMemcpy(g->y, y, (size_t)n, cudaMemcpyHostToDevice));
    if (w) {
        RT_CUDA_CHECK(cudaMalloc(&g->w, (size_t)n * sizeof *g->w));
        RT_CUDA_CHECK(cudaMemcpy(g->w, w, (size_t)n * sizeof *g->w, cudaMemcpyHostToDevice));
    }
    RT_CUDA_CHECK(cudaMalloc(&g->v, (size_t)d * sizeof *g->v));
    RT_CUDA_CHECK(cudaMalloc(&g->partial, (size_t)(kMaxParts * (d + 2)) * sizeof *g->partial));
    RT_CUDA_CHECK(cudaMalloc(&g->total, (size_t)(d + 2) * sizeof *g->total));
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_logreg_open(const float *x, int64_t n, int64_t d,
                                             int64_t stride, const uint8_t *y, const double *w,
                                             rt_cuda_logreg **out)
{
    *out = nullptr;
    if (n < 1 || d < 1 || d > INT32_MAX - 2)
        return rt_error(RETAIN_ERR_USAGE, "GPU logistic regression: %lld rows of %lld "
                        "columns; at least one row, 1 to 2^31 - 3 columns", (long long)n,
                        (long long)d);
    rt_cuda_logreg *g = (rt_cuda_logreg *)calloc(1, sizeof *g);
    if (!g)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the GPU logistic state");
    g->d = d;
    g->host_total = (double *)malloc((size_t)(d + 2) * sizeof(double));
    retain_status s = g->host_total ? open_buffers(g, x, n, stride, y, w)
                                    : rt_error(RETAIN_ERR_INTERNAL, "out of memory for the "
                                               "GPU logistic state");
    if (s) {
        rt_cuda_logreg_close(g);
        return rt_error_context(s, "GPU logistic regression on %lld x %lld rows",
                                (long long)n, (long long)d);
    }
    *out = g;
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_logreg_pass(rt_cuda_logreg *g, const double *v, double b,
                                             double *acc)
{
    int64_t d = g->d;
    RT_CUDA_CHECK(cudaMemcpy(g->v, v, (size_t)d * sizeof *v, cudaMemcpyHostToDevice));
    memset(acc, 0, (size_t)(d + 2) * sizeof *acc);
    for (int64_t chunk = 0; chunk < g->rows.nchunks; chunk++) {
        const float *x;
        int64_t first, rows, rows_per;
        retain_status s = rt_cuda_rows_chunk(&g->rows, chunk, &x, &first, &rows);
        if (s)
            return s;
        int64_t parts = rt_cuda_parts(rows, kMaxParts, &rows_per);
        pass_kernel<<<(unsigned)parts, kThreads>>>(x, rows, (int)d, g->v, b, g->y + first,
                                                   g->w ? g->w + first : nullptr, rows_per,
                                                   g->partial);
        RT_CUDA_CHECK_LAUNCH();
        if ((s = rt_cuda_sum_partials(g->partial, parts, d + 2, g->total)))
            return s;
        RT_CUDA_CHECK(cudaMemcpy(g->host_total, g->total, (size_t)(d + 2) * sizeof(double),
                                 cudaMemcpyDeviceToHost));
        for (int64_t e = 0; e < d + 2; e++)
            acc[e] += g->host_total[e];
    }
    return RETAIN_OK;
}

extern "C" void rt_cuda_logreg_close(rt_cuda_logreg *g)
{
    if (!g)
        return;
    rt_cuda_rows_close(&g->rows);
    /* releases report nothing useful; a failed run's message is already set */
    cudaFree(g->y);
    cudaFree(g->w);
    cudaFree(g->v);
    cudaFree(g->partial);
    cudaFree(g->total);
    free(g->host_total);
    free(g);
}
