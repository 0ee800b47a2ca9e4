/*
** src/kmeans/kmeans.h: what the files of the k-means module share: the
** model's layout (also read by src/io/kmeans_model.c), the data a run works
** on, and one entry per file: distinct.c, assign.c, init.c,
** update.c, lloyd.c, minibatch.c, model.c. The public surface is in include/retain.h;
** the manual opens kmeans.c.
*/
#ifndef RT_KMEANS_H
#define RT_KMEANS_H

#include "retain.h"

#include "core/rng.h"
#include "prep/scale.h"

#include <stdbool.h>
#include <stdint.h>

struct retain_kmeans_model {
    int64_t k, d;
    retain_kmeans_params params; /* as given; pointers cleared            */
    int64_t n_init;              /* runs made                             */
    double *offset, *spread;     /* d each: scaled = (x - offset) / spread */
    float *centroids;            /* k x d, input units                    */
    float *centroids_scaled;     /* k x d                                 */
    int64_t *sizes;              /* k: training rows per segment          */
    int64_t train_rows;
    double tol_scale;         /* mean column variance of the scaled data:
                                 the absolute tolerance is tol * this    */
    double inertia;
    int64_t n_iter;
    bool converged;
    int64_t iterations_total; /* over every run                          */
    double lloyd_seconds;     /* wall time in Lloyd iterations, all runs */
    double init_seconds;      /* wall time choosing initial centres, all runs */
    retain_kmeans_algorithm algorithm; /* LLOYD, HAMERLY or MINIBATCH     */
    int64_t n_steps;          /* MINIBATCH: batches processed             */
};

/* The (scaled) data a run works on. */
typedef struct rt_kmeans_data {
    const float *z;   /* n x d, row stride `stride`   */
    int64_t n, d, stride;
    const float *w;   /* n weights, or NULL for all 1 */
} rt_kmeans_data;

/* ---- the scaler (prep/scale.c) ---------------------------------------------- */

/* Mean over columns of the unweighted column variances of the data
** (scikit-learn's _tolerance), behind the relative tolerance. */
retain_status rt_kmeans_mean_variance(const rt_kmeans_data *x, double *out);

/* ---- distinct.c ------------------------------------------------------------ */

/* Distinct rows of positive weight, counting stops at `limit`. */
retain_status rt_kmeans_count_distinct(const rt_kmeans_data *x, int64_t limit,
                                       int64_t *out);

/* ---- assign.c: nearest centroid ----------------------------------------- */

typedef struct rt_kmeans_centers {
    int64_t k, d, kp;
    float *c;      /* k x d                                     */
    float *packed; /* groups of rt_centroids_pack (kernels.h)    */
    float *cnorm;  /* kp squared norms, +Inf padded              */
} rt_kmeans_centers;

retain_status rt_kmeans_centers_alloc(int64_t k, int64_t d, rt_kmeans_centers *out);
/* Copies k x d centres in and derives the layout the path needs. */
void rt_kmeans_centers_set(rt_kmeans_centers *c, const float *centers);
void rt_kmeans_centers_free(rt_kmeans_centers *c);
/* Bytes of per-thread scratch rt_kmeans_assign_rows needs. */
int64_t rt_kmeans_assign_scratch_bytes(const rt_kmeans_centers *c);
/* Labels of up to RT_BLOCK_ROWS rows and, unless dist is NULL, their
** squared distances (direct, float32, j order, as rt_kmeans_sqdist). */
void rt_kmeans_assign_rows(const rt_kmeans_centers *c, const float *x, int64_t rows,
                           int64_t stride, int32_t *label, float *dist, void *scratch);
/* Squared distance of one row to one centre, as the kernels sum it. */
float rt_kmeans_sqdist(const float *a, const float *b, int64_t d);

/* ---- hamerly.c: bounds that skip rows whose label cannot change --------- */

