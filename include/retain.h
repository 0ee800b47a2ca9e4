/*
** include/retain.h: the one public header of libretain, the customer-retention
** analytics engine. It reads in one sitting, grouped per object:
**
**   version and build facts     retain_version(), retain_build_info()
**   status codes and errors     retain_status, retain_last_error()
**   logging                     retain_log_set_callback()
**   threads and instruction set retain_threads_set(), retain_isa_name()
**   memory                      retain_malloc(), retain_free()
**   matrices                    retain_matrix (a view), retain_matrix_owned
**   k-means segmentation        retain_kmeans_params, retain_kmeans_fit(),
**                               retain_kmeans_predict(), retain_kmeans_evaluate(),
**                               accessors
**   logistic regression (churn) retain_logreg_params, retain_logreg_fit(),
**                               retain_logreg_predict(), retain_logreg_evaluate(),
**                               retain_logreg_cv(), accessors
**   association rules           retain_baskets, retain_rules_params,
**                               retain_rules_mine(), accessors
**   lifetime value              retain_clv_summary, retain_clv_params,
**                               retain_clv_fit(), retain_clv_predict(),
**                               retain_clv_predict_spend(), accessors
**
** Conventions (see DESIGN.md): every call that can fail returns a
** retain_status, 0 on success; the message for the last failure on the
** calling thread is at retain_last_error(). The library never prints and
** never exits. Sizes are int64_t. Results come back through trailing out_
** parameters.
**
** A worked example, reading nothing and computing nothing yet:
**
**     float *buf;
**     if (retain_malloc((size_t)rows * cols * sizeof *buf, (void **)&buf))
**         fprintf(stderr, "%s\n", retain_last_error());
**     retain_matrix m = { buf, rows, cols, cols };
*/
#ifndef RETAIN_H
#define RETAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RETAIN_API __declspec(dllexport)
#else
#define RETAIN_API __attribute__((visibility("default")))
#endif

/* ---- version and build facts ------------------------------------------ */

#define RETAIN_VERSION_MAJOR 0
#define RETAIN_VERSION_MINOR 1
#define RETAIN_VERSION_PATCH 0
#define RETAIN_VERSION_STRING "0.1.0"

/* "0.1.0" */
RETAIN_API const char *retain_version(void);

/* One line: version, instruction set in use, OpenMP threads, CUDA, HDF5. */
RETAIN_API const char *retain_build_info(void);

/* ---- status codes and errors ------------------------------------------ */

/* The values double as the command line's exit codes (DESIGN.md). */
typedef enum retain_status {
    RETAIN_OK = 0,
    RETAIN_ERR_USAGE = 1,    /* a bad argument or option value            */
    RETAIN_ERR_DATA = 2,     /* bad input data: shape, type, NaN, format  */
    RETAIN_ERR_IO = 3,       /* file missing, unreadable, disk full       */
    RETAIN_ERR_DEVICE = 4,   /* no usable GPU or a device failure         */
    RETAIN_ERR_INTERNAL = 5, /* out of memory or a bug                    */
} retain_status;

/* Message of the last failure on the calling thread ("" if none). The
** buffer belongs to the thread and stays valid until its next failure. */
RETAIN_API const char *retain_last_error(void);

/* Short name of a status: "ok", "usage", "data", "io", "device", "internal". */
RETAIN_API const char *retain_status_name(retain_status status);

/* ---- logging ------------------------------------------------------------ */

typedef enum retain_log_level {
    RETAIN_LOG_DEBUG = 0,
    RETAIN_LOG_INFO = 1,
    RETAIN_LOG_WARN = 2,
} retain_log_level;

/* Receives every message the library emits; NULL (the default) drops them.
** The callback may be called from any thread, one message at a time. */
typedef void (*retain_log_fn)(retain_log_level level, const char *message,
                              void *user);
RETAIN_API void retain_log_set_callback(retain_log_fn fn, void *user);

/* ---- threads and instruction set ----------------------------------------- */

/* Threads used by parallel loops; 0 restores the default (all cores).
** Results never depend on this number. */
RETAIN_API retain_status retain_threads_set(int threads);
RETAIN_API int retain_threads_get(void);

/* The kernel variant chosen at startup: "scalar", "avx2" or "avx512". It is
** the best the CPU supports, capped by the environment variable RETAIN_ISA. */
RETAIN_API const char *retain_isa_name(void);

/* ---- compute device ------------------------------------------------------ */

