/*
** src/kmeans/lloyd.c: Lloyd iterations as scikit-learn's
** _kmeans_single_lloyd runs them. Each iteration is one fused pass over the
** rows: assign every row of a block (assign.c) and add it to its cluster's
** float64 sums (update.c) while the block is in cache; then empty clusters
** are relocated and the centres averaged. The run stops when no label
** changed (strict convergence) or the summed squared centre shift is <= tol,
** or after max_iter; a last assignment pass matches labels to the final
** centres, and the inertia comes from the squared differences in float64.
** Labels are not kept between passes: the same labels give the same sums
** in the same order, so "no label changed" is "the centres came out the
** same bits", which costs nothing to test. With Hamerly's bounds
** (hamerly.c) the assignment skips rows that cannot change, which needs
** every row's label (4 bytes) beside its bounds; the rest is the same.
** On a GPU (kernels/cuda/kmeans.cu) the two passes, step and final, run
** there and return the same sums; relocation, averaging and the stopping
** test stay here, so both devices follow one rule.
** Under MPI x is the rank's rows: each pass's sums are completed across
** ranks (rt_dist_reduce_rows), so relocation, averaging and the stopping test
** see every row and all ranks take the same steps.
*/
#include "kmeans.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/kmeans.cuh"
#endif

#include <string.h>

typedef struct pass {
    const rt_kmeans_data *x;
    const rt_kmeans_centers *c;
    int64_t k;
    int32_t *labels;        /* Hamerly's: every row's label; else NULL         */
    void **scratch;         /* per thread: block labels, then assign's scratch */
    rt_kmeans_bounds *hb;   /* Hamerly's bounds, or NULL                       */
} pass;

/* New labels of a block into lab (a copy of the old ones with bounds). */
static void assign_block(const pass *p, int64_t first, int64_t rows, int32_t *lab, void *rest)
{
    const rt_kmeans_data *x = p->x;
    if (!p->hb) {
        rt_kmeans_assign_rows(p->c, x->z + first * x->stride, rows, x->stride, lab, NULL, rest);
        return;
    }
    /* hamerly_rows updates the labels in place, indexed by row */
    rt_kmeans_hamerly_rows(p->c, p->hb, x, first, rows, p->labels, rest);
    memcpy(lab, p->labels + first, (size_t)rows * sizeof *lab);
}

static void block_scratch(const pass *p, int thread, int32_t **lab, void **rest)
{
    char *base = p->scratch[thread];
    *lab = (int32_t *)base;
    *rest = base + RT_BLOCK_ROWS * sizeof(int32_t);
}

/* partial: sums (k x d), weights (k). */
static void step_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const pass *p = ctx;
    int32_t *lab;
    void *rest;
    block_scratch(p, thread, &lab, &rest);
    assign_block(p, first, rows, lab, rest);
    rt_kmeans_accumulate(p->x, first, rows, lab, p->k, partial, partial + p->k * p->x->d);
}

/* partial: inertia (1), rows per cluster (k), weight per cluster (k). */
static void final_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const pass *p = ctx;
    int32_t *lab;
    void *rest;
    block_scratch(p, thread, &lab, &rest);
    assign_block(p, first, rows, lab, rest);
    rt_kmeans_tally(p->x, first, rows, lab, p->c->c, p->k, partial);
}

/* A pass on the GPU (gpu is never set in a build without CUDA). */
static retain_status gpu_pass(struct rt_cuda_kmeans *gpu, const float *centers, double *sums,
                              double *wsum, double *tally)
{
#ifdef RETAIN_WITH_CUDA
    return rt_cuda_kmeans_pass(gpu, centers, sums, wsum, tally);
#else
    (void)gpu, (void)centers, (void)sums, (void)wsum, (void)tally;
    return rt_error(RETAIN_ERR_INTERNAL, "k-means: a GPU pass in a build without CUDA");
#endif
}

/* Empty clusters relocated as on the CPU, from the labels of the GPU's
** last pass (fetched only when a cluster is empty). */
static retain_status gpu_relocate(struct rt_cuda_kmeans *gpu, const rt_kmeans_data *x,
                                  const rt_kmeans_centers *c, int32_t **labels, double *acc,
                                  int64_t *moved)
{
    int64_t k = c->k, kd = k * c->d;
    bool empty = false;
    for (int64_t l = 0; l < k; l++)
        empty |= acc[kd + l] == 0;
    *moved = 0;
    if (!empty)
        return RETAIN_OK;
    retain_status s = *labels ? RETAIN_OK
                              : retain_malloc((size_t)x->n * sizeof **labels, (void **)labels);
#ifdef RETAIN_WITH_CUDA
    if (!s)
        s = rt_cuda_kmeans_labels(gpu, *labels, NULL);
#endif
    /* under MPI every rank relocates together (acc is every rank's) */
    s = rt_dist_agree(s);
    return s ? s : rt_kmeans_relocate_empty(x, *labels, c, acc, acc + kd, moved);
}

