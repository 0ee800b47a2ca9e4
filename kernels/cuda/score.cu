/*
** kernels/cuda/score.cu: scoring a block of rows on the GPU (contract in
** score.cuh). The block is cut into pieces of kPiece rows that alternate
** between two streams, each with its own device buffers; on a stream a
** piece is copied in, scaled for the segment model, assigned to its
** nearest centre (kmeans.cu's assign kernel), finished (distance, churn
** probability) and copied out. While one stream computes, the other
** copies, so with pinned host buffers the transfers hide behind the
** kernels (or the kernels behind the transfers, which over PCIe are the
** larger part for a few dozen features).
*/
#include "score.cuh"
#include "kmeans_state.cuh"

extern "C" {
#include "core/error.h"
}

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kStreams = 2;
constexpr int64_t kPiece = 1 << 16; /* rows a stream takes at a time */
constexpr int kThreads = 256;
constexpr int kMaxPinned = 16;

/* z = (x - offset) / spread in float64, rounded to float: prep/scale.c's
** rt_scale_rows, the same bits. */
__global__ void scale_kernel(const float *x, int64_t count, int d, const double *offset,
                             const double *spread, float *z)
{
    int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (e < count) {
        int j = (int)(e % d);
        z[e] = (float)(((double)x[e] - offset[j]) / spread[j]);
    }
}

/* Per row: the square root of the squared distance rounded to float, and
** the churn probability from the margin b + coef . x_i (float64, j in
** order), turned into a probability as retain_logreg_predict does. */
__global__ void finish_kernel(const float *x, int64_t rows, int d, const double *dist,
                              float *distance, const double *coef, double b, double *prob)
{
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows)
        return;
    if (distance)
        distance[i] = sqrtf((float)dist[i]);
    if (coef) {
        double m = b;
        for (int j = 0; j < d; j++)
            m += coef[j] * (double)x[i * d + j];
        double e = exp(-fabs(m));
        prob[i] = m >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }
}

struct lane {
    cudaStream_t stream;
    float *x, *z;       /* kPiece x d: raw rows; scaled (or NULL: x) */
    int32_t *segment;   /* kPiece */
    double *dist, *prob;
    float *distance;
};

} // namespace

struct rt_cuda_score {
    int64_t d, k, max_rows;
    bool scaled, churn;
    float *centres, *cnorm;         /* device: k x d; k */
    double *offset, *spread, *coef; /* device: d each, or NULL */
    double intercept;
    lane lanes[kStreams];
    void *pinned[kMaxPinned];
    int npinned;
};

template <typename T> static retain_status device_alloc(T **p, int64_t count)
{
    RT_CUDA_CHECK(cudaMalloc(p, (size_t)(count > 0 ? count : 1) * sizeof(T)));
    return RETAIN_OK;
}

template <typename T> static retain_status device_copy(T **p, const T *host, int64_t count)
{
    retain_status s = device_alloc(p, count);
    if (s)
        return s;
    RT_CUDA_CHECK(cudaMemcpy(*p, host, (size_t)count * sizeof(T), cudaMemcpyHostToDevice));
    return RETAIN_OK;
}

static retain_status open_lane(rt_cuda_score *s, lane *l)
{
    int64_t rows = s->max_rows < kPiece ? s->max_rows : kPiece, d = s->d;
    retain_status st;
    RT_CUDA_CHECK(cudaStreamCreateWithFlags(&l->stream, cudaStreamNonBlocking));
    if ((st = device_alloc(&l->x, rows * d)))
        return st;
    if (s->scaled && (st = device_alloc(&l->z, rows * d)))
        return st;
    if (s->k && ((st = device_alloc(&l->segment, rows)) || (st = device_alloc(&l->dist, rows)) ||
                 (st = device_alloc(&l->distance, rows))))
        return st;
    return s->churn ? device_alloc(&l->prob, rows) : RETAIN_OK;
}

static retain_status open_models(rt_cuda_score *s, const rt_cuda_score_models *m)
{
    int64_t k = m->k, d = m->d;
    retain_status st = RETAIN_OK;
    if (k) {
        float *norms = (float *)malloc((size_t)k * sizeof *norms);
        if (!norms)
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for %lld centre norms",
                            (long long)k);
        rt_cuda_centre_norms(m->centres, k, d, norms);
        if (!(st = device_copy(&s->centres, m->centres, k * d)))
            st = device_copy(&s->cnorm, (const float *)norms, k);
        free(norms);
    }
    if (!st && s->scaled && !(st = device_copy(&s->offset, m->offset, d)))
        st = device_copy(&s->spread, m->spread, d);
    if (!st && s->churn)
        st = device_copy(&s->coef, m->coef, d);
    for (int q = 0; q < kStreams && !st; q++)
        st = open_lane(s, &s->lanes[q]);
    return st;
}