/* Where a fit or prediction runs. CPU (the default): the SIMD/OpenMP
** kernels. CUDA: the first CUDA device; RETAIN_ERR_DEVICE with CUDA's own
** message when the build has no CUDA or no usable GPU is present. AUTO: the
** GPU when one is usable, else the CPU. A GPU result matches the CPU's to
** round-off (k-means: inertia within 1e-4 relative; logistic regression:
** objective within 1e-6), and the same run twice gives the same bits. */
typedef enum retain_device {
    RETAIN_DEVICE_CPU = 0,
    RETAIN_DEVICE_CUDA = 1,
    RETAIN_DEVICE_AUTO = 2,
} retain_device;

/* CPU or CUDA for what was asked into *out; with AUTO, why the CPU was
** chosen goes to why (cap bytes, "" when the GPU was). RETAIN_ERR_DEVICE
** for CUDA without a usable GPU. */
RETAIN_API retain_status retain_device_resolve(retain_device asked, retain_device *out,
                                               char *why, size_t cap);
/* "cpu", "cuda", "auto". */
RETAIN_API const char *retain_device_name(retain_device device);

/* ---- memory -------------------------------------------------------------- */

/* 64-byte aligned allocation; *out is NULL on failure. Sizes of zero give a
** valid pointer. Release with retain_free(). */
RETAIN_API retain_status retain_malloc(size_t bytes, void **out);
RETAIN_API retain_status retain_calloc(size_t count, size_t size, void **out);
RETAIN_API void retain_free(void *ptr);

/* ---- matrices ------------------------------------------------------------ */

/* A read-only view of a row-major float32 matrix: element (i, j) is at
** data[i * row_stride + j]. The view never owns its memory. */
typedef struct retain_matrix {
    const float *data;
    int64_t rows;
    int64_t cols;
    int64_t row_stride; /* >= cols */
} retain_matrix;

/* A matrix that owns 64-byte aligned storage, rows * cols contiguous. */
typedef struct retain_matrix_owned {
    float *data;
    int64_t rows;
    int64_t cols;
} retain_matrix_owned;

/* Allocates rows x cols (zeroed). Refuses, before allocating, a size that
** overflows or exceeds the machine's memory. */
RETAIN_API retain_status retain_matrix_alloc(int64_t rows, int64_t cols,
                                             retain_matrix_owned *out);
RETAIN_API void retain_matrix_release(retain_matrix_owned *m);
/* The view of an owned matrix. */
RETAIN_API retain_matrix retain_matrix_view(const retain_matrix_owned *m);
/* Rows [first, first + count) of a view; count is clipped to the end. */
RETAIN_API retain_matrix retain_matrix_rows(retain_matrix m, int64_t first,
                                            int64_t count);

/* ---- k-means segmentation ------------------------------------------------ */

/* Lloyd's algorithm on scaled features, seeded by greedy k-means++ as
** scikit-learn does it; the manual is at the top of src/kmeans/kmeans.c.
**
**     retain_kmeans_params p;
**     retain_kmeans_params_init(&p);
**     p.k = 6;
**     retain_kmeans_model *m;
**     if (retain_kmeans_fit(&x, NULL, &p, &m) == RETAIN_OK) {
**         retain_kmeans_predict(m, &x, labels, NULL);
**         retain_kmeans_free(m);
**     }
*/

typedef enum retain_kmeans_init {
    RETAIN_KMEANS_INIT_PLUSPLUS = 0, /* greedy k-means++ (the default)       */
    RETAIN_KMEANS_INIT_RANDOM = 1,   /* k distinct rows drawn uniformly      */
    RETAIN_KMEANS_INIT_GIVEN = 2,    /* params.init_centroids                */
} retain_kmeans_init;

typedef enum retain_scale {
    RETAIN_SCALE_STANDARD = 0, /* (x - mean) / std; constant columns / 1     */
    RETAIN_SCALE_MINMAX = 1,   /* (x - min) / (max - min); constant: / 1     */
    RETAIN_SCALE_NONE = 2,
} retain_scale;

/* Progress: `done` of `total` units of the named phase ("init", "lloyd"). */
typedef void (*retain_progress_fn)(void *user, const char *phase, int64_t done,
                                   int64_t total);

