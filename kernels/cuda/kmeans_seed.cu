/*
** kernels/cuda/kmeans_seed.cu: k-means++'s passes over the rows on the GPU
** (contract in kmeans.cuh), so seeding k centres costs about (3 + ln k) k
** device passes instead of host ones. The draws stay on the host
** (src/kmeans/init.c), which is why the same seed gives the same centres
** on either device: each value here is the CPU pass's, bit for bit.
**   - The squared distance is summed as kernels/cpu/seed_dist_loop.h sums
**     it: eight float partial sums over j mod 8, the tail, then a fixed
**     tree, each operation rounded on
**     its own (the _rn intrinsics stop nvcc from fusing a multiply and add,
**     as -ffp-contract=off stops gcc).
**   - A CUDA block takes one RT_BLOCK_ROWS block of rows in tiles: a thread
**     per row computes w_i * closest_i (or, per candidate, w_i * min(...))
**     into shared memory, then one thread per sum adds the tile in row
**     order, so each block's sum is the CPU's sequential sum.
** Chunks of rows (device.cuh) are whole blocks, so a block never spans two.
*/
#include "kmeans_state.cuh"

extern "C" {
#include "core/error.h"
#include "core/parallel.h"
}

namespace {

constexpr int kAddThreads = 256;  /* rows per tile of the add pass         */
constexpr int kPotThreads = 128;  /* rows per tile of the potentials pass  */
constexpr int kPotPitch = kPotThreads + 1; /* shared row of one candidate  */

__device__ float seed_sqdist(const float *a, const float *b, int d)
{
    float acc[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    int j = 0;
    for (; j + 8 <= d; j += 8)
#pragma unroll
        for (int u = 0; u < 8; u++) {
            float t = __fsub_rn(a[j + u], b[j + u]);
            acc[u] = __fadd_rn(acc[u], __fmul_rn(t, t));
        }
    float s = 0.0f;
    for (; j < d; j++) {
        float t = __fsub_rn(a[j], b[j]);
        s = __fadd_rn(s, __fmul_rn(t, t));
    }
    float lo = __fadd_rn(__fadd_rn(acc[0], acc[1]), __fadd_rn(acc[2], acc[3]));
    float hi = __fadd_rn(__fadd_rn(acc[4], acc[5]), __fadd_rn(acc[6], acc[7]));
    return __fadd_rn(s, __fadd_rn(lo, hi));
}

__global__ void add_kernel(const float *x, int64_t rows, int d, const float *centre,
                           const float *w, bool first, float *closest, double *block_sum)
{
    __shared__ double mass[kAddThreads];
    const int t = threadIdx.x;
    const int64_t b0 = (int64_t)blockIdx.x * RT_BLOCK_ROWS;
    const int64_t end = b0 + RT_BLOCK_ROWS < rows ? b0 + RT_BLOCK_ROWS : rows;
    double s = 0.0;
    for (int64_t r0 = b0; r0 < end; r0 += kAddThreads) {
        int64_t i = r0 + t;
        if (i < end) {
            float dc = seed_sqdist(x + i * d, centre, d);
            float c = first || dc < closest[i] ? dc : closest[i];
            closest[i] = c;
            mass[t] = __dmul_rn(w ? (double)w[i] : 1.0, (double)c);
        }
        __syncthreads();
        if (t == 0) {
            int64_t tile = end - r0 < kAddThreads ? end - r0 : kAddThreads;
            for (int64_t r = 0; r < tile; r++)
                s = __dadd_rn(s, mass[r]);
        }
        __syncthreads();
    }
    if (t == 0)
        block_sum[blockIdx.x] = s;
}

__global__ void potentials_kernel(const float *x, int64_t rows, int d, const float *cand,
                                  int count, const float *w, const float *closest,
                                  double *block_pot)
{
    extern __shared__ double value[]; /* count x kPotPitch */
    const int t = threadIdx.x;
    const int64_t b0 = (int64_t)blockIdx.x * RT_BLOCK_ROWS;
    const int64_t end = b0 + RT_BLOCK_ROWS < rows ? b0 + RT_BLOCK_ROWS : rows;
    double s = 0.0; /* thread t < count: candidate t's sum */
    for (int64_t r0 = b0; r0 < end; r0 += kPotThreads) {
        int64_t i = r0 + t;
        if (i < end) {
            double wi = w ? (double)w[i] : 1.0;
            float ci = closest[i];
            for (int c = 0; c < count; c++) {
                float dt = seed_sqdist(x + i * d, cand + (int64_t)c * d, d);
                value[c * kPotPitch + t] = __dmul_rn(wi, (double)(dt < ci ? dt : ci));
            }
        }
        __syncthreads();
        if (t < count) {
            int64_t tile = end - r0 < kPotThreads ? end - r0 : kPotThreads;
            for (int64_t r = 0; r < tile; r++)
                s = __dadd_rn(s, value[t * kPotPitch + r]);
        }
        __syncthreads();
    }
    if (t < count)
        block_pot[(int64_t)blockIdx.x * count + t] = s;
}

} // namespace

extern "C" retain_status rt_cuda_kmeans_seed_begin(rt_cuda_kmeans *g, int64_t candidates)
{
    if (candidates < 1 || candidates > kMaxSeedCandidates)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU k-means++: %lld candidates per draw; 1 to "
                        "%lld", (long long)candidates, (long long)kMaxSeedCandidates);
    rt_cuda_kmeans_seed_end(g);
    int64_t n = g->rows.n, blocks = rt_block_count(n);
    g->candidates = candidates;
    RT_CUDA_CHECK(cudaMalloc(&g->closest, (size_t)(n > 0 ? n : 1) * sizeof *g->closest));
    RT_CUDA_CHECK(cudaMalloc(&g->seed_blocks,
                             (size_t)((blocks > 0 ? blocks : 1) * candidates) * sizeof(double)));
    RT_CUDA_CHECK(cudaMalloc(&g->seed_points, (size_t)(candidates * g->d) * sizeof(float)));
    return RETAIN_OK;
}

