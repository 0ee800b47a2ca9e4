/*
** src/kmeans/kmeans.c: k-means segmentation, the fit. The module's manual:
**
** WHAT. Given n rows of d features (optionally weighted), find k centroids
** that minimise the inertia, the weighted sum of squared Euclidean
** distances from each row to its nearest centroid, and number the segments
** by size. The answers are those of scikit-learn's KMeans(algorithm=
** "lloyd") on the same scaled data from the same initial centroids.
**
** HOW, in order (one file per step):
**   scale.c     fit the scaler (standard, minmax, none) on the training
**               rows; one float32 scaled copy of x is made unless "none".
**   distinct.c  refuse k above the number of distinct rows.
**   init.c      initial centroids: greedy k-means++ (Arthur and
**               Vassilvitskii, "k-means++: the advantages of careful
**               seeding", SODA 2007, with scikit-learn's 2 + ln k local
**               trials per step), k random rows, or centroids given.
**   lloyd.c     Lloyd's iterations (Lloyd, "Least squares quantization in
**               PCM", IEEE Trans. Inf. Theory 28(2), 1982): assign every
**               row to its nearest centroid (assign.c: the nearest_centroid
**               SIMD kernel, a GEMM micro-kernel with the arg-min fused
**               in; the n x k distance matrix never exists), move each
**               centroid to the weighted mean of its rows (update.c,
**               the label_sums kernel), relocate empty
**               clusters to the farthest rows; stop when labels stop
**               changing or the summed squared centre shift falls to
**               tol * mean column variance, or after max_iter.
**   hamerly.c   Hamerly's bounds (SDM 2010): rows whose upper bound is
**               within the lower one skip the assignment (--algorithm).
**   minibatch.c MiniBatchKMeans (Sculley, WWW 2010) over rows read in
**               pieces (retain_kmeans_fit_source): its own passes for the
**               scaler, seeding sample, batches and final labels.
**   metrics.c   retain_kmeans_evaluate: silhouette, Calinski-Harabasz,
**               Davies-Bouldin as sklearn.metrics computes them.
**   model.c     n_init runs keep the lowest inertia; segments are renumbered
**               largest first (ties: lower index); centroids are reported
**               in the input's units; predict scales, assigns and measures.
**
** REPRODUCIBILITY. Every float64 sum runs over fixed RT_BLOCK_ROWS row
** blocks combined in block order (core/parallel.c); the nearest-centroid
** kernels give the same labels on every instruction set. Same data, params
** and seed: same bits for any thread count. Random draws come from core/rng, not numpy, so k-means++
** matches scikit-learn in distribution, not draw for draw.
**
** MEMORY. x itself, its scaled float32 copy (not with scale "none"), one
** float per row during k-means++, k x d centroids and per-thread scratch
** of O(RT_BLOCK_ROWS * d + tile) floats and one k x d float64 partial of
** the centroid sums. Lloyd keeps no labels; Hamerly keeps a label and two
** bounds per row (12 bytes).
**
** MPI. Under mpirun x (and the weights) are the rank's rows, as
** rt_dist_rows deals them (core/dist.h). Every sum over rows (scaler,
** weight total, tol scale, each Lloyd or Hamerly pass, the final tally,
** seeding potentials) is completed across ranks, the distinct-rows check
** and empty-cluster relocation look at every rank's rows, and k-means++
** draws its rows from the same global block sums as one process; so all
** ranks take the same steps and hold the same model. Mini-batch and random
** initial rows refuse to run across ranks for now.
**
** This code never reads files and never prints; progress goes through the
** caller's callback, and src/io/kmeans_model.c saves and loads models.
*/
#include "kmeans.h"

#include "core/clock.h"
#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "kernels/cpu/kernels.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/kmeans.cuh"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

void retain_kmeans_params_init(retain_kmeans_params *p)
{
    memset(p, 0, sizeof *p);
    p->k = 8;
    p->init = RETAIN_KMEANS_INIT_PLUSPLUS;
    p->n_init = 0;
    p->max_iter = 300;
    p->tol = 1e-4;
    p->scale = RETAIN_SCALE_STANDARD;
    p->algorithm = RETAIN_KMEANS_AUTO;
    p->batch_size = 1024;
    p->max_no_improvement = 10;
}

