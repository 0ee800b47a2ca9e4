/*
** src/logreg/logreg.c: logistic regression, the fit. The module's manual:
**
** WHAT. Given n rows of d features, labels 0/1 and optional sample weights,
** find the coefficients w (on scaled features) and intercept b minimising
**   C * sum_i c_i log(1 + exp(-s_i (b + w.z_i))) + penalty(w),
** scikit-learn's LogisticRegression objective: c_i is the sample weight
** times the class weight (sklearn's "balanced": n / (2 n_class)), s_i = +-1,
** penalty 0.5 ||w||^2 (L2, default), ||w||_1 (L1), r ||w||_1 +
** 0.5 (1 - r) ||w||^2 (elastic net) or nothing. The intercept is never
** penalised. Scaling (standard, the default, or none) is fitted on the
** training rows, unweighted as StandardScaler.fit(X) does, and stored; the
** coefficients are also reported on the input's units.
**
** HOW.
**   prep/scale.c mean and standard deviation per column (two passes).
**   objective.c  the data term and its gradient in one streamed pass over
**                x per evaluation (the logreg_pass kernel: margin, loss and
**                gradient fused, float64 sums, block-ordered reduction),
**                or with params.device CUDA the same pass on the GPU
**                (kernels/cuda/logreg.cu: x copied there once).
**   core/minimise.c  L-BFGS for smooth penalties, OWL-QN with an L1
**                part. The solver sees the objective divided by
**                C * sum_i c_i, so `tol` bounds the largest gradient entry
**                of a per-row average, whatever n and C are.
**   metrics.c    ROC AUC, average precision, log-loss, Brier, precision /
**                recall / F1, lift and gains by decile, calibration.
**   cv.c         stratified k-fold cross-validation.
**
** WARNINGS. A fit that reaches max_iter says so; with no penalty and
** classes that a hyperplane separates, the coefficients grow without
** bound: the fit stops at max_iter with finite values and flags it.
**
** REPRODUCIBILITY. Every sum over rows goes through rt_reduce_rows: same
** data and params, same bits for any thread count.
**
** MPI. Under mpirun x, y and the weights are the rank's rows (core/dist.h);
** every sum over rows (counts, scaler, weight total, each objective pass,
** the separability test) is completed across ranks right after it, so
** every rank runs the same solver steps on the same numbers. A failure on
** one rank is agreed at those points and returned by all.
**
** This code never reads files and never prints; src/io/logreg_model.c
** saves and loads models, src/cli the commands.
*/
#include "logreg.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "kernels/cpu/kernels.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/logreg.cuh"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Iterations whose objective and time a fit keeps for --json. */
#define TRACE_MAX 100000

void retain_logreg_params_init(retain_logreg_params *p)
{
    memset(p, 0, sizeof *p);
    p->penalty = RETAIN_LOGREG_L2;
    p->C = 1.0;
    p->l1_ratio = 0.5;
    p->tol = 1e-4;
    p->max_iter = 100;
    p->memory = 10;
    p->scale = RETAIN_SCALE_STANDARD;
    p->class_weight[0] = p->class_weight[1] = 1.0;
}

retain_status retain_logreg_params_check(const retain_logreg_params *p)
{
    if (!p)
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: params is NULL");
    if (p->penalty < RETAIN_LOGREG_L2 || p->penalty > RETAIN_LOGREG_NONE)
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: penalty is %d, not "
                        "a retain_logreg_penalty value", (int)p->penalty);
    if (!(p->C > 0) || !isfinite(p->C))
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: C is %g; it must "
                        "be finite and > 0", p->C);
    if (!(p->l1_ratio >= 0 && p->l1_ratio <= 1))
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: l1_ratio is %g; "
                        "it must be in [0, 1]", p->l1_ratio);
    if (!(p->tol >= 0) || !isfinite(p->tol))
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: tol is %g; it "
                        "must be finite and >= 0", p->tol);
    if (p->max_iter < 0)
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: max_iter is %lld; "
                        "it must be >= 0", (long long)p->max_iter);
    if (p->memory < 1 || p->memory > 1000)
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: memory is %lld; "
                        "it must be in 1..1000", (long long)p->memory);
    if (p->scale != RETAIN_SCALE_STANDARD && p->scale != RETAIN_SCALE_NONE)
        return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: scale must be "
                        "standard or none");
    for (int c = 0; c < 2; c++)
        if (!p->class_weight_balanced && (!(p->class_weight[c] > 0) ||
                                          !isfinite(p->class_weight[c])))
            return rt_error(RETAIN_ERR_USAGE, "logistic regression parameters: "
                            "class_weight[%d] is %g; it must be finite and > 0", c,
                            p->class_weight[c]);
    return RETAIN_OK;
}