/* How the centroids are found. LLOYD: full passes over the rows in memory.
** HAMERLY: the same iterations, keeping two bounds per row (8 bytes) to skip
** rows the bounds prove unchanged; same answers as LLOYD up to round-off
** ties. AUTO: HAMERLY when k * cols >= 1024, where it pays for its
** bookkeeping, else LLOYD. MINIBATCH: scikit-learn's MiniBatchKMeans
** (Sculley, "Web-scale k-means clustering", WWW 2010): each step moves the
** centroids towards one batch of rows; the rows can stream from a file
** (retain_kmeans_fit_source), so the data never needs to fit in memory.
** An approximation: a higher inertia than LLOYD for much less work. */
typedef enum retain_kmeans_algorithm {
    RETAIN_KMEANS_AUTO = 0,
    RETAIN_KMEANS_LLOYD = 1,
    RETAIN_KMEANS_HAMERLY = 2,
    RETAIN_KMEANS_MINIBATCH = 3
} retain_kmeans_algorithm;

typedef struct retain_kmeans_params {
    int64_t k;                   /* segments, >= 1 (default 8)               */
    retain_kmeans_init init;     /* default RETAIN_KMEANS_INIT_PLUSPLUS      */
    const float *init_centroids; /* k x cols, row-major, in the units of the
                                    input (scaled by the fitted scaler);
                                    read only with RETAIN_KMEANS_INIT_GIVEN  */
    int64_t n_init;              /* runs from different seeds, lowest inertia
                                    kept; 0 (default): 1, or 10 for RANDOM,
                                    3 for MINIBATCH (each seeding scored on
                                    a sample); GIVEN always runs once        */
    int64_t max_iter;            /* Lloyd iterations per run (default 300);
                                    0 only initialises. MINIBATCH: passes
                                    over the data (MiniBatchKMeans uses 100) */
    double tol;                  /* stop when the summed squared centre shift
                                    is <= tol * mean column variance of the
                                    scaled data (default 1e-4). MINIBATCH:
                                    the shift of one step (MiniBatchKMeans
                                    uses 0: stop on max_no_improvement)     */
    retain_scale scale;          /* default RETAIN_SCALE_STANDARD            */
    uint64_t seed;               /* default 0                                */
    retain_kmeans_algorithm algorithm; /* default RETAIN_KMEANS_AUTO        */
    int64_t batch_size;          /* MINIBATCH: rows per step (default 1024)  */
    int64_t max_no_improvement;  /* MINIBATCH: stop after this many steps
                                    without a lower smoothed batch inertia
                                    (default 10; 0: never)                  */
    retain_device device;        /* LLOYD and HAMERLY runs (HAMERLY runs as
                                    LLOYD on a GPU); MINIBATCH runs on the
                                    CPU. Default RETAIN_DEVICE_CPU          */
    retain_progress_fn progress; /* NULL: none                               */
    void *progress_user;
} retain_kmeans_params;

typedef struct retain_kmeans_model retain_kmeans_model;

/* Sets every field to its default. */
RETAIN_API void retain_kmeans_params_init(retain_kmeans_params *p);

/* RETAIN_OK, or RETAIN_ERR_USAGE with a message naming the bad field. */
RETAIN_API retain_status retain_kmeans_params_check(const retain_kmeans_params *p);

/* Fits a model to the rows of x. sample_weight: NULL, or x->rows finite
** weights >= 0 with a positive sum (a weight of 2 counts a row twice).
** The same x, weights and params give the same bits for any thread count
** and instruction set. RETAIN_ERR_DATA when x holds NaN/Inf or fewer than
** k distinct rows (of positive weight). Memory beyond x: one float32 copy
** of x when scaling, 12 bytes per row with HAMERLY, and
** O(threads * (4096 + k) * cols). */
RETAIN_API retain_status retain_kmeans_fit(const retain_matrix *x,
                                           const float *sample_weight,
                                           const retain_kmeans_params *params,
                                           retain_kmeans_model **out);

/* Rows that come from somewhere other than memory, read in ranges: a file
** larger than memory. read() fills rows [first, first + count) into x
** (count x cols, row-major) and, when weights is not NULL, their sample
** weights (all 1 if the source has none); it returns RETAIN_OK, or an error
** status with the message set through the caller's own reporting. */
typedef struct retain_row_source {
    int64_t rows, cols;
    bool weighted; /* the source has sample weights */
    retain_status (*read)(void *user, int64_t first, int64_t count, float *x,
                          float *weights);
    void *user;
} retain_row_source;