retain_status retain_kmeans_params_check(const retain_kmeans_params *p)
{
    if (!p)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: params is NULL");
    if (p->k < 1)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: k is %lld; it must be at least 1",
                        (long long)p->k);
    if (p->k > INT32_MAX)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: k is %lld; at most %d segments",
                        (long long)p->k, INT32_MAX);
    if (p->init < RETAIN_KMEANS_INIT_PLUSPLUS || p->init > RETAIN_KMEANS_INIT_GIVEN)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: init is %d, not a "
                        "retain_kmeans_init value", (int)p->init);
    if (p->init == RETAIN_KMEANS_INIT_GIVEN && !p->init_centroids)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: init is "
                        "RETAIN_KMEANS_INIT_GIVEN but init_centroids is NULL");
    if (p->n_init < 0)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: n_init is %lld; use 0 for "
                        "automatic or a positive count", (long long)p->n_init);
    if (p->max_iter < 0)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: max_iter is %lld; it must be "
                        ">= 0", (long long)p->max_iter);
    if (!(p->tol >= 0) || !isfinite(p->tol))
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: tol is %g; it must be finite "
                        "and >= 0", p->tol);
    if (p->scale < RETAIN_SCALE_STANDARD || p->scale > RETAIN_SCALE_NONE)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: scale is %d, not a "
                        "retain_scale value", (int)p->scale);
    if (p->algorithm < RETAIN_KMEANS_AUTO || p->algorithm > RETAIN_KMEANS_MINIBATCH)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: algorithm is %d, not a "
                        "retain_kmeans_algorithm value", (int)p->algorithm);
    if (p->batch_size < 1)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: batch_size is %lld; it must be "
                        "at least 1", (long long)p->batch_size);
    if (p->max_no_improvement < 0)
        return rt_error(RETAIN_ERR_USAGE, "k-means parameters: max_no_improvement is %lld; "
                        "use 0 for never or a positive count", (long long)p->max_no_improvement);
    return RETAIN_OK;
}

retain_kmeans_algorithm rt_kmeans_choose_algorithm(retain_kmeans_algorithm asked, int64_t k,
                                                   int64_t d)
{
    if (asked != RETAIN_KMEANS_AUTO)
        return asked;
    return k > 1 && k * d >= RT_KMEANS_HAMERLY_MIN_KD ? RETAIN_KMEANS_HAMERLY
                                                       : RETAIN_KMEANS_LLOYD;
}

retain_status rt_kmeans_check_matrix(const retain_matrix *x, const char *who)
{
    if (!x->data || x->rows < 1 || x->cols < 1 || x->row_stride < x->cols)
        return rt_error(RETAIN_ERR_USAGE, "%s: x must have data, rows >= 1, cols >= 1 and "
                        "row_stride >= cols (got %lld x %lld, stride %lld)",
                        who, (long long)x->rows, (long long)x->cols, (long long)x->row_stride);
    const rt_kernels *kern = rt_kernels_get();
    for (int64_t i = 0; i < x->rows; i++) {
        int64_t j = kern->first_nonfinite(x->data + i * x->row_stride, x->cols);
        if (j >= 0)
            return rt_error(RETAIN_ERR_DATA, "%s: x row %lld column %lld is %g; k-means "
                            "needs finite values", who, (long long)i, (long long)j,
                            (double)x->data[i * x->row_stride + j]);
    }
    return RETAIN_OK;
}

retain_status rt_kmeans_mean_variance(const rt_kmeans_data *x, double *out)
{
    double *mean = malloc((size_t)(2 * x->d) * sizeof *mean);
    if (!mean)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for column variances");
    retain_status s = rt_column_moments(x->z, x->n, x->d, x->stride, NULL, mean, mean + x->d, NULL);
    if (!s) {
        double total = 0.0;
        for (int64_t j = 0; j < x->d; j++)
            total += mean[x->d + j];
        *out = total / (double)x->d;
    }
    free(mean);
    return s;
}