const char *rt_logreg_penalty_name(retain_logreg_penalty p)
{
    static const char *const names[] = {"l2", "l1", "elasticnet", "none"};
    return p >= RETAIN_LOGREG_L2 && p <= RETAIN_LOGREG_NONE ? names[p] : "?";
}

int rt_logreg_penalty_parse(const char *name)
{
    for (int p = RETAIN_LOGREG_L2; p <= RETAIN_LOGREG_NONE; p++)
        if (strcmp(name, rt_logreg_penalty_name((retain_logreg_penalty)p)) == 0)
            return p;
    return -1;
}

retain_status rt_logreg_check_matrix(const retain_matrix *x, const char *who)
{
    if (!x->data || x->rows < 1 || x->cols < 1 || x->row_stride < x->cols)
        return rt_error(RETAIN_ERR_USAGE, "%s: x must have data, rows >= 1, cols >= 1 and "
                        "row_stride >= cols (got %lld x %lld, stride %lld)", who,
                        (long long)x->rows, (long long)x->cols, (long long)x->row_stride);
    /* blocks in parallel; the first bad row of all is the least found */
    const rt_kernels *kern = rt_kernels_get();
    int64_t nblocks = rt_block_count(x->rows), bad_row = x->rows, bad_col = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->rows ? (b + 1) * RT_BLOCK_ROWS : x->rows;
        for (int64_t i = b * RT_BLOCK_ROWS; i < end; i++) {
            int64_t j = kern->first_nonfinite(x->data + i * x->row_stride, x->cols);
            if (j < 0)
                continue;
#pragma omp critical(rt_logreg_first_bad)
            if (i < bad_row) {
                bad_row = i;
                bad_col = j;
            }
            break;
        }
    }
    if (bad_row < x->rows)
        return rt_error(RETAIN_ERR_DATA, "%s: x row %lld column %lld is %g; logistic "
                        "regression needs finite values (impute or drop the row)", who,
                        (long long)bad_row, (long long)bad_col,
                        (double)x->data[bad_row * x->row_stride + bad_col]);
    return RETAIN_OK;
}

retain_status rt_logreg_labels(const double *y, int64_t n, int64_t first, uint8_t *y01)
{
    double bad[5];
    int64_t nbad = 0, first_bad = -1, count_bad = 0;
    for (int64_t i = 0; i < n; i++) {
        if (y[i] == 0.0 || y[i] == 1.0) {
            y01[i] = (uint8_t)y[i];
            continue;
        }
        if (first_bad < 0)
            first_bad = i;
        count_bad++;
        bool seen = false;
        for (int64_t k = 0; k < nbad; k++)
            seen |= bad[k] == y[i] || (isnan(bad[k]) && isnan(y[i]));
        if (!seen && nbad < 5)
            bad[nbad++] = y[i];
    }
    if (!count_bad)
        return RETAIN_OK;
    char list[160] = "";
    for (int64_t k = 0; k < nbad; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.17g", k ? ", " : "",
                 bad[k]);
    return rt_error(RETAIN_ERR_DATA, "labels must be 0 or 1, but %lld of %lld are not "
                    "(first at row %lld; values found besides 0/1: %s%s); recode the label "
                    "as 0/1", (long long)count_bad, (long long)n, (long long)(first + first_bad),
                    list, count_bad > nbad && nbad == 5 ? ", ..." : "");
}

retain_status rt_logreg_model_alloc(int64_t d, retain_logreg_model **out)
{
    retain_logreg_model *m;
    retain_status s = retain_calloc(1, sizeof *m, (void **)&m);
    if (s)
        return s;
    m->d = d;
    if ((s = retain_calloc((size_t)(4 * d), sizeof(double), (void **)&m->mean))) {
        retain_free(m);
        return s;
    }
    m->scale = m->mean + d;
    m->coef = m->scale + d;
    m->coef_original = m->coef + d;
    *out = m;
    return RETAIN_OK;
}