typedef struct rt_kmeans_bounds {
    float *upper;     /* n: >= distance to the row's centroid            */
    float *lower;     /* n: <= distance to every other centroid          */
    double *half_gap; /* k: half the distance to the nearest other       */
    double *moved;    /* k: how far each centroid moved in the last step */
    double most, runner_up; /* the two largest moves                     */
    int64_t most_at;  /* the centroid that moved most                    */
    bool pending;     /* moves not yet applied to the rows' bounds       */
    double slack;     /* relative rounding error of the kernel's scores  */
    float cn_max;     /* largest squared centroid norm                   */
    bool ready;       /* every row's bounds set by a full pass           */
} rt_kmeans_bounds;

retain_status rt_kmeans_bounds_alloc(int64_t n, int64_t k, rt_kmeans_bounds *b);
void rt_kmeans_bounds_free(rt_kmeans_bounds *b);
/* Per-thread scratch rt_kmeans_hamerly_rows needs for d columns. */
int64_t rt_kmeans_bounds_scratch_bytes(int64_t d);
/* Half gaps and slack for the centres just set in c. */
void rt_kmeans_bounds_centres(rt_kmeans_bounds *b, const rt_kmeans_centers *c);
/* Labels of rows [first, first + rows) into labels (in place), skipping
** rows the bounds prove unchanged (none before b->ready); applies pending
** moves to the rows' bounds first. Every row goes through it once between
** two moves. */
void rt_kmeans_hamerly_rows(const rt_kmeans_centers *c, rt_kmeans_bounds *b,
                            const rt_kmeans_data *x, int64_t first, int64_t rows,
                            int32_t *labels, void *scratch);
/* Records how far the centres moved (old -> now); rows' bounds widen by it
** in the next rt_kmeans_hamerly_rows. */
void rt_kmeans_bounds_move(rt_kmeans_bounds *b, const float *old, const float *now,
                           int64_t k, int64_t d);

/* ---- init.c ---------------------------------------------------------------- */

struct rt_cuda_kmeans; /* kernels/cuda/kmeans.cuh */

/* Greedy k-means++ (scikit-learn's _kmeans_plusplus): centres, k x d. With
** gpu (x's rows on a GPU, one process) the passes over the rows run there;
** the centres are the same bits either way. */
retain_status rt_kmeans_init_plusplus(const rt_kmeans_data *x, int64_t k,
                                      struct rt_cuda_kmeans *gpu, rt_rng *rng,
                                      retain_progress_fn progress, void *user,
                                      float *centers);
/* k distinct rows drawn uniformly. */
retain_status rt_kmeans_init_random(const rt_kmeans_data *x, int64_t k, rt_rng *rng,
                                    float *centers);

/* ---- update.c -------------------------------------------------------------- */

/* sums[l * d + j] += w_i z_ij and wsum[l] += w_i over a block's rows. */
void rt_kmeans_accumulate(const rt_kmeans_data *x, int64_t first, int64_t rows,
                          const int32_t *label, int64_t k, double *sums, double *wsum);
/* The m rows farthest from their centres seen so far, farthest first: row,
** squared distance, label. Rows are offered in order, so equal distances
** never pass and ties stay with the lower row. */
typedef struct rt_kmeans_farthest {
    int64_t m, found;
    int64_t *row;
    float *dist;
    int32_t *label;
} rt_kmeans_farthest;

void rt_kmeans_farthest_offer(rt_kmeans_farthest *f, int64_t row, float dist, int32_t label);

/* Empty clusters (wsum 0) each take one of the rows farthest from their
** assigned centre in c (the centres the sums were assigned with), as
** scikit-learn relocates them; *moved counts. labels: every row's, or NULL
** to assign the rows again (only when a cluster is empty). */
retain_status rt_kmeans_relocate_empty(const rt_kmeans_data *x, const int32_t *labels,
                                       const rt_kmeans_centers *c, double *sums,
                                       double *wsum, int64_t *moved);
/* centers = sums / wsum (left as the sums where wsum is 0); returns the
** summed squared shift from old. */
double rt_kmeans_average(const double *sums, const double *wsum, int64_t k, int64_t d,
                         const float *old, float *centers);