static retain_status check_begun(const rt_cuda_kmeans *g, int64_t count)
{
    if (!g->closest || count < 1 || count > g->candidates)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU k-means++: %lld candidates asked of buffers "
                        "for %lld", (long long)count, (long long)g->candidates);
    return RETAIN_OK;
}

/* launch(x, at, rows) on each chunk of the rows on the device, in order,
** each launch checked. */
template <typename Launch>
static retain_status each_chunk(rt_cuda_kmeans *g, Launch launch)
{
    for (int64_t chunk = 0; chunk < g->rows.nchunks; chunk++) {
        const float *x;
        int64_t at, rows;
        retain_status s = rt_cuda_rows_chunk(&g->rows, chunk, &x, &at, &rows);
        if (s)
            return s;
        launch(x, at, rows);
        RT_CUDA_CHECK_LAUNCH();
    }
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_kmeans_seed_add(rt_cuda_kmeans *g, const float *centre,
                                                 bool first, double *block_sum)
{
    retain_status s = check_begun(g, 1);
    if (s)
        return s;
    int64_t d = g->d, blocks = rt_block_count(g->rows.n);
    RT_CUDA_CHECK(cudaMemcpy(g->seed_points, centre, (size_t)d * sizeof *centre,
                             cudaMemcpyHostToDevice));
    if ((s = each_chunk(g, [&](const float *x, int64_t at, int64_t rows) {
             add_kernel<<<(unsigned)rt_block_count(rows), kAddThreads>>>(
                 x, rows, (int)d, g->seed_points, g->w ? g->w + at : nullptr, first,
                 g->closest + at, g->seed_blocks + at / RT_BLOCK_ROWS);
         })))
        return s;
    RT_CUDA_CHECK(cudaMemcpy(block_sum, g->seed_blocks, (size_t)blocks * sizeof *block_sum,
                             cudaMemcpyDeviceToHost));
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_kmeans_seed_potentials(rt_cuda_kmeans *g, const float *cand,
                                                        int64_t count, double *block_pot)
{
    retain_status s = check_begun(g, count);
    if (s)
        return s;
    int64_t d = g->d, blocks = rt_block_count(g->rows.n);
    size_t shared = (size_t)(count * kPotPitch) * sizeof(double);
    if (shared > 48 * 1024) {
        if (shared > g->shared_max)
            return rt_error(RETAIN_ERR_DEVICE, "GPU k-means++: %lld candidates need %zu bytes "
                            "of shared memory; the device offers %zu", (long long)count,
                            shared, g->shared_max);
        RT_CUDA_CHECK(cudaFuncSetAttribute(potentials_kernel,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           (int)shared));
    }
    RT_CUDA_CHECK(cudaMemcpy(g->seed_points, cand, (size_t)(count * d) * sizeof *cand,
                             cudaMemcpyHostToDevice));
    if ((s = each_chunk(g, [&](const float *x, int64_t at, int64_t rows) {
             potentials_kernel<<<(unsigned)rt_block_count(rows), kPotThreads, shared>>>(
                 x, rows, (int)d, g->seed_points, (int)count, g->w ? g->w + at : nullptr,
                 g->closest + at, g->seed_blocks + at / RT_BLOCK_ROWS * count);
         })))
        return s;
    RT_CUDA_CHECK(cudaMemcpy(block_pot, g->seed_blocks,
                             (size_t)(blocks * count) * sizeof *block_pot,
                             cudaMemcpyDeviceToHost));
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_kmeans_seed_closest(rt_cuda_kmeans *g, int64_t first,
                                                     int64_t rows, float *out)
{
    retain_status s = check_begun(g, 1);
    if (s)
        return s;
    if (first < 0 || rows < 0 || first + rows > g->rows.n)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU k-means++: rows %lld + %lld of %lld",
                        (long long)first, (long long)rows, (long long)g->rows.n);
    RT_CUDA_CHECK(cudaMemcpy(out, g->closest + first, (size_t)rows * sizeof *out,
                             cudaMemcpyDeviceToHost));
    return RETAIN_OK;
}

extern "C" void rt_cuda_kmeans_seed_end(rt_cuda_kmeans *g)
{
    /* releases report nothing useful */
    cudaFree(g->closest);
    cudaFree(g->seed_blocks);
    cudaFree(g->seed_points);
    g->closest = nullptr;
    g->seed_blocks = nullptr;
    g->seed_points = nullptr;
    g->candidates = 0;
}