static retain_status check_weights(const float *w, int64_t n)
{
    double total = 0.0;
    retain_status s = RETAIN_OK;
    for (int64_t i = 0; i < n && !s; i++) {
        if (!(w[i] >= 0) || !isfinite(w[i]))
            s = rt_error(RETAIN_ERR_DATA, "retain_kmeans_fit: sample_weight[%lld] is %g; "
                         "weights must be finite and >= 0", (long long)i, (double)w[i]);
        total += w[i];
    }
    if ((s = rt_dist_sum_f64(s, &total, 1))) /* under MPI: every rank's weights */
        return s;
    if (!(total > 0))
        return rt_error(RETAIN_ERR_DATA, "retain_kmeans_fit: the sample weights sum to 0");
    return RETAIN_OK;
}


/* The float32 scaled copy of x, written block by block in parallel. */
static retain_status scaled_copy(const retain_matrix *x, const retain_kmeans_model *m,
                                 float **out)
{
    int64_t n = x->rows, d = x->cols, bytes;
    *out = NULL;
    if (!rt_mul_size(n, d * (int64_t)sizeof(float), &bytes))
        return rt_error(RETAIN_ERR_DATA, "k-means: %lld x %lld floats overflow", (long long)n,
                        (long long)d);
    retain_status s = rt_mem_check_claim(bytes, "k-means scaled copy of the features",
                                         "use --scale none on pre-scaled data, or fewer rows");
    if (!s)
        s = retain_malloc((size_t)bytes, (void **)out);
    if (s)
        return s;
    int64_t nblocks = rt_block_count(n);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t first = b * RT_BLOCK_ROWS;
        int64_t rows = n - first < RT_BLOCK_ROWS ? n - first : RT_BLOCK_ROWS;
        rt_scale_rows(x->data + first * x->row_stride, rows, d, x->row_stride,
                             m->offset, m->spread, *out + first * d);
    }
    return RETAIN_OK;
}

/* The rows on the GPU when params ask for it (every run's passes share
** them), else *out NULL. */
static retain_status open_device(const rt_kmeans_data *data, const retain_kmeans_params *p,
                                 struct rt_cuda_kmeans **out)
{
    retain_device device;
    char why[8];
    *out = NULL;
    retain_status s = retain_device_resolve(p->device, &device, why, sizeof why);
#ifdef RETAIN_WITH_CUDA
    if (!s && device == RETAIN_DEVICE_CUDA)
        s = rt_cuda_kmeans_open(data->z, data->n, data->d, data->stride, data->w, p->k, out);
#endif
    return s;
}

static void close_device(struct rt_cuda_kmeans *gpu)
{
#ifdef RETAIN_WITH_CUDA
    rt_cuda_kmeans_close(gpu);
#else
    (void)gpu;
#endif
}

/* Runs n_init initialisations + Lloyd, keeps the lowest inertia in m, and
** the kept run's per-cluster weights in best_w. */
static retain_status fit_runs(const rt_kmeans_data *data, const retain_kmeans_params *p,
                              retain_kmeans_model *m, double *best_w)
{
    int64_t k = p->k, d = data->d;
    float *centers = NULL;
    rt_kmeans_result r = {0};
    struct rt_cuda_kmeans *gpu = NULL;
    retain_status s;
    if (!(s = open_device(data, p, &gpu)) &&
        !(s = retain_malloc((size_t)(k * d) * sizeof *centers, (void **)&centers)) &&
        !(s = retain_malloc((size_t)k * sizeof *r.counts, (void **)&r.counts)))
        s = retain_malloc((size_t)k * sizeof *r.weights, (void **)&r.weights);
    if ((s = rt_dist_agree(s)))
        goto done;
    if (gpu) /* the model says what ran: Hamerly's bounds stay on the CPU */
        m->algorithm = RETAIN_KMEANS_LLOYD;
    for (int64_t run = 0; run < m->n_init; run++) {
        rt_rng rng;
        rt_rng_init(&rng, p->seed, (uint64_t)run);
        double t_init = rt_seconds();
        if (p->init == RETAIN_KMEANS_INIT_GIVEN)
            rt_scale_rows(p->init_centroids, k, d, d, m->offset, m->spread, centers);
        else if (p->init == RETAIN_KMEANS_INIT_RANDOM)
            s = rt_kmeans_init_random(data, k, &rng, centers);
        else
            s = rt_kmeans_init_plusplus(data, k, gpu, &rng, p->progress, p->progress_user, centers);
        m->init_seconds += rt_seconds() - t_init;
        if (s)
            break;
        double t0 = rt_seconds();
        s = rt_kmeans_lloyd(data, k, p->max_iter, m->params.tol * m->tol_scale,
                            m->algorithm == RETAIN_KMEANS_HAMERLY, gpu, centers, p->progress,
                            p->progress_user, &r);
        m->lloyd_seconds += rt_seconds() - t0;
        if (s)
            break;
        m->iterations_total += r.n_iter;
        if (run == 0 || r.inertia < m->inertia) {
            m->inertia = r.inertia;
            m->n_iter = r.n_iter;
            m->converged = r.converged;
            memcpy(m->centroids_scaled, centers, (size_t)(k * d) * sizeof *centers);
            memcpy(m->sizes, r.counts, (size_t)k * sizeof *r.counts);
            memcpy(best_w, r.weights, (size_t)k * sizeof *best_w);
        }
    }
done:
    close_device(gpu);
    retain_free(centers);
    retain_free(r.counts);
    retain_free(r.weights);
    return s;
}