/* retain_kmeans_fit for params->algorithm RETAIN_KMEANS_MINIBATCH over
** rows read from src, never all at once: one pass fits the scaler and
** draws the seeding sample, each of max_iter epochs reads the rows once in
** a seeded order of ~1 MiB segments, and a last pass labels every row for
** the sizes and inertia. Memory: about 16 MiB of rows plus the seeding
** sample, (n_init + 1) * 3 * batch_size rows. Same source and params: the
** same model as retain_kmeans_fit on the same rows in memory. A segment
** left with no rows takes the row farthest from its centroid, so the model
** always has k segments with rows; RETAIN_ERR_DATA if the rows have fewer
** than k distinct values. Other algorithms: RETAIN_ERR_USAGE. */
RETAIN_API retain_status retain_kmeans_fit_source(const retain_row_source *src,
                                                  const retain_kmeans_params *params,
                                                  retain_kmeans_model **out);

/* Nearest segment of each row of x (same columns as the training data, in
** the original units) into labels[0..rows); distances, if not NULL, gets the
** Euclidean distance to that segment's centroid in scaled units. */
RETAIN_API retain_status retain_kmeans_predict(const retain_kmeans_model *model,
                                               const retain_matrix *x,
                                               int32_t *labels, float *distances);

/* Where retain_kmeans_predict runs from now on (a fitted model keeps its
** params' device; a loaded one starts on the CPU). */
RETAIN_API void retain_kmeans_model_set_device(retain_kmeans_model *model,
                                               retain_device device);

/* Segments are numbered by size, largest first (ties: lower original
** index first). Centroids are k x d, row-major, in the input's units. */
RETAIN_API int64_t retain_kmeans_model_k(const retain_kmeans_model *model);
RETAIN_API int64_t retain_kmeans_model_d(const retain_kmeans_model *model);
RETAIN_API const float *retain_kmeans_model_centroids(const retain_kmeans_model *model);
/* Training rows per segment (k of them). */
RETAIN_API const int64_t *retain_kmeans_model_sizes(const retain_kmeans_model *model);
/* Sum over training rows of weight * squared distance to the assigned
** centroid, in scaled units, computed directly in float64. */
RETAIN_API double retain_kmeans_model_inertia(const retain_kmeans_model *model);
/* Lloyd iterations of the kept run, and whether it met tol (or stopped
** changing labels) before max_iter. */
RETAIN_API int64_t retain_kmeans_model_n_iter(const retain_kmeans_model *model);
RETAIN_API int retain_kmeans_model_converged(const retain_kmeans_model *model);
/* LLOYD or HAMERLY: what AUTO chose, or what was asked for. */
RETAIN_API retain_kmeans_algorithm retain_kmeans_model_algorithm(const retain_kmeans_model *model);

/* Clustering quality of a model on rows x (the model's columns, input
** units): x is scaled with the model's scaler and assigned by
** retain_kmeans_predict, and the metrics are those of sklearn.metrics on
** the scaled rows and those labels, Euclidean, unweighted, in float64:
**   silhouette         mean silhouette coefficient, -1..1, higher is better;
**                      rows of a singleton cluster count 0
**   calinski_harabasz  between- over within-cluster dispersion, higher is
**                      better; 1 when every cluster's rows coincide
**   davies_bouldin     mean over clusters a of the largest (s_a + s_b) / d_ab
**                      (s: mean distance of a cluster's rows to their mean;
**                      d: distance between means), >= 0, lower is better
** Only clusters that receive rows count. A metric is NaN where scikit-learn
** raises: fewer than 2 clusters, or as many clusters as rows (for the
** silhouette: among the rows it used). So k = 1 gives NaN, not an error.
** silhouette_sample 0 computes the silhouette exactly on every row
** (O(rows^2 * cols) time); N > 0 uses min(N, rows) rows drawn uniformly
** without replacement from `seed`. Same x, sample and seed: the same bits
** for any thread count. RETAIN_ERR_USAGE for NULL arguments, a negative
** sample or other columns; RETAIN_ERR_DATA for NaN/Inf in x. Memory beyond
** x: O(k * cols + silhouette rows), plus 1 MiB of labels (262144 rows at a
** time). */
typedef struct retain_kmeans_metrics {
    double silhouette;
    double calinski_harabasz;
    double davies_bouldin;
    int64_t silhouette_rows; /* rows the silhouette used: all, or the sample */
} retain_kmeans_metrics;

RETAIN_API retain_status retain_kmeans_evaluate(const retain_kmeans_model *model,
                                                const retain_matrix *x,
                                                int64_t silhouette_sample, uint64_t seed,
                                                retain_kmeans_metrics *out);

RETAIN_API void retain_kmeans_free(retain_kmeans_model *model);