void retain_logreg_free(retain_logreg_model *m)
{
    if (!m)
        return;
    retain_free(m->mean);
    retain_free(m->trace);
    retain_free(m);
}

void rt_logreg_model_unscale(retain_logreg_model *m)
{
    double b = m->intercept;
    for (int64_t j = 0; j < m->d; j++) {
        m->coef_original[j] = m->coef[j] / m->scale[j];
        b -= m->coef_original[j] * m->mean[j];
    }
    m->intercept_original = b;
}

/* What the solver minimises: (C * loss + penalty) / norm, norm = C * sum c. */
typedef struct objective_ctx {
    const rt_logreg_data *data;
    double C, l2, norm;
    int64_t evaluations;
    double seconds;
} objective_ctx;

static retain_status smooth_objective(void *ctx, const double *theta, double *f, double *g)
{
    objective_ctx *o = ctx;
    int64_t d = o->data->d;
    o->evaluations++;
    double loss, t0 = rt_seconds();
    retain_status s = rt_logreg_loss_grad(o->data, theta, &loss, g);
    o->seconds += rt_seconds() - t0;
    if (s)
        return s;
    double sq = 0.0;
    for (int64_t j = 0; j < d; j++) {
        sq += theta[j] * theta[j];
        g[j] = (o->C * g[j] + o->l2 * theta[j]) / o->norm;
    }
    g[d] = o->C * g[d] / o->norm;
    *f = (o->C * loss + 0.5 * o->l2 * sq) / o->norm;
    return RETAIN_OK;
}

static retain_status check_weights(const float *w, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return rt_error(RETAIN_ERR_DATA, "retain_logreg_fit: sample_weight[%lld] is %g; "
                            "weights must be finite and >= 0", (long long)i, (double)w[i]);
    return RETAIN_OK;
}

/* Row weights c_i (sample x class weight) into w; class weights into m.
** "balanced" counts rows, as sklearn's compute_class_weight does. */
static retain_status row_weights(const uint8_t *y, const float *sw, int64_t n,
                                 const retain_logreg_params *p, retain_logreg_model *m,
                                 double *w)
{
    double counts[4] = {0, 0, 0, 0}; /* rows of class 0, 1; of positive weight */
    for (int64_t i = 0; i < n; i++) {
        counts[y[i]]++;
        counts[2 + y[i]] += !sw || sw[i] > 0;
    }
    retain_status s = rt_dist_sum_f64(RETAIN_OK, counts, 4); /* every rank's rows */
    if (s)
        return s;
    int64_t rows[2] = {(int64_t)counts[0], (int64_t)counts[1]};
    int64_t weighted[2] = {(int64_t)counts[2], (int64_t)counts[3]};
    m->train_rows = rows[0] + rows[1];
    m->train_positives = rows[1];
    if (weighted[0] == 0 || weighted[1] == 0)
        return rt_error(RETAIN_ERR_DATA, "the labels hold one class only (every row%s is %d); "
                        "a churn model needs both churners (1) and non-churners (0)",
                        sw ? " of positive weight" : "", weighted[0] == 0 ? 1 : 0);
    for (int c = 0; c < 2; c++)
        m->class_weight[c] = p->class_weight_balanced
                                 ? (double)m->train_rows / (2.0 * (double)rows[c])
                                                      : p->class_weight[c];
    for (int64_t i = 0; i < n; i++)
        w[i] = (sw ? (double)sw[i] : 1.0) * m->class_weight[y[i]];
    return RETAIN_OK;
}

/* partial[0]: the block's sum of row weights (ctx). */
static void weight_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const double *w = ctx;
    for (int64_t i = first; i < first + rows; i++)
        partial[0] += w[i];
}