/* A model for params p on d columns: params kept (pointers cleared), the
** algorithm chosen and the number of runs settled. */
static retain_status new_model(const retain_kmeans_params *p, int64_t d,
                               retain_kmeans_model **out)
{
    retain_status s = rt_kmeans_model_alloc(p->k, d, out);
    if (s)
        return s;
    retain_kmeans_model *m = *out;
    m->params = *p;
    m->params.init_centroids = NULL;
    m->params.progress = NULL;
    m->params.progress_user = NULL;
    m->algorithm = rt_kmeans_choose_algorithm(p->algorithm, p->k, d);
    m->n_init = p->init == RETAIN_KMEANS_INIT_GIVEN      ? 1
                : p->n_init > 0                          ? p->n_init
                : p->init == RETAIN_KMEANS_INIT_RANDOM   ? 10
                : p->algorithm == RETAIN_KMEANS_MINIBATCH ? 3
                                                         : 1;
    return RETAIN_OK;
}

static retain_status check_given(const retain_kmeans_params *p, int64_t d)
{
    if (p->init != RETAIN_KMEANS_INIT_GIVEN)
        return RETAIN_OK;
    retain_matrix given = {p->init_centroids, p->k, d, d};
    return rt_kmeans_check_matrix(&given, "retain_kmeans_fit: init_centroids");
}

/* A matrix in memory as a row source, for mini-batch runs. */
typedef struct memory_rows {
    const retain_matrix *x;
    const float *w;
} memory_rows;

static retain_status read_memory(void *user, int64_t first, int64_t count, float *x, float *w)
{
    const memory_rows *mem = user;
    int64_t d = mem->x->cols;
    for (int64_t i = 0; i < count; i++) {
        memcpy(x + i * d, mem->x->data + (first + i) * mem->x->row_stride,
               (size_t)d * sizeof *x);
        if (w)
            w[i] = mem->w ? mem->w[first + i] : 1.0f;
    }
    return RETAIN_OK;
}