/* ---- logistic regression (churn) ------------------------------------------ */

/* Binary logistic regression with an unpenalised intercept on scaled
** features, as scikit-learn's LogisticRegression: it minimises
**   C * sum_i c_i log(1 + exp(-s_i (b + w.z_i))) + penalty(w)
** (s_i = +-1 from y_i 1/0, c_i = sample weight x class weight, z_i the scaled
** row) with penalty 0.5 ||w||^2 (L2), ||w||_1 (L1), r ||w||_1 +
** 0.5 (1 - r) ||w||^2 (elastic net, r = l1_ratio) or none. L-BFGS for
** smooth penalties, OWL-QN for those with an L1 part; the manual opens
** src/logreg/logreg.c.
**
**     retain_logreg_params p;
**     retain_logreg_params_init(&p);
**     retain_logreg_model *m;
**     if (retain_logreg_fit(&x, y, NULL, &p, &m) == RETAIN_OK) {
**         retain_logreg_predict(m, &x, prob);
**         retain_logreg_free(m);
**     }
*/

typedef enum retain_logreg_penalty {
    RETAIN_LOGREG_L2 = 0, /* the default */
    RETAIN_LOGREG_L1 = 1,
    RETAIN_LOGREG_ELASTICNET = 2,
    RETAIN_LOGREG_NONE = 3,
} retain_logreg_penalty;

typedef struct retain_logreg_params {
    retain_logreg_penalty penalty; /* default RETAIN_LOGREG_L2                  */
    double C;                /* inverse regularisation strength > 0 (1)       */
    double l1_ratio;         /* elastic net mixing in [0, 1] (0.5)            */
    double tol;              /* stop when the largest (pseudo-)gradient entry
                                of the objective is <= tol (1e-4)             */
    int64_t max_iter;        /* solver iterations (100)                       */
    int64_t memory;          /* L-BFGS correction pairs (10)                  */
    retain_scale scale;      /* STANDARD (default) or NONE; MINMAX refused    */
    int class_weight_balanced; /* nonzero: c = n / (2 n_class), as sklearn's
                                  "balanced" (times the sample weights)      */
    double class_weight[2];  /* weights of classes 0 and 1 ({1, 1}); used
                                when not balanced                             */
    retain_device device;    /* where the loss and gradient pass runs (CPU);
                                the solver's bookkeeping stays on the CPU     */
    retain_progress_fn progress; /* phase "solver": iteration of max_iter     */
    void *progress_user;
} retain_logreg_params;

typedef struct retain_logreg_model retain_logreg_model;

/* Sets every field to its default. */
RETAIN_API void retain_logreg_params_init(retain_logreg_params *p);

/* RETAIN_OK, or RETAIN_ERR_USAGE with a message naming the bad field. */
RETAIN_API retain_status retain_logreg_params_check(const retain_logreg_params *p);

/* Fits the model to rows x and labels y (x->rows values, each 0 or 1).
** sample_weight: NULL or x->rows finite weights >= 0. RETAIN_ERR_DATA for
** labels other than 0/1 (the message lists the values found), one class
** only, NaN/Inf in x (row and column named) or bad weights. Perfectly
** separable data without a penalty has no finite optimum: the fit stops at
** max_iter with finite coefficients and retain_logreg_model_warnings()
** says so. Same data and params: the same bits for any thread count.
** Memory beyond x: one byte and one double per row, d + 2 doubles per 4096
** rows, 32 KiB per thread and 2 (memory + 4) vectors of d + 1 doubles. */
RETAIN_API retain_status retain_logreg_fit(const retain_matrix *x, const double *y,
                                           const float *sample_weight,
                                           const retain_logreg_params *params,
                                           retain_logreg_model **out);

/* P(y = 1) of each row of x (the model's columns, input units) into
** prob[0..rows), float64. */
RETAIN_API retain_status retain_logreg_predict(const retain_logreg_model *model,
                                               const retain_matrix *x, double *prob);

RETAIN_API int64_t retain_logreg_model_d(const retain_logreg_model *model);
/* Coefficients (d) and intercept on the scaled features the model fitted. */
RETAIN_API const double *retain_logreg_model_coef(const retain_logreg_model *model);
RETAIN_API double retain_logreg_model_intercept(const retain_logreg_model *model);
/* The same model on the input's units: coef_j / scale_j and
** intercept - sum_j coef_j mean_j / scale_j. */
RETAIN_API const double *retain_logreg_model_coef_original(const retain_logreg_model *model);
RETAIN_API double retain_logreg_model_intercept_original(const retain_logreg_model *model);
/* The objective above at the solution, in scikit-learn's convention. */
RETAIN_API double retain_logreg_model_objective(const retain_logreg_model *model);
RETAIN_API int64_t retain_logreg_model_n_iter(const retain_logreg_model *model);
RETAIN_API int retain_logreg_model_converged(const retain_logreg_model *model);