/* The final tally of a block whose labels are known: partial[0] += the
** weighted squared distances (direct differences, float64), partial[1 + l]
** += rows of cluster l and partial[1 + k + l] += their weight. */
void rt_kmeans_tally(const rt_kmeans_data *x, int64_t first, int64_t rows,
                     const int32_t *label, const float *centers, int64_t k, double *partial);

/* ---- lloyd.c --------------------------------------------------------------- */

typedef struct rt_kmeans_result {
    double inertia;
    int64_t n_iter;
    bool converged;
    int64_t *counts;  /* k: rows per cluster after the final assignment */
    double *weights;  /* k: their summed weight                          */
} rt_kmeans_result;

/* Lloyd iterations from `centers` (k x d, updated in place) as
** scikit-learn's _kmeans_single_lloyd runs them. With hamerly, rows are
** assigned through Hamerly's bounds (hamerly.c). With gpu (the same rows
** on the device, kernels/cuda/kmeans.cuh) each pass runs there and hamerly
** is ignored; NULL: the CPU. */
retain_status rt_kmeans_lloyd(const rt_kmeans_data *x, int64_t k, int64_t max_iter,
                              double tol, bool hamerly, struct rt_cuda_kmeans *gpu,
                              float *centers,
                              retain_progress_fn progress, void *user,
                              rt_kmeans_result *out);

/* ---- minibatch.c ---------------------------------------------------------- */

/* retain_kmeans_fit_source's work on a model m allocated for src (params
** checked, m->params, m->n_init and m->algorithm set); fills the scaler,
** scaled centroids, sizes and weights (k, for the canonical order). */
retain_status rt_kmeans_minibatch(const retain_row_source *src, const retain_kmeans_params *p,
                                  retain_kmeans_model *m, double *weights);

/* ---- kmeans.c ------------------------------------------------------------- */

/* k * d from which AUTO runs Hamerly's bounds. Below it the brute-force
** kernel costs less per row than the bounds' bookkeeping. Measured on the
** AVX-512 development machine, Lloyd seconds to converge (tol 1e-6), lloyd
** / hamerly: n 1M d 8 k 8: 0.036 / 0.13; n 1M d 32 k 64: 1.47 / 1.21;
** n 500k d 64 k 256: 1.81 / 1.18. */
#define RT_KMEANS_HAMERLY_MIN_KD 1024
/* LLOYD or HAMERLY for what was asked (AUTO decides by k and d). */
retain_kmeans_algorithm rt_kmeans_choose_algorithm(retain_kmeans_algorithm asked, int64_t k,
                                                   int64_t d);

/* RETAIN_ERR_USAGE for a view with no data, no rows or columns or a stride
** below cols; RETAIN_ERR_DATA naming the first NaN/Inf by row and column.
** `who` starts the message ("retain_kmeans_fit"). */
retain_status rt_kmeans_check_matrix(const retain_matrix *x, const char *who);

/* ---- model.c --------------------------------------------------------------- */

/* An empty model of k x d (arrays zeroed), for fit and for the loader. */
retain_status rt_kmeans_model_alloc(int64_t k, int64_t d, retain_kmeans_model **out);
/* Renumbers segments by weight (largest first, ties by lower index):
** permutes centroids_scaled and sizes; `weights` (k) is permuted too. */
retain_status rt_kmeans_model_canonical(retain_kmeans_model *m, double *weights);
/* centroids = centroids_scaled * spread + offset. */
void rt_kmeans_model_unscale(retain_kmeans_model *m);
/* "k-means++", "random", "given"; "standard", "minmax", "none". */
const char *rt_kmeans_init_name(retain_kmeans_init init);
const char *rt_kmeans_scale_name(retain_scale scale);
/* "auto", "lloyd", "hamerly". */
const char *rt_kmeans_algorithm_name(retain_kmeans_algorithm algorithm);

#endif