/* True when every row of positive weight lies on its label's side. */
static bool separated(const retain_logreg_model *m, const retain_matrix *x, const uint8_t *y,
                      const double *w)
{
    double margin[RT_BLOCK_ROWS];
    for (int64_t first = 0; first < x->rows; first += RT_BLOCK_ROWS) {
        int64_t rows = x->rows - first < RT_BLOCK_ROWS ? x->rows - first : RT_BLOCK_ROWS;
        rt_logreg_margins(m, x->data + first * x->row_stride, rows, x->row_stride, margin);
        for (int64_t i = 0; i < rows; i++)
            if (w[first + i] > 0 && (y[first + i] ? margin[i] <= 0 : margin[i] >= 0))
                return false;
    }
    return true;
}

retain_status retain_logreg_fit(const retain_matrix *x, const double *y,
                                const float *sample_weight, const retain_logreg_params *p,
                                retain_logreg_model **out)
{
    if (!out || !x || !y || !p)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_fit: %s is NULL",
                        !out ? "out" : !x ? "x" : !y ? "y" : "params");
    *out = NULL;
    double started = rt_seconds();
    retain_status s;
    if ((s = retain_logreg_params_check(p)))
        return s;
    s = rt_logreg_check_matrix(x, "retain_logreg_fit");
    if (!s && sample_weight)
        s = check_weights(sample_weight, x->rows);
    if ((s = rt_dist_agree(s)))
        return s;
    int64_t n = x->rows, d = x->cols;
    retain_logreg_model *m = NULL;
    uint8_t *y01 = NULL;
    double *w = NULL, *theta = NULL, *l1 = NULL;
#ifdef RETAIN_WITH_CUDA
    struct rt_cuda_logreg *gpu = NULL;
#endif
    s = rt_mem_check_claim(n * 9, "logistic regression labels and row weights",
                           "use fewer rows");
    if (!s && !(s = retain_malloc((size_t)n, (void **)&y01)) &&
        !(s = retain_malloc((size_t)n * sizeof *w, (void **)&w)) &&
        !(s = retain_calloc((size_t)(2 * (d + 1)), sizeof *theta, (void **)&theta)) &&
        !(s = rt_logreg_model_alloc(d, &m)) &&
        !(s = retain_calloc((size_t)(2 * (p->max_iter < TRACE_MAX ? p->max_iter + 1 : TRACE_MAX)),
                            sizeof *m->trace, (void **)&m->trace))) {
        m->trace_len = p->max_iter < TRACE_MAX ? p->max_iter + 1 : TRACE_MAX;
        l1 = theta + d + 1;
    }
    /* under MPI: the rank's first row, for messages (its rows are dealt so) */
    int64_t n_all, first = 0, count;
    if (!(s = rt_dist_total_rows(s, n, &n_all))) {
        rt_dist_rows(n_all, &first, &count);
        s = rt_logreg_labels(y, n, first, y01);
    }
    /* under MPI each call below meets the other ranks, failed or not */
    if ((s = rt_dist_agree(s)) || (s = row_weights(y01, sample_weight, n, p, m, w)))
        goto done;
    m->params = *p;
    m->params.progress = NULL;
    m->params.progress_user = NULL;
    if ((s = rt_scaler_fit(x, NULL, p->scale, m->mean, m->scale)))
        goto done;
    double wsum;
    if ((s = rt_dist_reduce_rows(RETAIN_OK, n, 1, weight_block, w, &wsum)))
        goto done;
    if (!(wsum > 0)) {
        s = rt_error(RETAIN_ERR_DATA, "retain_logreg_fit: the row weights sum to 0");
        goto done;
    }
    rt_logreg_data data = {x->data, n, d, x->row_stride, y01, w, m->mean, m->scale, NULL};
    retain_device device;
    char why[8];
    s = retain_device_resolve(p->device, &device, why, sizeof why);
#ifdef RETAIN_WITH_CUDA
    if (!s && device == RETAIN_DEVICE_CUDA)
        s = rt_cuda_logreg_open(x->data, n, d, x->row_stride, y01, w, &gpu);
    data.gpu = gpu;