/* Warnings of a fit, as bits. */
#define RETAIN_LOGREG_WARN_MAX_ITER 1u  /* stopped at max_iter before tol        */
#define RETAIN_LOGREG_WARN_SEPARABLE 2u /* the classes are perfectly separated
                                           and nothing penalises the coefficients:
                                           they grow with the iterations        */
#define RETAIN_LOGREG_WARN_STALLED 4u   /* the line search found no decrease
                                           before tol (round-off floor)          */
RETAIN_API unsigned retain_logreg_model_warnings(const retain_logreg_model *model);

RETAIN_API void retain_logreg_free(retain_logreg_model *model);

/* What a churn team reads off scored rows, as sklearn.metrics computes it
** (unweighted, float64):
**   roc_auc      area under the ROC curve, ties counted half (roc_auc_score)
**   pr_auc       average precision (average_precision_score)
**   log_loss     mean -[y log p + (1 - y) log(1 - p)], p clipped to
**                [eps, 1 - eps], eps = DBL_EPSILON (sklearn's "auto")
**   brier        mean (p - y)^2 (brier_score_loss)
**   precision, recall, f1 at `threshold` (a row is predicted 1 when
**                p >= threshold; 0 where undefined, as zero_division=0)
**   deciles      rows sorted by p, highest first (ties by row order), cut
**                into 10 groups of floor or ceil(n / 10): positives, rate,
**                lift (rate / base rate) and cumulative gains (share of all
**                positives in this and the higher deciles)
**   calibration  10 bins [0, 0.1], (0.1, 0.2], ..., (0.9, 1] as
**                calibration_curve (strategy "uniform") cuts them: rows,
**                mean p, observed rate.
** roc_auc and pr_auc are NaN with one class only. */
typedef struct retain_logreg_decile {
    int64_t rows, positives;
    double rate, lift, cumulative_gain;
} retain_logreg_decile;

typedef struct retain_logreg_calibration_bin {
    int64_t rows;
    double mean_predicted, observed_rate; /* NaN for an empty bin */
} retain_logreg_calibration_bin;

typedef struct retain_logreg_metrics {
    int64_t rows, positives;
    double roc_auc, pr_auc, log_loss, brier;
    double threshold, precision, recall, f1, accuracy;
    retain_logreg_decile deciles[10];
    retain_logreg_calibration_bin calibration[10];
} retain_logreg_metrics;

/* Metrics of probabilities p against labels y (n each, y 0 or 1). Memory:
** 16 bytes per row for the sort. */
RETAIN_API retain_status retain_logreg_evaluate(const double *y, const double *p, int64_t n,
                                                double threshold,
                                                retain_logreg_metrics *out);

/* Stratified k-fold cross-validation: rows of each class are dealt to
** `folds` folds in an order shuffled from `seed`, so every fold holds
** floor or ceil of each class's share; fold f is scored (metrics at
** threshold) by a model fitted with params on the other folds (scaler
** included). out gets `folds` metrics. Same seed: the same folds and bits
** for any thread count. Memory beyond a fit's: one float32 copy of x's
** rows and 24 bytes per row. */
RETAIN_API retain_status retain_logreg_cv(const retain_matrix *x, const double *y,
                                          const float *sample_weight,
                                          const retain_logreg_params *params, int64_t folds,
                                          uint64_t seed, double threshold,
                                          retain_logreg_metrics *out);
/* ---- association rules ---------------------------------------------------- */

/* Frequent itemsets (Eclat over frequency-recoded items, bitsets for dense
** parts; the manual opens src/rules/eclat.c) and rules A -> C with the
** measures of mlxtend.frequent_patterns.association_rules.
**
**     retain_baskets b = {indptr, items, n, n_items};
**     retain_rules_params p;
**     retain_rules_params_init(&p);
**     p.min_support = 0.001;
**     p.min_confidence = 0.5;
**     retain_rules_result *r;
**     if (retain_rules_mine(&b, &p, &r) == RETAIN_OK) {
**         retain_rule rule;
**         for (int64_t i = 0; i < retain_rules_rule_count(r); i++)
**             retain_rules_rule(r, i, &rule);
**         retain_rules_free(r);
**     }
*/

