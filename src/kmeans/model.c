/*
** src/kmeans/model.c: the fitted model: allocation, the canonical segment
** numbering (largest first), scaled and original-unit centroids, the
** public accessors, and prediction (scale a block, assign it, report the
** Euclidean distance in scaled units; on a GPU through the block scorer of
** kernels/cuda/score.cuh). Saving and loading are file formats
** and live in src/io/kmeans_model.c.
*/
#include "kmeans.h"

#include "core/error.h"
#include "core/parallel.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/score.cuh"
#endif

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

retain_status rt_kmeans_model_alloc(int64_t k, int64_t d, retain_kmeans_model **out)
{
    *out = NULL;
    retain_kmeans_model *m = calloc(1, sizeof *m);
    if (!m)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a k-means model");
    m->k = k;
    m->d = d;
    retain_kmeans_params_init(&m->params);
    retain_status s;
    if ((s = retain_calloc((size_t)d, sizeof(double), (void **)&m->offset)) ||
        (s = retain_calloc((size_t)d, sizeof(double), (void **)&m->spread)) ||
        (s = retain_calloc((size_t)(k * d), sizeof(float), (void **)&m->centroids)) ||
        (s = retain_calloc((size_t)(k * d), sizeof(float), (void **)&m->centroids_scaled)) ||
        (s = retain_calloc((size_t)k, sizeof(int64_t), (void **)&m->sizes))) {
        retain_kmeans_free(m);
        return rt_error_context(s, "k-means model of %lld x %lld", (long long)k, (long long)d);
    }
    *out = m;
    return RETAIN_OK;
}

void retain_kmeans_free(retain_kmeans_model *m)
{
    if (!m)
        return;
    retain_free(m->offset);
    retain_free(m->spread);
    retain_free(m->centroids);
    retain_free(m->centroids_scaled);
    retain_free(m->sizes);
    free(m);
}

typedef struct ranked {
    double weight;
    int64_t index;
} ranked;