retain_status rt_kmeans_lloyd(const rt_kmeans_data *x, int64_t k, int64_t max_iter,
                              double tol, bool hamerly, struct rt_cuda_kmeans *gpu,
                              float *centers,
                              retain_progress_fn progress, void *user,
                              rt_kmeans_result *out)
{
    int64_t d = x->d, kd = k * d;
    hamerly = hamerly && !gpu;
    int32_t *gpu_labels = NULL;
    rt_kmeans_centers c;
    rt_kmeans_bounds hb = {0};
    pass p = {x, &c, k, NULL, NULL, hamerly ? &hb : NULL};
    int nscratch = 0;
    double *acc = NULL;
    float *next = NULL;
    retain_status s = rt_kmeans_centers_alloc(k, d, &c);
    if (s)
        return rt_dist_agree(s);
    int64_t assign_bytes = hamerly ? rt_kmeans_bounds_scratch_bytes(d)
                                   : rt_kmeans_assign_scratch_bytes(&c);
    int64_t scratch = RT_BLOCK_ROWS * (int64_t)sizeof(int32_t) + assign_bytes;
    if (hamerly && !(s = rt_kmeans_bounds_alloc(x->n, k, &hb)) &&
        !(s = rt_mem_check_claim(x->n * (int64_t)sizeof *p.labels, "Hamerly's labels (one "
                                 "int32 per row)", "use --algorithm lloyd or fewer rows")))
        s = retain_malloc((size_t)x->n * sizeof *p.labels, (void **)&p.labels);
    if (!s && !(s = rt_thread_scratch_alloc(scratch, &p.scratch, &nscratch)) &&
        !(s = retain_malloc((size_t)(kd + 2 * k + 1) * sizeof *acc, (void **)&acc)))
        s = retain_malloc((size_t)kd * sizeof *next, (void **)&next);
    if ((s = rt_dist_agree(s))) /* under MPI: a rank without room stops all */
        goto done;
    out->converged = false;
    out->n_iter = 0;
    for (int64_t it = 0; it < max_iter; it++) {
        rt_kmeans_centers_set(&c, centers);
        if (hamerly)
            rt_kmeans_bounds_centres(&hb, &c);
        s = gpu ? rt_dist_reduce_rows(gpu_pass(gpu, centers, acc, acc + kd, NULL), x->n,
                                      kd + k, NULL, NULL, acc)
                : rt_dist_reduce_rows(RETAIN_OK, x->n, kd + k, step_block, &p, acc);
        if (s)
            break;
        hb.ready = hamerly;
        hb.pending = false;
        int64_t moved;
        if ((s = gpu ? gpu_relocate(gpu, x, &c, &gpu_labels, acc, &moved)
                     : rt_kmeans_relocate_empty(x, p.labels, &c, acc, acc + kd, &moved)))
            break;
        double shift = rt_kmeans_average(acc, acc + kd, k, d, centers, next);
        if (hamerly)
            rt_kmeans_bounds_move(&hb, centers, next, k, d);
        memcpy(centers, next, (size_t)kd * sizeof *centers);
        out->n_iter = it + 1;
        if (progress)
            progress(user, "lloyd", it + 1, max_iter);
        /* the first iteration's labels have no predecessor to equal */
        if (it > 0 && shift == 0) {
            out->converged = true;
            break;
        }
        if (shift <= tol) {
            out->converged = true;
            break;
        }
    }
    if (!s) {
        rt_kmeans_centers_set(&c, centers);
        if (hamerly)
            rt_kmeans_bounds_centres(&hb, &c);
        s = gpu ? rt_dist_reduce_rows(gpu_pass(gpu, centers, NULL, NULL, acc), x->n,
                                      1 + 2 * k, NULL, NULL, acc)
                : rt_dist_reduce_rows(RETAIN_OK, x->n, 1 + 2 * k, final_block, &p, acc);
    }
    if (!s) {
        out->inertia = acc[0];
        for (int64_t l = 0; l < k; l++) {
            out->counts[l] = (int64_t)acc[1 + l];
            out->weights[l] = acc[1 + k + l];
        }
    }
done:
    rt_kmeans_centers_free(&c);
    rt_kmeans_bounds_free(&hb);
    rt_thread_scratch_free(p.scratch, nscratch);
    retain_free(p.labels);
    retain_free(gpu_labels);
    retain_free(acc);
    retain_free(next);
    return s;
}