/* Baskets as compressed sparse rows: basket b holds items[indptr[b] ..
** indptr[b+1]), item ids in [0, n_items); a repeated id counts once. */
typedef struct retain_baskets {
    const int64_t *indptr; /* n + 1 offsets, rising from 0 */
    const int32_t *items;
    int64_t n;
    int64_t n_items;
} retain_baskets;

typedef enum retain_rule_metric {
    RETAIN_METRIC_SUPPORT = 0,
    RETAIN_METRIC_CONFIDENCE = 1,
    RETAIN_METRIC_LIFT = 2,
    RETAIN_METRIC_LEVERAGE = 3,
    RETAIN_METRIC_CONVICTION = 4,
    RETAIN_METRIC_ZHANG = 5,
} retain_rule_metric;

typedef struct retain_rules_params {
    double min_support;      /* share of baskets in (0, 1] (default 0.01); an
                                itemset is frequent when count / n >= it    */
    int64_t min_count;       /* > 0: a number of baskets instead            */
    int64_t max_len;         /* longest itemset; 0 (default): no limit      */
    int64_t max_itemsets;    /* beyond this many, RETAIN_ERR_DATA saying how
                                many were found (default 50M)               */
    int itemsets_only;       /* 1: no rules (default 0)                     */
    double min_confidence;   /* in [0, 1] (default 0.8)                     */
    double min_lift;         /* these four: -INFINITY (default) for none    */
    double min_leverage;
    double min_conviction;
    double min_zhang;
    int64_t max_antecedent;  /* items left of a rule; 0 (default): any      */
    int64_t max_consequent;  /* items right of a rule; 0 (default): any     */
    retain_rule_metric sort_by; /* rules in descending order of it (LIFT)  */
    int64_t max_rules;       /* beyond this many, RETAIN_ERR_DATA (100M)    */
    retain_progress_fn progress; /* NULL: none                              */
    void *progress_user;
} retain_rules_params;

typedef struct retain_rules_result retain_rules_result;

/* One rule; the arrays belong to the result. */
typedef struct retain_rule {
    const int32_t *antecedent; /* item ids, most frequent first */
    int64_t antecedent_len;
    const int32_t *consequent;
    int64_t consequent_len;
    int64_t count;             /* baskets holding antecedent and consequent */
    double antecedent_support, consequent_support, support;
    double confidence, lift, leverage, conviction, zhang;
} retain_rule;

RETAIN_API void retain_rules_params_init(retain_rules_params *p);
/* RETAIN_OK, or RETAIN_ERR_USAGE with a message naming the bad field. */
RETAIN_API retain_status retain_rules_params_check(const retain_rules_params *p);

/* Every frequent itemset of b and, unless itemsets_only, every rule meeting
** the thresholds. The same bits for any thread count. RETAIN_ERR_DATA for
** malformed baskets (the message names the basket) or a limit exceeded.
** Memory: O(pairs) for the baskets plus the itemsets and rules found. */
RETAIN_API retain_status retain_rules_mine(const retain_baskets *b,
                                           const retain_rules_params *p,
                                           retain_rules_result **out);

/* Baskets (the support denominator), itemsets and rules of a result. */
RETAIN_API int64_t retain_rules_basket_count(const retain_rules_result *r);
RETAIN_API int64_t retain_rules_itemset_count(const retain_rules_result *r);
RETAIN_API int64_t retain_rules_rule_count(const retain_rules_result *r);

/* Itemset i (0 <= i < itemset_count): its item ids, most frequent first,
** and the baskets holding it. Single items come first, by frequency. */
RETAIN_API retain_status retain_rules_itemset(const retain_rules_result *r, int64_t i,
                                              const int32_t **items, int64_t *len,
                                              int64_t *count);

/* Rule i (0 <= i < rule_count), in the params' sort order. */
RETAIN_API retain_status retain_rules_rule(const retain_rules_result *r, int64_t i,
                                           retain_rule *out);

RETAIN_API void retain_rules_free(retain_rules_result *r);

/* ---- lifetime value -------------------------------------------------------- */