/* Heavier first; equal weights: lower original index first. */
static int by_weight(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

retain_status rt_kmeans_model_canonical(retain_kmeans_model *m, double *weights)
{
    int64_t k = m->k, d = m->d;
    ranked *order = malloc((size_t)k * sizeof *order);
    float *c = malloc((size_t)(k * d) * sizeof *c);
    int64_t *sizes = malloc((size_t)k * sizeof *sizes);
    double *w = malloc((size_t)k * sizeof *w);
    retain_status s = RETAIN_OK;
    if (order && c && sizes && w) {
        for (int64_t l = 0; l < k; l++)
            order[l] = (ranked){weights[l], l};
        qsort(order, (size_t)k, sizeof *order, by_weight);
        for (int64_t l = 0; l < k; l++) {
            int64_t from = order[l].index;
            memcpy(c + l * d, m->centroids_scaled + from * d, (size_t)d * sizeof *c);
            sizes[l] = m->sizes[from];
            w[l] = weights[from];
        }
        memcpy(m->centroids_scaled, c, (size_t)(k * d) * sizeof *c);
        memcpy(m->sizes, sizes, (size_t)k * sizeof *sizes);
        memcpy(weights, w, (size_t)k * sizeof *w);
    } else {
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory numbering %lld segments", (long long)k);
    }
    free(order);
    free(c);
    free(sizes);
    free(w);
    return s;
}

void rt_kmeans_model_unscale(retain_kmeans_model *m)
{
    for (int64_t l = 0; l < m->k; l++)
        for (int64_t j = 0; j < m->d; j++)
            m->centroids[l * m->d + j] =
                (float)(m->centroids_scaled[l * m->d + j] * m->spread[j] + m->offset[j]);
}

const char *rt_kmeans_init_name(retain_kmeans_init init)
{
    return init == RETAIN_KMEANS_INIT_RANDOM ? "random"
           : init == RETAIN_KMEANS_INIT_GIVEN ? "given"
                                              : "k-means++";
}

const char *rt_kmeans_algorithm_name(retain_kmeans_algorithm algorithm)
{
    return algorithm == RETAIN_KMEANS_HAMERLY     ? "hamerly"
           : algorithm == RETAIN_KMEANS_LLOYD     ? "lloyd"
           : algorithm == RETAIN_KMEANS_MINIBATCH ? "minibatch"
                                                  : "auto";
}

const char *rt_kmeans_scale_name(retain_scale scale)
{
    return scale == RETAIN_SCALE_MINMAX ? "minmax" : scale == RETAIN_SCALE_NONE ? "none" : "standard";
}

int64_t retain_kmeans_model_k(const retain_kmeans_model *m) { return m ? m->k : 0; }
int64_t retain_kmeans_model_d(const retain_kmeans_model *m) { return m ? m->d : 0; }
const float *retain_kmeans_model_centroids(const retain_kmeans_model *m)
{
    return m ? m->centroids : NULL;
}
const int64_t *retain_kmeans_model_sizes(const retain_kmeans_model *m)
{
    return m ? m->sizes : NULL;
}
double retain_kmeans_model_inertia(const retain_kmeans_model *m) { return m ? m->inertia : NAN; }
int64_t retain_kmeans_model_n_iter(const retain_kmeans_model *m) { return m ? m->n_iter : 0; }
int retain_kmeans_model_converged(const retain_kmeans_model *m) { return m && m->converged; }

retain_kmeans_algorithm retain_kmeans_model_algorithm(const retain_kmeans_model *m)
{
    return m ? m->algorithm : RETAIN_KMEANS_LLOYD;
}

void retain_kmeans_model_set_device(retain_kmeans_model *m, retain_device device)
{
    if (m)
        m->params.device = device;
}

#ifdef RETAIN_WITH_CUDA
/* Rows the GPU scorer takes at a time (host rows are packed per block when
** their stride is not d). */
#define GPU_PREDICT_ROWS ((int64_t)1 << 20)

/* retain_kmeans_predict on the GPU: the block scorer of `score --device
** cuda` (kernels/cuda/score.cuh) with the segment model alone; the rows are
** scaled there. */
static retain_status predict_gpu(const retain_kmeans_model *m, const retain_matrix *x,
                                 int32_t *labels, float *distances)
{
    int64_t n = x->rows, d = m->d, block = n < GPU_PREDICT_ROWS ? n : GPU_PREDICT_ROWS;
    bool scaled = m->params.scale != RETAIN_SCALE_NONE, packed = x->row_stride == d;
    rt_cuda_score_models models = {d, m->k, m->centroids_scaled, scaled ? m->offset : NULL,
                                   scaled ? m->spread : NULL, NULL, 0.0};
    float *buf = NULL;
    rt_cuda_score *gpu = NULL;
    retain_status s = packed ? RETAIN_OK
                             : retain_malloc((size_t)(block * d) * sizeof *buf, (void **)&buf);
    if (!s)
        s = rt_cuda_score_open(&models, block > 0 ? block : 1, &gpu);
    for (int64_t first = 0; !s && first < n; first += block) {
        int64_t rows = n - first < block ? n - first : block;
        const float *src = x->data + first * x->row_stride;
        for (int64_t i = 0; !packed && i < rows; i++)
            memcpy(buf + i * d, src + i * x->row_stride, (size_t)d * sizeof *buf);
        s = rt_cuda_score_run(gpu, packed ? src : buf, rows, labels + first,
                              distances ? distances + first : NULL, NULL);
    }
    rt_cuda_score_close(gpu);
    retain_free(buf);
    return s;
}
#endif

retain_status retain_kmeans_predict(const retain_kmeans_model *m, const retain_matrix *x,
                                    int32_t *labels, float *distances)
{
    if (!m || !x || !labels)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_predict: %s is NULL",
                        !m ? "model" : !x ? "x" : "labels");
    if (x->cols != m->d)
        return rt_error(RETAIN_ERR_USAGE,
                        "retain_kmeans_predict: x has %lld columns, the model was fitted "
                        "on %lld",
                        (long long)x->cols, (long long)m->d);
    retain_status s = rt_kmeans_check_matrix(x, "retain_kmeans_predict");
    retain_device device;
    char why[8];
    if (s || (s = retain_device_resolve(m->params.device, &device, why, sizeof why)))
        return s;
#ifdef RETAIN_WITH_CUDA
    if (device == RETAIN_DEVICE_CUDA)
        return predict_gpu(m, x, labels, distances);
#endif
    int64_t d = m->d;
    bool scaled = m->params.scale != RETAIN_SCALE_NONE;
    rt_kmeans_centers c;
    if ((s = rt_kmeans_centers_alloc(m->k, d, &c)))
        return s;
    rt_kmeans_centers_set(&c, m->centroids_scaled);
    int64_t zbytes = scaled ? RT_BLOCK_ROWS * d * (int64_t)sizeof(float) : 0;
    int64_t bytes = RT_BLOCK_ROWS * (int64_t)sizeof(float) + zbytes +
                    rt_kmeans_assign_scratch_bytes(&c);
    void **scratch = NULL;
    int nscratch = 0;
    if ((s = rt_thread_scratch_alloc(bytes, &scratch, &nscratch))) {
        rt_kmeans_centers_free(&c);
        return s;
    }
    int64_t nblocks = rt_block_count(x->rows);
#pragma omp parallel for schedule(dynamic) num_threads(nscratch)
    for (int64_t b = 0; b < nblocks; b++) {
        char *base = scratch[omp_get_thread_num()];
        float *dist = (float *)base, *z = (float *)(base + RT_BLOCK_ROWS * sizeof(float));
        void *rest = (char *)z + zbytes;
        int64_t first = b * RT_BLOCK_ROWS;
        int64_t rows = x->rows - first < RT_BLOCK_ROWS ? x->rows - first : RT_BLOCK_ROWS;
        const float *src = x->data + first * x->row_stride;
        if (scaled)
            rt_scale_rows(src, rows, d, x->row_stride, m->offset, m->spread, z);
        rt_kmeans_assign_rows(&c, scaled ? z : src, rows, scaled ? d : x->row_stride,
                              labels + first, dist, rest);
        if (distances)
            for (int64_t r = 0; r < rows; r++)
                distances[first + r] = sqrtf(dist[r]);
    }
    rt_thread_scratch_free(scratch, nscratch);
    rt_kmeans_centers_free(&c);
    return RETAIN_OK;
}
