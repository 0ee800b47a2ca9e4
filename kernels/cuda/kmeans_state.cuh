/*
** kernels/cuda/kmeans_state.cuh: what a GPU k-means holds on the device,
** shared by the Lloyd pass (kmeans.cu) and the k-means++ seeding passes
** (kmeans_seed.cu). Private to kernels/cuda.
*/
#ifndef RT_CUDA_KMEANS_STATE_CUH
#define RT_CUDA_KMEANS_STATE_CUH

#include "device.cuh"
#include "kmeans.cuh"

/* k-means++ candidates per draw, at most (src/kmeans/init.c draws 2 + ln k) */
constexpr int64_t kMaxSeedCandidates = 64;

struct rt_cuda_kmeans {
    rt_cuda_rows rows;
    int64_t k, d, width;
    float *w, *c, *cnorm;      /* device: n weights or NULL; k x d; k    */
    int32_t *label;            /* device: n                              */
    double *dist;              /* device: n                              */
    double *partial, *total;   /* device: parts x k x width; k x width   */
    double *host_total, *host_sum; /* host: k x width each                */
    float *host_cnorm;
    int64_t max_parts;         /* blocks of the sums kernel, at most     */
    bool tallied;              /* the last pass wrote dist               */
    size_t shared_max;         /* opt-in shared memory per block         */
    /* k-means++ seeding (kmeans_seed.cu), allocated by seed_begin */
    float *closest;            /* device: n                              */
    double *seed_blocks;       /* device: blocks x candidates            */
    float *seed_points;        /* device: candidates x d                 */
    int64_t candidates;
};

/* out[l] = ||c_l||^2 for the k centres c (k x d): summed in float64 in
** coordinate order and rounded once, as the CPU kernels' centre norms
** (kernels/cpu/nearest_centroid.c), so both score rows alike. */
void rt_cuda_centre_norms(const float *c, int64_t k, int64_t d, float *out);
/* Launches the assign kernel on `stream` (the caller checks the launch):
** label[i] = the nearest of the k centres c (packed rows x, d columns;
** cnorm their norms), ties to the lower index; with dist, the squared
** distance to it by direct differences in float64. Also behind `score`
** (score.cu). */
void rt_cuda_assign(const float *x, int64_t rows, int d, const float *c, const float *cnorm,
                    int k, int32_t *label, double *dist, cudaStream_t stream);

#endif