/* Buy-till-you-die models on the per-customer summary of a purchase log
** (Fader, Hardie and Lee 2005): x repeat purchase occasions, t_x the time
** of the last one and T the age, both from the first purchase, in one time
** unit, and m the mean spend of the repeat occasions. Count models: BG/NBD,
** MBG/NBD and Pareto/NBD (Schmittlein, Morrison and Colombo 1987); spend:
** Gamma-Gamma. Maximum likelihood with analytic gradients on log
** parameters; the manual opens src/clv/clv.h.
**
**     retain_clv_summary s = {n, x, t_x, T, NULL, NULL};
**     retain_clv_params p;
**     retain_clv_params_init(&p);
**     p.kind = RETAIN_CLV_PARETO;
**     retain_clv_model *m;
**     if (retain_clv_fit(&s, &p, &m) == RETAIN_OK) {
**         retain_clv_predict(m, &s, 39.0, p_alive, expected);
**         retain_clv_free(m);
**     }
*/

typedef enum retain_clv_kind {
    RETAIN_CLV_BGNBD = 0,       /* r, alpha, a, b (the default)             */
    RETAIN_CLV_MBGNBD = 1,      /* r, alpha, a, b                           */
    RETAIN_CLV_PARETO = 2,      /* r, alpha, s, beta                        */
    RETAIN_CLV_GAMMA_GAMMA = 3, /* p, q, v; rows with x > 0 only            */
} retain_clv_kind;

/* n rows, each a customer or `weight` identical ones. */
typedef struct retain_clv_summary {
    int64_t n;
    const double *x;      /* repeat occasions, >= 0                      */
    const double *t_x;    /* 0 <= t_x <= T                               */
    const double *T;
    const double *m;      /* mean repeat spend (Gamma-Gamma), or NULL    */
    const double *weight; /* >= 0, or NULL for 1 each                    */
} retain_clv_summary;

typedef struct retain_clv_params {
    retain_clv_kind kind; /* default RETAIN_CLV_BGNBD                       */
    double tol;           /* on the largest gradient entry of the mean
                             negative log-likelihood per customer, on log
                             parameters (default 1e-9)                    */
    int64_t max_iter;     /* L-BFGS iterations (default 1000)               */
    int collapse;         /* nonzero (default): count models fit the
                             distinct (x, t_x, T) weighted by their count,
                             the same fit for much less work               */
} retain_clv_params;

typedef struct retain_clv_model retain_clv_model;

/* Sets every field to its default. */
RETAIN_API void retain_clv_params_init(retain_clv_params *p);
/* RETAIN_OK, or RETAIN_ERR_USAGE with a message naming the bad field. */
RETAIN_API retain_status retain_clv_params_check(const retain_clv_params *p);

/* Fits params->kind to the summary. RETAIN_ERR_DATA, with the row named,
** for x < 0, t_x outside [0, T], a negative weight or (Gamma-Gamma) a
** repeat buyer without a positive spend; and, with a message rather than
** NaN, for a summary without any repeat purchase. A fit that stops at
** max_iter is returned with retain_clv_model_converged() 0. Same summary
** and params: the same bits for any thread count. */
RETAIN_API retain_status retain_clv_fit(const retain_clv_summary *s,
                                        const retain_clv_params *params,
                                        retain_clv_model **out);

RETAIN_API retain_clv_kind retain_clv_model_kind(const retain_clv_model *model);
/* Parameters: 4, or 3 for Gamma-Gamma, in the order of retain_clv_kind. */
RETAIN_API int retain_clv_model_nparams(const retain_clv_model *model);
RETAIN_API const double *retain_clv_model_params(const retain_clv_model *model);
/* Standard errors from the observed information (NaN where the Hessian is
** not negative definite). */
RETAIN_API const double *retain_clv_model_se(const retain_clv_model *model);
RETAIN_API double retain_clv_model_loglik(const retain_clv_model *model);
RETAIN_API int64_t retain_clv_model_n_iter(const retain_clv_model *model);
RETAIN_API int retain_clv_model_converged(const retain_clv_model *model);

/* A count model's P(alive) and expected repeat occasions in the next
** `horizon` time units, per row of s (either output may be NULL). */
RETAIN_API retain_status retain_clv_predict(const retain_clv_model *model,
                                            const retain_clv_summary *s, double horizon,
                                            double *p_alive, double *expected);
/* A Gamma-Gamma model's expected mean spend per row of s (s->m needed;
** rows with x = 0 get the population mean p v / (q - 1)). */
RETAIN_API retain_status retain_clv_predict_spend(const retain_clv_model *model,
                                                  const retain_clv_summary *s,
                                                  double *spend);

RETAIN_API void retain_clv_free(retain_clv_model *model);

#ifdef __cplusplus
}
#endif

#endif /* RETAIN_H */