extern "C" retain_status rt_cuda_score_open(const rt_cuda_score_models *m, int64_t max_rows,
                                            rt_cuda_score **out)
{
    *out = nullptr;
    if (m->k > INT32_MAX || m->d > INT32_MAX || m->d < 1 || max_rows < 1)
        return rt_error(RETAIN_ERR_USAGE, "GPU scoring: k %lld, d %lld and block rows %lld "
                        "must be 1 to 2^31 - 1 (k may be 0)", (long long)m->k, (long long)m->d,
                        (long long)max_rows);
    rt_cuda_score *s = (rt_cuda_score *)calloc(1, sizeof *s);
    if (!s)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for the GPU scorer");
    s->d = m->d;
    s->k = m->k;
    s->max_rows = max_rows;
    s->scaled = m->k && m->offset;
    s->churn = m->coef != nullptr;
    s->intercept = m->intercept;
    retain_status st = open_models(s, m);
    if (st) {
        rt_cuda_score_close(s);
        return rt_error_context(st, "GPU scoring of blocks of %lld rows x %lld features",
                                (long long)max_rows, (long long)m->d);
    }
    *out = s;
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_score_pin(rt_cuda_score *s, void *p, size_t bytes, char *why,
                                           int cap)
{
    if (cap > 0)
        why[0] = '\0';
    if (!p || !bytes)
        return RETAIN_OK;
    if (s->npinned == kMaxPinned)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU scoring: more than %d pinned buffers",
                        kMaxPinned);
    cudaError_t err = cudaHostRegister(p, bytes, cudaHostRegisterDefault);
    if (err != cudaSuccess) {
        cudaGetLastError(); /* clears it: the copies go on from pageable memory */
        if (cap > 0)
            snprintf(why, (size_t)cap, "pinning %.1f MiB failed (%s)",
                     (double)bytes / (1 << 20), cudaGetErrorString(err));
        return RETAIN_OK;
    }
    s->pinned[s->npinned++] = p;
    return RETAIN_OK;
}

/* Queues piece [first, first + rows) of x on lane l. */
static retain_status queue_piece(rt_cuda_score *s, lane *l, const float *x, int64_t first,
                                 int64_t rows, int32_t *segment, float *distance, double *prob)
{
    int64_t d = s->d;
    cudaStream_t st = l->stream;
    RT_CUDA_CHECK(cudaMemcpyAsync(l->x, x + first * d, (size_t)(rows * d) * sizeof *x,
                                  cudaMemcpyHostToDevice, st));
    if (s->scaled) {
        int64_t count = rows * d;
        scale_kernel<<<(unsigned)((count + kThreads - 1) / kThreads), kThreads, 0, st>>>(
            l->x, count, (int)d, s->offset, s->spread, l->z);
        RT_CUDA_CHECK_LAUNCH();
    }
    if (s->k) {
        rt_cuda_assign(s->scaled ? l->z : l->x, rows, (int)d, s->centres, s->cnorm, (int)s->k,
                       l->segment, l->dist, st);
        RT_CUDA_CHECK_LAUNCH();
    }
    finish_kernel<<<(unsigned)((rows + kThreads - 1) / kThreads), kThreads, 0, st>>>(
        l->x, rows, (int)d, l->dist, s->k ? l->distance : nullptr, s->churn ? s->coef : nullptr,
        s->intercept, l->prob);
    RT_CUDA_CHECK_LAUNCH();
    if (s->k)
        RT_CUDA_CHECK(cudaMemcpyAsync(segment + first, l->segment,
                                      (size_t)rows * sizeof *segment, cudaMemcpyDeviceToHost,
                                      st));
    if (s->k && distance)
        RT_CUDA_CHECK(cudaMemcpyAsync(distance + first, l->distance,
                                      (size_t)rows * sizeof *distance,
                                      cudaMemcpyDeviceToHost, st));
    if (s->churn)
        RT_CUDA_CHECK(cudaMemcpyAsync(prob + first, l->prob, (size_t)rows * sizeof *prob,
                                      cudaMemcpyDeviceToHost, st));
    return RETAIN_OK;
}

extern "C" retain_status rt_cuda_score_run(rt_cuda_score *s, const float *x, int64_t rows,
                                           int32_t *segment, float *distance, double *prob)
{
    if (rows > s->max_rows)
        return rt_error(RETAIN_ERR_INTERNAL, "GPU scoring: a block of %lld rows in buffers "
                        "for %lld", (long long)rows, (long long)s->max_rows);
    retain_status st = RETAIN_OK;
    for (int64_t first = 0, piece = 0; first < rows && !st; first += kPiece, piece++) {
        int64_t n = rows - first < kPiece ? rows - first : kPiece;
        st = queue_piece(s, &s->lanes[piece % kStreams], x, first, n, segment, distance, prob);
    }
    /* waits for both lanes even after a failure, so no copy outlives the call */
    for (int q = 0; q < kStreams; q++) {
        cudaError_t err = cudaStreamSynchronize(s->lanes[q].stream);
        if (err != cudaSuccess && !st)
            st = rt_cuda_error("cudaStreamSynchronize", __FILE__, __LINE__, err);
    }
    return st;
}

extern "C" void rt_cuda_score_close(rt_cuda_score *s)
{
    if (!s)
        return;
    /* releases report nothing useful; a failed run's message is already set */
    for (int q = 0; q < kStreams; q++) {
        lane *l = &s->lanes[q];
        if (l->stream)
            cudaStreamSynchronize(l->stream);
        cudaFree(l->x);
        cudaFree(l->z);
        cudaFree(l->segment);
        cudaFree(l->dist);
        cudaFree(l->distance);
        cudaFree(l->prob);
        if (l->stream)
            cudaStreamDestroy(l->stream);
    }
    for (int p = 0; p < s->npinned; p++)
        cudaHostUnregister(s->pinned[p]);
    cudaFree(s->centres);
    cudaFree(s->cnorm);
    cudaFree(s->offset);
    cudaFree(s->spread);
    cudaFree(s->coef);
    free(s);
}