#endif
    if ((s = rt_dist_agree(s))) /* under MPI: a rank without its device stops all */
        goto done;
    double r = p->penalty == RETAIN_LOGREG_ELASTICNET ? p->l1_ratio
               : p->penalty == RETAIN_LOGREG_L1      ? 1.0
                                                     : 0.0;
    double l2 = p->penalty == RETAIN_LOGREG_NONE ? 0.0 : 1.0 - r;
    objective_ctx ctx = {&data, p->C, l2, p->C * wsum, 0, 0.0};
    for (int64_t j = 0; j < d; j++)
        l1[j] = r / ctx.norm;
    rt_minimiser solver = {.dims = d + 1,
                               .l1 = r > 0 ? l1 : NULL,
                               .tol = p->tol,
                               .max_iter = p->max_iter,
                               .memory = p->memory,
                               .progress = p->progress,
                               .progress_user = p->progress_user,
                               .trace = m->trace,
                               .trace_len = m->trace_len,
                               .started = started};
    rt_minimum sol;
    if ((s = rt_minimise(smooth_objective, &ctx, &solver, theta, &sol)))
        goto done;
    memcpy(m->coef, theta, (size_t)d * sizeof *theta);
    m->intercept = theta[d];
    m->objective = sol.f * ctx.norm;
    m->n_iter = sol.n_iter;
    m->converged = sol.converged;
    m->evaluations = ctx.evaluations;
    m->pass_seconds = ctx.seconds;
    for (int64_t it = 0; it <= sol.n_iter && it < m->trace_len; it++)
        m->trace[2 * it + 1] *= ctx.norm;
    if (!sol.converged)
        m->warnings |= sol.stalled ? RETAIN_LOGREG_WARN_STALLED : RETAIN_LOGREG_WARN_MAX_ITER;
    rt_logreg_model_unscale(m);
    if (p->penalty == RETAIN_LOGREG_NONE) {
        double mixed = !separated(m, x, y01, w); /* ranks whose rows are not */
        if ((s = rt_dist_sum_f64(RETAIN_OK, &mixed, 1)))
            goto done;
        if (mixed == 0)
            m->warnings |= RETAIN_LOGREG_WARN_SEPARABLE;
    }
    m->fit_seconds = rt_seconds() - started;
done:
#ifdef RETAIN_WITH_CUDA
    rt_cuda_logreg_close(gpu);
#endif
    retain_free(y01);
    retain_free(w);
    retain_free(theta);
    if (s)
        retain_logreg_free(m);
    else
        *out = m;
    return s;
}

retain_status retain_logreg_predict(const retain_logreg_model *m, const retain_matrix *x,
                                    double *prob)
{
    if (!m || !x || !prob)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_predict: %s is NULL",
                        !m ? "model" : !x ? "x" : "prob");
    if (x->cols != m->d)
        return rt_error(RETAIN_ERR_USAGE, "retain_logreg_predict: x has %lld columns, the "
                        "model %lld", (long long)x->cols, (long long)m->d);
    retain_status s = rt_logreg_check_matrix(x, "retain_logreg_predict");
    if (s)
        return s;
    int64_t nblocks = rt_block_count(x->rows);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t first = b * RT_BLOCK_ROWS;
        int64_t rows = x->rows - first < RT_BLOCK_ROWS ? x->rows - first : RT_BLOCK_ROWS;
        double *p = prob + first;
        rt_logreg_margins(m, x->data + first * x->row_stride, rows, x->row_stride, p);
        for (int64_t i = 0; i < rows; i++) {
            double e = exp(-fabs(p[i]));
            p[i] = p[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        }
    }
    return RETAIN_OK;
}

int64_t retain_logreg_model_d(const retain_logreg_model *m) { return m->d; }
const double *retain_logreg_model_coef(const retain_logreg_model *m) { return m->coef; }
double retain_logreg_model_intercept(const retain_logreg_model *m) { return m->intercept; }
const double *retain_logreg_model_coef_original(const retain_logreg_model *m)
{
    return m->coef_original;
}
double retain_logreg_model_intercept_original(const retain_logreg_model *m)
{
    return m->intercept_original;
}
double retain_logreg_model_objective(const retain_logreg_model *m) { return m->objective; }
int64_t retain_logreg_model_n_iter(const retain_logreg_model *m) { return m->n_iter; }
int retain_logreg_model_converged(const retain_logreg_model *m) { return m->converged; }
unsigned retain_logreg_model_warnings(const retain_logreg_model *m) { return m->warnings; }
