/*
** kernels/cuda/assign.cu: each row's nearest centre, the heart of a Lloyd
** pass and of GPU scoring (contract: rt_cuda_assign in kmeans_state.cuh).
** Scores are ||c||^2 - 2 x.c in float32, the dot products accumulated with
** fma in coordinate order, and the arg-min is taken in the same kernel, so
** the n x k matrix never exists. Ties go to the lower index. Two kernels,
** with the same dot products (same operations, same order), so the same
** labels:
**   few centres (k <= 32): one thread per row, 256 rows a block, the rows'
**     coordinates and the centres staged in shared memory in 32 x 32 tiles,
**     the centres read as float4 broadcasts;
**   more: a register tile of 8 rows x 8 centres per thread (256 threads: 256
**     rows x 64 centres a block, 16 coordinates a shared tile), four float4
**     shared loads per 64 fma; a row's 8 threads agree on its best centre
**     through warp shuffles, tile after tile of centres.
** With the tally, the direct squared distance to the winner in float64.
*/
#include "kmeans_state.cuh"

#include <cmath>

namespace {

constexpr int kRows = 256; /* rows per assign block, one per thread       */
constexpr int kTileK = 32; /* centres per shared-memory tile               */
constexpr int kTileD = 32; /* coordinates per shared-memory tile           */

/* the register-tiled kernel */
constexpr int kTM = 8, kTN = 8;  /* rows and centres per thread            */
constexpr int kTy = 32, kTx = 8; /* threads: row groups x centre groups    */
constexpr int kBM = kTy * kTM;   /* 256 rows a block                       */
constexpr int kBN = kTx * kTN;   /* 64 centres a tile                      */
constexpr int kBK = 16;          /* coordinates a shared tile              */
constexpr int kPad = 4;          /* breaks bank conflicts of the tile stores */
constexpr int kSmallK = 32;      /* up to here the one-row-a-thread kernel */


/* The squared distance from row i to centre l by direct differences, in
** float64, coordinates in order. */
__device__ double direct_sqdist(const float *x, int64_t i, int d, const float *c, int l)
{
    double s = 0.0;
    for (int j = 0; j < d; j++) {
        double diff = (double)x[i * d + j] - (double)c[(int64_t)l * d + j];
        s += diff * diff;
    }
    return s;
}

__global__ void assign_kernel(const float *x, int64_t rows, int d, const float *c,
                              const float *cnorm, int k, int32_t *label, double *dist)
{
    __shared__ float xs[kTileD][kRows + 1];
    __shared__ __align__(16) float cs[kTileD][kTileK]; /* coordinate-major: float4 reads */
    const int t = threadIdx.x;
    const int64_t row0 = (int64_t)blockIdx.x * kRows, i = row0 + t;
    float best = INFINITY;
    int bi = 0;
    for (int c0 = 0; c0 < k; c0 += kTileK) {
        float dot[kTileK];
#pragma unroll
        for (int u = 0; u < kTileK; u++)
            dot[u] = 0.0f;
        for (int j0 = 0; j0 < d; j0 += kTileD) {
            __syncthreads();
            for (int e = t; e < kRows * kTileD; e += kRows) {
                int r = e / kTileD, j = e % kTileD;
                xs[j][r] = row0 + r < rows && j0 + j < d ? x[(row0 + r) * d + j0 + j] : 0.0f;
            }
            for (int e = t; e < kTileK * kTileD; e += kRows) {
                int u = e % kTileK, j = e / kTileK;
                cs[j][u] = c0 + u < k && j0 + j < d ? c[(int64_t)(c0 + u) * d + j0 + j] : 0.0f;
            }
            __syncthreads();
            for (int j = 0; j < kTileD; j++) {
                float xv = xs[j][t];
                const float4 *cj = reinterpret_cast<const float4 *>(cs[j]);
#pragma unroll
                for (int q = 0; q < kTileK / 4; q++) {
                    float4 cv = cj[q]; /* the same address in every thread: a broadcast */
                    dot[4 * q] = fmaf(xv, cv.x, dot[4 * q]);
                    dot[4 * q + 1] = fmaf(xv, cv.y, dot[4 * q + 1]);
                    dot[4 * q + 2] = fmaf(xv, cv.z, dot[4 * q + 2]);
                    dot[4 * q + 3] = fmaf(xv, cv.w, dot[4 * q + 3]);
                }
            }
        }
#pragma unroll
        for (int u = 0; u < kTileK; u++) {
            if (c0 + u < k) {
                float score = cnorm[c0 + u] - 2.0f * dot[u];
                if (score < best) {
                    best = score;
                    bi = c0 + u;
                }
            }
        }
    }
    if (i >= rows)
        return;
    label[i] = bi;
    if (dist)
        dist[i] = direct_sqdist(x, i, d, c, bi);
}

__global__ void __launch_bounds__(kTy * kTx)
    assign_tiled_kernel(const float *x, int64_t rows, int d, const float *c, const float *cnorm,
                        int k, int32_t *label, double *dist)
{
    __shared__ __align__(16) float xs[kBK][kBM + kPad];
    __shared__ __align__(16) float cs[kBK][kBN + kPad];
    __shared__ int32_t winner[kBM];
    const int t = threadIdx.x, tx = t % kTx, ty = t / kTx;
    const int64_t row0 = (int64_t)blockIdx.x * kBM;
    float best[kTM];
    int bi[kTM];
#pragma unroll
    for (int r = 0; r < kTM; r++) {
        best[r] = INFINITY;
        bi[r] = 0;
    }
    for (int c0 = 0; c0 < k; c0 += kBN) {
        float acc[kTM][kTN];
#pragma unroll
        for (int r = 0; r < kTM; r++)
#pragma unroll
            for (int u = 0; u < kTN; u++)
                acc[r][u] = 0.0f;
        for (int j0 = 0; j0 < d; j0 += kBK) {
            __syncthreads();
            for (int e = t; e < kBM * kBK; e += kTy * kTx) {
                int r = e / kBK, j = e % kBK;
                xs[j][r] = row0 + r < rows && j0 + j < d ? x[(row0 + r) * d + j0 + j] : 0.0f;
            }
            for (int e = t; e < kBN * kBK; e += kTy * kTx) {
                int u = e / kBK, j = e % kBK;
                cs[j][u] = c0 + u < k && j0 + j < d ? c[(int64_t)(c0 + u) * d + j0 + j] : 0.0f;
            }
            __syncthreads();
            const int jn = d - j0 < kBK ? d - j0 : kBK;
            for (int jj = 0; jj < jn; jj++) {
                const float4 *xr = reinterpret_cast<const float4 *>(&xs[jj][ty * kTM]);
                const float4 *cr = reinterpret_cast<const float4 *>(&cs[jj][tx * kTN]);
                float4 xa = xr[0], xb = xr[1], ca = cr[0], cb = cr[1];
                const float xv[kTM] = {xa.x, xa.y, xa.z, xa.w, xb.x, xb.y, xb.z, xb.w};
                const float cv[kTN] = {ca.x, ca.y, ca.z, ca.w, cb.x, cb.y, cb.z, cb.w};
#pragma unroll
                for (int r = 0; r < kTM; r++)
#pragma unroll
                    for (int u = 0; u < kTN; u++)
                        acc[r][u] = fmaf(xv[r], cv[u], acc[r][u]);
            }
        }
#pragma unroll
        for (int r = 0; r < kTM; r++) {
            float tb = INFINITY;
            int ti = 0;
#pragma unroll
            for (int u = 0; u < kTN; u++) {
                int l = c0 + tx * kTN + u;
                if (l < k) {
                    float score = cnorm[l] - 2.0f * acc[r][u];
                    if (score < tb) {
                        tb = score;
                        ti = l;
                    }
                }
            }
            /* the row's kTx threads are lanes that differ in their low bits */
#pragma unroll
            for (int off = 1; off < kTx; off <<= 1) {
                float ob = __shfl_xor_sync(0xffffffffu, tb, off);
                int oi = __shfl_xor_sync(0xffffffffu, ti, off);
                if (ob < tb || (ob == tb && oi < ti)) {
                    tb = ob;
                    ti = oi;
                }
            }
            if (tb < best[r]) {
                best[r] = tb;
                bi[r] = ti;
            }
        }
    }
    if (tx == 0)
#pragma unroll
        for (int r = 0; r < kTM; r++)
            winner[ty * kTM + r] = bi[r];
    __syncthreads();
    const int64_t i = row0 + t;
    if (i >= rows)
        return;
    label[i] = winner[t];
    if (dist)
        dist[i] = direct_sqdist(x, i, d, c, winner[t]);
}

} // namespace

void rt_cuda_centre_norms(const float *c, int64_t k, int64_t d, float *out)
{
    for (int64_t l = 0; l < k; l++) {
        double s = 0.0;
        for (int64_t j = 0; j < d; j++) {
            double v = c[l * d + j];
            s += v * v;
        }
        out[l] = (float)s;
    }
}

void rt_cuda_assign(const float *x, int64_t rows, int d, const float *c, const float *cnorm,
                    int k, int32_t *label, double *dist, cudaStream_t stream)
{
    if (rows > 0 && k <= kSmallK)
        assign_kernel<<<(unsigned)((rows + kRows - 1) / kRows), kRows, 0, stream>>>(
            x, rows, d, c, cnorm, k, label, dist);
    else if (rows > 0)
        assign_tiled_kernel<<<(unsigned)((rows + kBM - 1) / kBM), kTy * kTx, 0, stream>>>(
            x, rows, d, c, cnorm, k, label, dist);
}