retain_status retain_kmeans_fit(const retain_matrix *x, const float *sample_weight,
                                const retain_kmeans_params *p, retain_kmeans_model **out)
{
    if (!out || !x || !p)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_fit: %s is NULL",
                        !out ? "out" : !x ? "x" : "params");
    *out = NULL;
    retain_status s;
    if ((s = retain_kmeans_params_check(p)) || (s = check_given(p, x->cols)))
        return s;
    if ((s = rt_dist_agree(rt_kmeans_check_matrix(x, "retain_kmeans_fit"))) ||
        (sample_weight && (s = check_weights(sample_weight, x->rows))))
        return s;
    if (p->algorithm == RETAIN_KMEANS_MINIBATCH && rt_dist_size() > 1)
        return rt_error(RETAIN_ERR_USAGE, "k-means: mini-batch does not run across MPI "
                        "ranks yet; use lloyd or hamerly");
    if (p->algorithm == RETAIN_KMEANS_MINIBATCH) {
        memory_rows mem = {x, sample_weight};
        retain_row_source src = {x->rows, x->cols, sample_weight != NULL, read_memory, &mem};
        return retain_kmeans_fit_source(&src, p, out);
    }
    int64_t k = p->k, d = x->cols;
    retain_kmeans_model *m = NULL;
    if ((s = rt_dist_agree(new_model(p, d, &m)))) {
        retain_kmeans_free(m); /* held by the ranks that did not fail */
        return s;
    }
    float *copy = NULL;
    double *best_w = NULL;
    int64_t distinct;
    if ((s = rt_dist_total_rows(RETAIN_OK, x->rows, &m->train_rows)) ||
        (s = rt_scaler_fit(x, sample_weight, p->scale, m->offset, m->spread)))
        goto fail;
    if (p->scale != RETAIN_SCALE_NONE)
        s = scaled_copy(x, m, &copy);
    if ((s = rt_dist_agree(s)))
        goto fail;
    rt_kmeans_data data = {copy ? copy : x->data, x->rows, d, copy ? d : x->row_stride,
                           sample_weight};
    if ((s = rt_kmeans_count_distinct(&data, k, &distinct)))
        goto fail;
    if (distinct < k) {
        s = rt_error(RETAIN_ERR_DATA, "k = %lld segments but the data has only %lld distinct "
                     "rows%s (of %lld); ask for at most %lld segments",
                     (long long)k, (long long)distinct,
                     sample_weight ? " of positive weight" : "", (long long)m->train_rows,
                     (long long)distinct);
        goto fail;
    }
    m->tol_scale = 0.0;
    if (p->tol > 0 && (s = rt_kmeans_mean_variance(&data, &m->tol_scale)))
        goto fail;
    if ((s = rt_dist_agree(retain_malloc((size_t)k * sizeof *best_w, (void **)&best_w))) ||
        (s = fit_runs(&data, p, m, best_w)) ||
        (s = rt_kmeans_model_canonical(m, best_w)))
        goto fail;
    rt_kmeans_model_unscale(m);
    retain_free(copy);
    retain_free(best_w);
    *out = m;
    return RETAIN_OK;
fail:
    retain_free(copy);
    retain_free(best_w);
    retain_kmeans_free(m);
    return s;
}

retain_status retain_kmeans_fit_source(const retain_row_source *src,
                                       const retain_kmeans_params *p, retain_kmeans_model **out)
{
    if (!out || !src || !p)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_fit_source: %s is NULL",
                        !out ? "out" : !src ? "src" : "params");
    *out = NULL;
    retain_status s;
    if ((s = retain_kmeans_params_check(p)))
        return s;
    if (p->algorithm != RETAIN_KMEANS_MINIBATCH)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_fit_source: algorithm is %s; rows "
                        "read in pieces need RETAIN_KMEANS_MINIBATCH (or read them into "
                        "memory for retain_kmeans_fit)", rt_kmeans_algorithm_name(p->algorithm));
    if (!src->read || src->rows < 1 || src->cols < 1)
        return rt_error(RETAIN_ERR_USAGE, "retain_kmeans_fit_source: the source needs a read "
                        "function, rows >= 1 and cols >= 1 (got %lld x %lld)",
                        (long long)src->rows, (long long)src->cols);
    if ((s = check_given(p, src->cols)))
        return s;
    retain_kmeans_model *m;
    double *best_w = NULL;
    if ((s = new_model(p, src->cols, &m)))
        return s;
    m->train_rows = src->rows;
    if ((s = retain_malloc((size_t)p->k * sizeof *best_w, (void **)&best_w)) ||
        (s = rt_kmeans_minibatch(src, p, m, best_w)) ||
        (s = rt_kmeans_model_canonical(m, best_w))) {
        retain_free(best_w);
        retain_kmeans_free(m);
        return s;
    }
    rt_kmeans_model_unscale(m);
    retain_free(best_w);
    *out = m;
    return RETAIN_OK;
}
