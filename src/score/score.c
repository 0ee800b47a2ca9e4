/*
** src/score/score.c: the scoring job (score.h). Three block slots rotate
** through the pipeline: the I/O thread reads a block into a free slot,
** the calling thread scores it (each scorer's own OpenMP kernels) and the
** I/O thread writes it back, so reading block i+1 and writing block i-1
** overlap the scoring of block i. Every call into src/io (and so HDF5) is
** made by one thread at a time: before the I/O thread starts, by it, or
** after it has been joined. Scorers are a table; the summary is tallied on
** the calling thread in row order, so it is the same for any thread count.
** The input is opened once per kind of column: the models' features
** (float32, selected by the models' names) and the lifetime-value summary
** (float64, as stored, so that predictions equal `retain clv predict`'s).
** With --device cuda the segment and churn models score each block on the
** GPU (kernels/cuda/score.cu), the slots pinned so that the block's copies
** overlap the kernels; the lifetime-value model stays on the CPU.
** Under MPI each rank runs the pipeline over its own rows (core/dist.h)
** into the one output file, which every rank opened through MPI-IO; the
** ranks meet only before and after it (agreeing on failures, summing the
** summary), and rank 0 commits the file once all have closed it.
*/
#include "score.h"

#include "core/clock.h"
#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "io/atomic.h"
#include "io/h5.h"
#include "io/kmeans_model.h"
#include "io/logreg_model.h"
#include "io/model_file.h"
#include "io/score_file.h"
#include "kernels/cpu/kernels.h"
#include "kmeans/kmeans.h"

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/score.cuh"
#endif

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SLOTS 3
#define MAX_COLS 8
#define ID_STRING_BYTES 32 /* allowance per string id in the budget */

typedef struct slot {
    int64_t first, rows;
    float *x;
    uint8_t *skip; /* 1: the row has NaN/Inf and is not scored */
    int64_t *ids;
    char **id_strings;
    double *clv; /* the clv_* inputs, column after column, block_rows apart */
    void *col[MAX_COLS];
} slot;

typedef struct job {
    const rt_score_params *p;
    rt_features *f;      /* the models' features (with --clv alone: its inputs) */
    rt_features *clv_in; /* the clv_* inputs: f, or a second view of IN       */
    retain_kmeans_model *segments;
    retain_logreg_model *churn;
    int64_t n, d, block_rows, nblocks;
    int64_t first, count; /* this rank's rows of the n (all of them in one process) */
    rt_score_ids id_kind;
    rt_score_column cols[MAX_COLS];
    int ncols, segment_col, churn_col, clv_col; /* first column of each model, or -1 */
    bool active[MAX_COLS];             /* per scorer: its model was given    */
    const char *tier_names[RT_RISK_MAX_TIERS];
    char tier_buf[RT_RISK_MAX_TIERS][16];
    double *prob; /* one block of churn probabilities (double, as predicted) */
    double *clv_rows;  /* I/O thread: one block of clv_* inputs, row-major  */
    double *clv_spend; /* one block of expected spends                       */
    slot slots[SLOTS];
    struct rt_cuda_score *gpu; /* --device cuda: the models on the GPU    */
    rt_score_file *out;
    rt_score_summary *sum;
    /* the pipeline: blocks read, scored and written so far */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t read, scored, written;
    bool stop;
    retain_status io_status;
    char io_msg[2048];
} job;

/* ---- scorers: one per model; a model adds an entry here ------------------- */

/* A scorer adds its columns to the output and fills them for one block of
** rows. One that needs input beyond the features (lifetime value: the
** columns clv_x, clv_t_x, clv_T, clv_m_x of IN) has a buffer in the slot
** for them, read by read_block with the rows, so that all reading stays on
** the I/O thread. */
typedef struct scorer {
    /* Appends the model's output columns to j->cols; false when not asked for. */
    bool (*columns)(job *j);
    retain_status (*run)(job *j, const retain_matrix *x, slot *s);
} scorer;

static bool segment_columns(job *j)
{
    if (!j->segments)
        return false;
    j->segment_col = j->ncols;
    j->cols[j->ncols++] = (rt_score_column){
        "/segment", RT_SCORE_INT32, "numbering",
        "segments as in the model: by training size, largest first (0-based); -1: row "
        "not scored (NaN/Inf features)", NULL, NULL, 0};
    j->cols[j->ncols++] = (rt_score_column){
        "/segment_distance", RT_SCORE_FLOAT32, "units",
        "Euclidean distance to the segment centroid in the model's scaled units; NaN: row "
        "not scored", NULL, NULL, 0};
    return true;
}

static retain_status segment_run(job *j, const retain_matrix *x, slot *s)
{
    if (j->gpu) /* gpu_run filled the columns */
        return RETAIN_OK;
    return retain_kmeans_predict(j->segments, x, s->col[j->segment_col],
                                 s->col[j->segment_col + 1]);
}

static bool churn_columns(job *j)
{
    if (!j->churn)
        return false;
    const rt_risk_rule *r = &j->p->risk;
    for (int t = 0; t <= r->count; t++)
        j->tier_names[t] = rt_risk_tier_name(r->count, t, j->tier_buf[t]);
    j->churn_col = j->ncols;
    j->cols[j->ncols++] = (rt_score_column){
        "/churn_probability", RT_SCORE_FLOAT32, "meaning",
        "predicted probability of churn (float32 of the model's double); NaN: row not "
        "scored", NULL, NULL, 0};
    j->cols[j->ncols++] = (rt_score_column){
        "/churn_risk", RT_SCORE_INT8, "rule",
        "tier t = how many cut points (file attribute churn_risk_cuts) the probability "
        "reaches; "
        "band_names[t] names it; -1: row not scored",
        "band_names", j->tier_names, r->count + 1};
    return true;
}

static retain_status churn_run(job *j, const retain_matrix *x, slot *s)
{
    retain_status st = j->gpu ? RETAIN_OK : retain_logreg_predict(j->churn, x, j->prob);
    float *p = s->col[j->churn_col];
    int8_t *tier = s->col[j->churn_col + 1];
    for (int64_t i = 0; !st && i < x->rows; i++) {
        p[i] = (float)j->prob[i];
        tier[i] = rt_risk_tier(&j->p->risk, j->prob[i]);
    }
    return st;
}

/* The columns of IN the lifetime-value scorer reads, in this order: x,
** t_x, T and, with a spend model, m_x. */
static const char *const CLV_INPUTS[4] = {"clv_x", "clv_t_x", "clv_T", "clv_m_x"};

static int64_t clv_inputs(const rt_score_params *p)
{
    return !p->clv ? 0 : p->clv->has_spend ? 4 : 3;
}

static bool clv_columns(job *j)
{
    if (!j->p->clv)
        return false;
    j->clv_col = j->ncols;
    j->cols[j->ncols++] = (rt_score_column){
        "/p_alive", RT_SCORE_FLOAT64, "meaning",
        "probability the user is still active, from clv_x, clv_t_x, clv_T of the input (as "
        "`retain clv predict`); NaN: row not scored", NULL, NULL, 0};
    j->cols[j->ncols++] = (rt_score_column){
        "/expected_purchases", RT_SCORE_FLOAT64, "meaning",
        "expected repeat occasions over the horizon (file attribute clv_horizon); NaN: row "
        "not scored", NULL, NULL, 0};
    if (j->p->clv->has_spend)
        j->cols[j->ncols++] = (rt_score_column){
            "/clv", RT_SCORE_FLOAT64, "meaning",
            "expected occasions over the horizon, discounted (file attributes clv_discount, "
            "clv_discount_period), times the Gamma-Gamma expected spend from clv_x and "
            "clv_m_x; NaN: row not scored", NULL, NULL, 0};
    return true;
}

/* The block's summary: its rows of the clv_* inputs. */
static rt_clv_summary clv_summary(const job *j, const slot *s, int64_t first, int64_t n)
{
    const double *in = s->clv + first;
    int64_t b = j->block_rows;
    return (rt_clv_summary){n, in, in + b, in + 2 * b, j->p->clv->has_spend ? in + 3 * b : NULL,
                            NULL};
}

/* Whether row i of the block is a summary the models can take: finite,
** x >= 0, 0 <= t_x <= T, and a positive m_x where x > 0 with a spend model. */
static bool clv_row_ok(const job *j, const slot *s, int64_t i)
{
    rt_clv_summary one = clv_summary(j, s, i, 1);
    double customers, repeaters;
    return !rt_clv_check_summary(j->p->clv->has_spend ? RT_CLV_GAMMA_GAMMA : j->p->clv->model,
                                 &one, &customers, &repeaters) &&
           (!one.m || isfinite(one.m[0]));
}

static retain_status clv_run(job *j, const retain_matrix *x, slot *s)
{
    const rt_clv_loaded *m = j->p->clv;
    for (int64_t i = 0; i < x->rows; i++)
        if (!s->skip[i] && !clv_row_ok(j, s, i)) {
            const double *in = s->clv + i;
            int64_t b = j->block_rows;
            char spend[48] = "";
            if (m->has_spend)
                snprintf(spend, sizeof spend, ", clv_m_x %g", in[3 * b]);
            return rt_error(RETAIN_ERR_DATA,
                            "%s:%s row %lld (counting from 0): clv_x %g, clv_t_x %g, clv_T %g%s "
                            "is not a customer summary (it needs x >= 0, 0 <= t_x <= T%s); "
                            "make the clv_* columns with `retain features --with-clv`, or give "
                            "--skip-invalid to score the other rows",
                            j->p->input, rt_features_source(j->clv_in),
                            (long long)(s->first + i), in[0], in[b], in[2 * b], spend,
                            m->has_spend ? " and a finite clv_m_x, > 0 where x > 0" : "");
        }
    rt_clv_summary sum = clv_summary(j, s, 0, x->rows);
    rt_clv_predictions out = {s->col[j->clv_col], s->col[j->clv_col + 1],
                              m->has_spend ? j->clv_spend : NULL,
                              m->has_spend ? s->col[j->clv_col + 2] : NULL};
    return rt_clv_predict_all(m->model, m->params, m->has_spend ? m->spend : NULL,
                              &j->p->clv_horizon, &sum, &out);
}

static const scorer scorers[] = {
    {segment_columns, segment_run},
    {churn_columns, churn_run},
    {clv_columns, clv_run},
};
#define NSCORERS ((int)(sizeof scorers / sizeof scorers[0]))

/* ---- the memory plan ----------------------------------------------------- */

static int64_t row_bytes(const rt_score_params *p, int64_t d)
{
    int64_t bytes = d * (int64_t)sizeof(float) + 1 + (int64_t)sizeof(int64_t) +
                    (int64_t)sizeof(char *) + ID_STRING_BYTES;
    if (p->segments_path)
        bytes += 8;
    if (p->churn_path)
        bytes += 5;
    if (p->clv)
        bytes += (clv_inputs(p) + (p->clv->has_spend ? 3 : 2)) * (int64_t)sizeof(double);
    return bytes;
}

/* Rows per block and HDF5 chunk-cache bytes for a budget of p->memory
** bytes and d features, or RETAIN_ERR_USAGE naming --memory and the
** smallest budget that works. */
static retain_status plan_blocks(const rt_score_params *p, int64_t d, int64_t *block_rows,
                                 int64_t *chunk_cache)
{
    int64_t cache = p->memory / 16;
    cache = cache < ((int64_t)1 << 20) ? (int64_t)1 << 20
            : cache > ((int64_t)64 << 20) ? (int64_t)64 << 20
                                          : cache;
    int64_t per_row = SLOTS * row_bytes(p, d) + (p->churn_path ? 8 : 0) +
                      (p->clv ? (clv_inputs(p) + 1) * (int64_t)sizeof(double) : 0);
    int64_t left = p->memory - RT_SCORE_BASE_BYTES - cache;
    int64_t rows = left > 0 ? left / per_row : 0;
    if (rows < RT_SCORE_MIN_BLOCK_ROWS) {
        int64_t need = RT_SCORE_BASE_BYTES + cache + RT_SCORE_MIN_BLOCK_ROWS * per_row;
        char given[32];
        rt_mem_format(p->memory, given, sizeof given);
        return rt_error(RETAIN_ERR_USAGE,
                        "--memory %s is too small: the engine needs %lld MiB and %d blocks "
                        "of at least %lld rows of %lld features; give --memory %lldM or more",
                        given, (long long)(RT_SCORE_BASE_BYTES >> 20), SLOTS,
                        (long long)RT_SCORE_MIN_BLOCK_ROWS, (long long)d,
                        (long long)((need + ((int64_t)1 << 20) - 1) >> 20));
    }
    *block_rows = rows > RT_SCORE_MAX_BLOCK_ROWS ? RT_SCORE_MAX_BLOCK_ROWS : rows;
    *chunk_cache = cache;
    return RETAIN_OK;
}

/* ---- set-up -------------------------------------------------------------- */

/* Opens IN reading `columns` (NULL: every numeric column) with the job's
** options. */
static retain_status open_input(const job *j, const char *columns, int64_t cache,
                                rt_features **out)
{
    rt_features_spec spec = j->p->spec;
    spec.columns = columns;
    spec.allow_nonfinite = j->p->skip_invalid;
    spec.chunk_cache = cache;
    return rt_features_open(j->p->input, &spec, out);
}

/* Checks that IN (every: all its columns) has the clv_* columns the model
** needs, made in the model's time unit (and occasions, when recorded);
** *columns: their names for spec.columns (malloc'd). */
static retain_status check_clv_input(const job *j, const rt_features *every, char **columns)
{
    const rt_score_params *p = j->p;
    const rt_clv_loaded *m = p->clv;
    char unit[16], occasion[16];
    if (!(*columns = rt_features_select_names(CLV_INPUTS, clv_inputs(p), rt_features_names(every),
                                              rt_features_cols(every))))
        return rt_error(RETAIN_ERR_DATA,
                        "%s:%s lacks the columns --clv reads (clv_x, clv_t_x, clv_T%s); make "
                        "them with `retain features LOG --asof DATE --with-clv %s -o IN.h5`",
                        p->input, rt_features_source(every), m->has_spend ? ", clv_m_x" : "",
                        p->clv_path);
    if (!rt_features_attr_string(every, "clv_time_unit", unit, sizeof unit))
        return rt_error(RETAIN_ERR_DATA,
                        "%s has clv_* columns but no attribute clv_time_unit saying in which "
                        "unit clv_t_x and clv_T count; make them with `retain features LOG "
                        "--asof DATE --with-clv %s -o IN.h5` (or set the attribute to day or "
                        "week)", p->input, p->clv_path);
    if (strcmp(unit, m->time_unit) != 0)
        return rt_error(RETAIN_ERR_DATA,
                        "%s: its clv_* columns count time in %ss (attribute clv_time_unit) but "
                        "the model %s was fitted in %ss, so its parameters do not apply; make "
                        "the columns with this model (`retain features --with-clv %s`) or give "
                        "a model fitted with --time-unit %s",
                        p->input, unit, p->clv_path, m->time_unit, p->clv_path, unit);
    if (rt_features_attr_string(every, "clv_occasion", occasion, sizeof occasion) &&
        strcmp(occasion, m->occasion) != 0)
        return rt_error(RETAIN_ERR_DATA,
                        "%s: its clv_* columns count %s occasions (attribute clv_occasion) but "
                        "the model %s was fitted on %s occasions; make the columns with this "
                        "model (`retain features --with-clv %s`) or give a model fitted with "
                        "--occasion %s",
                        p->input, occasion, p->clv_path, m->occasion, p->clv_path, occasion);
    return RETAIN_OK;
}

/* Loads the models, checks they agree with each other and with the input,
** and opens the input: the models' columns selected by name (unless
** --columns chose them) and the clv_* columns; reads no rows. */
static retain_status open_inputs(job *j)
{
    const rt_score_params *p = j->p;
    char **seg_names = NULL, **churn_names = NULL;
    int64_t seg_d = 0, churn_d = 0;
    retain_status s = RETAIN_OK;
    if (p->segments_path &&
        !(s = rt_kmeans_model_load(p->segments_path, &j->segments, &seg_names)))
        seg_d = retain_kmeans_model_d(j->segments);
    if (!s && p->churn_path &&
        !(s = rt_logreg_model_load(p->churn_path, &j->churn, &churn_names)))
        churn_d = retain_logreg_model_d(j->churn);
    if (!s && seg_names && churn_names &&
        (s = rt_features_check_names(p->segments_path, (const char *const *)seg_names, seg_d,
                                     p->churn_path, (const char *const *)churn_names,
                                     churn_d)))
        s = rt_error_context(s, "the two models were fitted on different features; retrain "
                                "one on the other's columns");
    bool models = p->segments_path || p->churn_path;
    const char *const *model_names = (const char *const *)(seg_names ? seg_names : churn_names);
    int64_t d = seg_names ? seg_d : churn_d, block_rows = 0, cache = 0;
    if (!s)
        s = plan_blocks(p, d, &block_rows, &cache);
    s = rt_dist_agree(s); /* under MPI the input is opened by every rank together */
    if (models && p->clv)
        cache /= 2; /* two views of IN share the chunk-cache budget */
    rt_features *every = NULL;
    char *selected = NULL, *clv_columns = NULL;
    if (!s && (p->clv || (models && !p->spec.columns)))
        s = open_input(j, NULL, cache, &every);
    if (!s && models && !p->spec.columns)
        selected = rt_features_select_names(model_names, d, rt_features_names(every),
                                            rt_features_cols(every));
    if (!s && p->clv)
        s = check_clv_input(j, every, &clv_columns);
    rt_features_close(every);
    if (!s)
        s = open_input(j, !models ? clv_columns : selected ? selected : p->spec.columns, cache,
                       &j->f);
    if (!s && seg_names)
        s = rt_features_check_names(p->segments_path, (const char *const *)seg_names, seg_d,
                                     p->input, rt_features_names(j->f), rt_features_cols(j->f));
    if (!s && churn_names)
        s = rt_features_check_names(p->churn_path, (const char *const *)churn_names, churn_d,
                                     p->input, rt_features_names(j->f), rt_features_cols(j->f));
    if (!s && p->clv && !models)
        j->clv_in = j->f;
    else if (!s && p->clv)
        s = open_input(j, clv_columns, cache, &j->clv_in);
    free(selected);
    free(clv_columns);
    rt_h5_free_strings(seg_names, seg_d);
    rt_h5_free_strings(churn_names, churn_d);
    if (s)
        return s;
    j->n = rt_features_rows(j->f);
    j->d = d;
    rt_dist_rows(j->n, &j->first, &j->count);
    j->block_rows = block_rows < j->count ? block_rows : j->count > 0 ? j->count : 1;
    j->nblocks = (j->count + j->block_rows - 1) / j->block_rows;
    j->id_kind = !rt_features_has_user_ids(j->f)           ? RT_SCORE_IDS_ROW
                 : rt_features_user_ids_are_strings(j->f) ? RT_SCORE_IDS_STRING
                                                          : RT_SCORE_IDS_INT64;
    return RETAIN_OK;
}

static retain_status alloc_slots(job *j)
{
    int64_t b = j->block_rows;
    retain_status s = rt_mem_check_claim(SLOTS * b * row_bytes(j->p, j->d), "score blocks",
                                         "give a smaller --memory");
    if (s)
        return s;
    int64_t nclv = clv_inputs(j->p);
    if ((j->churn && !(j->prob = malloc((size_t)b * sizeof *j->prob))) ||
        (nclv && (!(j->clv_rows = malloc((size_t)(b * nclv) * sizeof *j->clv_rows)) ||
                  !(j->clv_spend = malloc((size_t)b * sizeof *j->clv_spend)))))
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a block of rows");
    for (int i = 0; i < SLOTS; i++) {
        slot *sl = &j->slots[i];
        if ((s = retain_malloc((size_t)(b * j->d) * sizeof(float), (void **)&sl->x)))
            return s;
        sl->skip = calloc((size_t)b, 1);
        sl->ids = malloc((size_t)b * sizeof *sl->ids);
        sl->id_strings = calloc((size_t)b, sizeof *sl->id_strings);
        sl->clv = nclv ? malloc((size_t)(b * nclv) * sizeof *sl->clv) : NULL;
        if (!sl->skip || !sl->ids || !sl->id_strings || (nclv && !sl->clv))
            return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a block of rows");
        for (int c = 0; c < j->ncols; c++)
            if (!(sl->col[c] = malloc((size_t)b * rt_score_type_size(j->cols[c].type))))
                return rt_error(RETAIN_ERR_INTERNAL, "out of memory for a block of rows");
    }
    return RETAIN_OK;
}

static void free_slots(job *j)
{
    for (int i = 0; i < SLOTS; i++) {
        slot *sl = &j->slots[i];
        retain_free(sl->x);
        free(sl->skip);
        free(sl->ids);
        for (int64_t r = 0; sl->id_strings && r < j->block_rows; r++)
            free(sl->id_strings[r]);
        free(sl->id_strings);
        free(sl->clv);
        for (int c = 0; c < j->ncols; c++)
            free(sl->col[c]);
    }
    free(j->prob);
    free(j->clv_rows);
    free(j->clv_spend);
}

/* ---- the I/O thread ------------------------------------------------------ */

/* The block's clv_* inputs, column after column into the slot. */
static retain_status read_clv_inputs(job *j, slot *sl)
{
    int64_t k = clv_inputs(j->p);
    retain_status s = rt_features_read_f64(j->clv_in, sl->first, sl->rows, j->clv_rows);
    for (int64_t i = 0; !s && i < sl->rows; i++)
        for (int64_t c = 0; c < k; c++)
            sl->clv[c * j->block_rows + i] = j->clv_rows[i * k + c];
    return s;
}

static retain_status read_block(job *j, int64_t b)
{
    slot *sl = &j->slots[b % SLOTS];
    int64_t end = j->first + j->count;
    sl->first = j->first + b * j->block_rows;
    sl->rows = end - sl->first < j->block_rows ? end - sl->first : j->block_rows;
    retain_status s = j->d ? rt_features_read(j->f, sl->first, sl->rows, sl->x) : RETAIN_OK;
    if (!s && j->clv_in)
        s = read_clv_inputs(j, sl);
    if (s == RETAIN_ERR_DATA && !j->p->skip_invalid) {
        char why[1024];
        snprintf(why, sizeof why, "%s", retain_last_error());
        return rt_error(s, "%s; or give --skip-invalid to score the other rows", why);
    }
    if (s)
        return s;
    if (j->id_kind == RT_SCORE_IDS_INT64)
        return rt_features_read_user_ids(j->f, sl->first, sl->rows, sl->ids);
    if (j->id_kind == RT_SCORE_IDS_STRING)
        return rt_features_read_user_id_strings(j->f, sl->first, sl->rows, sl->id_strings);
    for (int64_t i = 0; i < sl->rows; i++)
        sl->ids[i] = sl->first + i;
    return RETAIN_OK;
}

static retain_status write_block(job *j, int64_t b)
{
    slot *sl = &j->slots[b % SLOTS];
    retain_status s = rt_score_file_write(j->out, sl->first, sl->rows,
                                          (const void *const *)sl->col, sl->ids,
                                          (const char *const *)sl->id_strings);
    if (j->id_kind == RT_SCORE_IDS_STRING)
        for (int64_t i = 0; i < sl->rows; i++) {
            free(sl->id_strings[i]);
            sl->id_strings[i] = NULL;
        }
    return s;
}

static void *io_thread(void *arg)
{
    job *j = arg;
    rt_h5_quiet_thread();
    pthread_mutex_lock(&j->mu);
    while (!j->stop && j->written < j->nblocks) {
        bool can_read = j->read < j->nblocks && j->read < j->written + SLOTS;
        bool can_write = j->scored > j->written;
        if (!can_read && !can_write) {
            pthread_cond_wait(&j->cv, &j->mu);
            continue;
        }
        /* A scorer waiting for its next block goes first. */
        bool reading = can_read && (!can_write || j->read == j->scored);
        int64_t b = reading ? j->read : j->written;
        pthread_mutex_unlock(&j->mu);
        retain_status s = reading ? read_block(j, b) : write_block(j, b);
        pthread_mutex_lock(&j->mu);
        if (s) {
            j->io_status = s;
            snprintf(j->io_msg, sizeof j->io_msg, "%s", retain_last_error());
            j->stop = true;
        } else if (reading) {
            j->read++;
        } else {
            j->written++;
        }
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- scoring ------------------------------------------------------------- */

/* --skip-invalid: flags the rows with NaN/Inf features or a clv_* summary
** the models cannot take, and gives them zeros (a new customer's summary),
** so the models see valid numbers; their outputs are replaced afterwards. */
static void flag_invalid(job *j, slot *sl)
{
    rt_first_nonfinite_fn first_nonfinite = rt_kernels_get()->first_nonfinite;
    int64_t d = j->d, total = sl->rows * d, at = 0;
    memset(sl->skip, 0, (size_t)sl->rows);
    while (at < total) {
        int64_t bad = first_nonfinite(sl->x + at, total - at);
        if (bad < 0 || at + bad >= total)
            break;
        int64_t row = (at + bad) / d;
        sl->skip[row] = 1;
        memset(sl->x + row * d, 0, (size_t)d * sizeof(float));
        at = (row + 1) * d;
    }
    for (int64_t i = 0; j->clv_in && i < sl->rows; i++)
        if (sl->skip[i] || !clv_row_ok(j, sl, i)) {
            sl->skip[i] = 1;
            for (int64_t c = 0; c < clv_inputs(j->p); c++)
                sl->clv[c * j->block_rows + i] = 0.0;
        }
}

static void blank_skipped(job *j, slot *sl, int64_t i)
{
    for (int c = 0; c < j->ncols; c++) {
        if (j->cols[c].type == RT_SCORE_FLOAT32)
            ((float *)sl->col[c])[i] = NAN;
        else if (j->cols[c].type == RT_SCORE_FLOAT64)
            ((double *)sl->col[c])[i] = NAN;
        else if (j->cols[c].type == RT_SCORE_INT32)
            ((int32_t *)sl->col[c])[i] = -1;
        else
            ((int8_t *)sl->col[c])[i] = -1;
    }
}

static void tally(job *j, slot *sl)
{
    rt_score_summary *sum = j->sum;
    for (int64_t i = 0; i < sl->rows; i++) {
        if (sl->skip[i]) {
            if (sum->first_skipped < 0)
                sum->first_skipped = sl->first + i;
            sum->skipped++;
            blank_skipped(j, sl, i);
            continue;
        }
        int64_t seg = j->segment_col >= 0 ? ((int32_t *)sl->col[j->segment_col])[i] : 0;
        int64_t tier = j->churn_col >= 0 ? ((int8_t *)sl->col[j->churn_col + 1])[i] : 0;
        sum->users[seg * sum->tiers + tier]++;
        if (j->churn_col >= 0)
            sum->churners[seg * sum->tiers + tier] += j->prob[i];
        if (j->clv_col >= 0) {
            double expected = ((double *)sl->col[j->clv_col + 1])[i];
            int band = rt_clv_band(((double *)sl->col[j->clv_col])[i]);
            sum->band_users[band]++;
            sum->band_expected[band] += expected;
            sum->expected_purchases += expected;
            if (j->p->clv->has_spend)
                sum->clv += ((double *)sl->col[j->clv_col + 2])[i];
        }
    }
}

/* ---- the GPU ------------------------------------------------------------ */

#ifdef RETAIN_WITH_CUDA
/* Pins one buffer; the first refusal is reported once, as a warning. */
static retain_status gpu_pin(job *j, void *p, int64_t bytes, bool *warned)
{
    char why[256];
    retain_status s = rt_cuda_score_pin(j->gpu, p, (size_t)bytes, why, sizeof why);
    if (!s && why[0] && !*warned) {
        rt_log(RETAIN_LOG_WARN, "score: %s; copies to and from the GPU will not overlap "
                                "its work", why);
        *warned = true;
    }
    return s;
}
#endif

/* --device cuda: the segment and churn models on the GPU for blocks of
** j->block_rows rows, with the slots' rows, their segment columns and the
** churn probabilities pinned. */
static retain_status gpu_open(job *j)
{
    if (j->p->device != RETAIN_DEVICE_CUDA || (!j->segments && !j->churn))
        return RETAIN_OK;
#ifdef RETAIN_WITH_CUDA
    const retain_kmeans_model *m = j->segments;
    bool scaled = m && m->params.scale != RETAIN_SCALE_NONE;
    rt_cuda_score_models models = {
        .d = j->d,
        .k = m ? m->k : 0,
        .centres = m ? m->centroids_scaled : NULL,
        .offset = scaled ? m->offset : NULL,
        .spread = scaled ? m->spread : NULL,
        .coef = j->churn ? retain_logreg_model_coef_original(j->churn) : NULL,
        .intercept = j->churn ? retain_logreg_model_intercept_original(j->churn) : 0.0};
    int64_t b = j->block_rows;
    bool warned = false;
    retain_status s = rt_cuda_score_open(&models, b, &j->gpu);
    for (int i = 0; i < SLOTS && !s; i++) {
        slot *sl = &j->slots[i];
        s = gpu_pin(j, sl->x, b * j->d * (int64_t)sizeof(float), &warned);
        if (!s && m)
            s = gpu_pin(j, sl->col[j->segment_col], b * (int64_t)sizeof(int32_t), &warned);
        if (!s && m)
            s = gpu_pin(j, sl->col[j->segment_col + 1], b * (int64_t)sizeof(float), &warned);
    }
    if (!s && j->churn)
        s = gpu_pin(j, j->prob, b * (int64_t)sizeof(double), &warned);
    return s;
#else
    return rt_error(RETAIN_ERR_DEVICE, "score --device cuda: this build has no CUDA backend");
#endif
}

/* Fills the GPU's columns of the block (segment, distance, j->prob). */
static retain_status gpu_run(job *j, slot *sl)
{
#ifdef RETAIN_WITH_CUDA
    bool seg = j->segments != NULL;
    return rt_cuda_score_run(j->gpu, sl->x, sl->rows, seg ? sl->col[j->segment_col] : NULL,
                             seg ? sl->col[j->segment_col + 1] : NULL,
                             j->churn ? j->prob : NULL);
#else
    (void)sl;
    return rt_error(RETAIN_ERR_INTERNAL, "score: a GPU block without CUDA");
#endif
}

/* Unpins and frees what gpu_open set up; before the slots go. */
static void gpu_close(job *j)
{
#ifdef RETAIN_WITH_CUDA
    rt_cuda_score_close(j->gpu);
#endif
    j->gpu = NULL;
}

static retain_status score_block(job *j, slot *sl)
{
    if (j->p->skip_invalid)
        flag_invalid(j, sl);
    retain_matrix x = {sl->x, sl->rows, j->d, j->d};
    retain_status s = j->gpu ? gpu_run(j, sl) : RETAIN_OK;
    for (int k = 0; k < NSCORERS && !s; k++)
        if (j->active[k])
            s = scorers[k].run(j, &x, sl);
    if (!s)
        tally(j, sl);
    return s;
}

/* Scores every block on the calling thread while io_thread reads and
** writes; returns the first failure of either. */
static retain_status run_pipeline(job *j)
{
    pthread_t io;
    if (pthread_create(&io, NULL, io_thread, j) != 0)
        return rt_error(RETAIN_ERR_INTERNAL, "cannot start the I/O thread");
    retain_status s = RETAIN_OK;
    for (int64_t b = 0; b < j->nblocks; b++) {
        pthread_mutex_lock(&j->mu);
        while (!j->stop && j->read <= b)
            pthread_cond_wait(&j->cv, &j->mu);
        bool stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (stop)
            break;
        s = score_block(j, &j->slots[b % SLOTS]);
        pthread_mutex_lock(&j->mu);
        if (s)
            j->stop = true;
        else
            j->scored++;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
        if (s)
            break;
        if (j->p->progress)
            j->p->progress(j->p->progress_user, "score", (b + 1) * j->block_rows < j->count
                                                             ? (b + 1) * j->block_rows
                                                             : j->count,
                           j->count);
    }
    pthread_join(io, NULL);
    if (!s && j->io_status)
        s = rt_error(j->io_status, "%s", j->io_msg);
    return s;
}

/* ---- the output ---------------------------------------------------------- */

static retain_status model_attrs(rt_score_file *out, const char *prefix, const char *path)
{
    char id[17], trained_at[32], name[64];
    retain_status s = rt_model_identity(path, id, trained_at);
    if (s)
        return s;
    snprintf(name, sizeof name, "%s_model", prefix);
    if ((s = rt_score_file_attr_string(out, name, path)))
        return s;
    snprintf(name, sizeof name, "%s_model_id", prefix);
    if ((s = rt_score_file_attr_string(out, name, id)))
        return s;
    snprintf(name, sizeof name, "%s_model_trained_at", prefix);
    return rt_score_file_attr_string(out, name, trained_at);
}

static retain_status write_attrs(job *j, double seconds)
{
    const rt_score_params *p = j->p;
    struct stat st;
    int64_t input_bytes = stat(p->input, &st) == 0 ? (int64_t)st.st_size : -1;
    char cuts[RT_RISK_MAX_TIERS * 24] = "";
    for (int t = 0; t < p->risk.count; t++)
        snprintf(cuts + strlen(cuts), sizeof cuts - strlen(cuts), "%s%g", t ? "," : "",
                 p->risk.at[t]);
    retain_status s;
    if ((s = rt_score_file_attr_string(j->out, "input", p->input)) ||
        (s = rt_score_file_attr_string(j->out, "input_dataset", rt_features_source(j->f))) ||
        (s = rt_score_file_attr_int64(j->out, "input_bytes", input_bytes)) ||
        (s = rt_score_file_attr_string(j->out, "engine_version", retain_version())) ||
        (s = rt_score_file_attr_int64(j->out, "rows", j->n)) ||
        (s = rt_score_file_attr_int64(j->out, "skipped_rows", j->sum->skipped)) ||
        (s = rt_score_file_attr_double(j->out, "seconds", seconds)) ||
        (p->segments_path && (s = model_attrs(j->out, "segments", p->segments_path))) ||
        (p->churn_path && ((s = model_attrs(j->out, "churn", p->churn_path)) ||
                           (s = rt_score_file_attr_string(j->out, "churn_risk_cuts", cuts)))) ||
        (p->clv &&
         ((s = model_attrs(j->out, "clv", p->clv_path)) ||
          (s = rt_score_file_attr_string(j->out, "clv_model_kind", p->clv->model_name)) ||
          (s = rt_score_file_attr_string(j->out, "clv_time_unit", p->clv->time_unit)) ||
          (s = rt_score_file_attr_string(j->out, "clv_horizon", p->clv_horizon_text)) ||
          (s = rt_score_file_attr_double(j->out, "clv_horizon_units", p->clv_horizon.length)))))
        return s;
    if (p->clv && p->clv->has_spend &&
        ((s = rt_score_file_attr_double(j->out, "clv_discount", p->clv_horizon.rate)) ||
         (s = rt_score_file_attr_string(j->out, "clv_discount_period", p->clv_discount_period))))
        return s;
    return RETAIN_OK;
}

/* The summary over every rank's rows (one process: as it is). Ranks hold
** rows in order, so the first skipped row is the first rank's that has one. */
static retain_status sum_summary(rt_score_summary *sum)
{
    int64_t cells = sum->segments * sum->tiers, width = 2 * cells + 2 * RT_CLV_BANDS + 3;
    int ranks = rt_dist_size();
    if (ranks == 1)
        return RETAIN_OK;
    double *v = calloc((size_t)(width * (ranks + 1)), sizeof *v);
    retain_status s = v ? RETAIN_OK : rt_error(RETAIN_ERR_INTERNAL, "out of memory for the "
                                               "summary");
    double *all = v ? v + width : NULL;
    if (v) {
        for (int64_t c = 0; c < cells; c++) {
            v[c] = (double)sum->users[c];
            v[cells + c] = sum->churners[c];
        }
        for (int b = 0; b < RT_CLV_BANDS; b++) {
            v[2 * cells + b] = (double)sum->band_users[b];
            v[2 * cells + RT_CLV_BANDS + b] = sum->band_expected[b];
        }
        v[width - 3] = (double)sum->skipped;
        v[width - 2] = sum->expected_purchases;
        v[width - 1] = sum->clv;
    }
    if (!(s = rt_dist_allgather_f64(s, v, width, all)))
        rt_reduce_blocks_f64(all, ranks, width, v); /* in rank order */
    /* the first skipped row: the first rank's with any, sent by that rank */
    int64_t first_skipped = -1;
    for (int r = 0; !s && r < ranks; r++)
        if (all[r * width + width - 3] > 0) {
            first_skipped = sum->first_skipped;
            s = rt_dist_bcast(s, &first_skipped, sizeof first_skipped, r);
            break;
        }
    if (!s) {
        for (int64_t c = 0; c < cells; c++) {
            sum->users[c] = (int64_t)v[c];
            sum->churners[c] = v[cells + c];
        }
        for (int b = 0; b < RT_CLV_BANDS; b++) {
            sum->band_users[b] = (int64_t)v[2 * cells + b];
            sum->band_expected[b] = v[2 * cells + RT_CLV_BANDS + b];
        }
        sum->skipped = (int64_t)v[width - 3];
        sum->expected_purchases = v[width - 2];
        sum->clv = v[width - 1];
        sum->first_skipped = first_skipped;
    }
    free(v);
    return s;
}

static retain_status write_output(job *j, double t0)
{
    const rt_score_params *p = j->p;
    const char *inputs[4] = {p->input, p->segments_path ? p->segments_path : p->input,
                             p->churn_path ? p->churn_path : p->input,
                             p->clv_path ? p->clv_path : p->input};
    rt_output out;
    retain_status s = rt_output_begin_shared(&out, p->output, inputs, 4);
    if (s)
        return s;
    s = rt_score_file_create(out.tmp_path, j->cols, j->ncols, j->n, j->id_kind, &j->out);
    if (!s)
        s = run_pipeline(j);
    /* under MPI: every rank's rows are written; the summary and the
    ** attributes (written by all ranks alike) are everyone's */
    if (!(s = rt_dist_agree(s)))
        s = sum_summary(j->sum);
    double seconds = rt_seconds() - t0;
    s = rt_dist_bcast(s, &seconds, sizeof seconds, 0);
    if (!s)
        s = write_attrs(j, seconds);
    s = rt_score_file_close(j->out, rt_dist_agree(s));
    j->out = NULL;
    return rt_output_end_shared(&out, s);
}

retain_status rt_score_run(const rt_score_params *p, rt_score_summary *out)
{
    memset(out, 0, sizeof *out);
    if (!p->segments_path && !p->churn_path && !p->clv)
        return rt_error(RETAIN_ERR_USAGE, "give a segment model (--segments), a churn model "
                                          "(--churn), a lifetime-value model (--clv) or "
                                          "several");
    double t0 = rt_seconds();
    job *j = calloc(1, sizeof *j);
    if (!j)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory");
    j->p = p;
    j->sum = out;
    j->segment_col = j->churn_col = j->clv_col = -1;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    retain_status s = open_inputs(j);
    for (int k = 0; k < NSCORERS && !s; k++)
        j->active[k] = scorers[k].columns(j);
    out->rows = j->n;
    out->first_skipped = -1;
    out->segments = j->segments ? retain_kmeans_model_k(j->segments) : 1;
    out->tiers = j->churn ? p->risk.count + 1 : 1;
    out->block_rows = j->block_rows;
    out->blocks = j->nblocks;
    if (!s && (!(out->users = calloc((size_t)(out->segments * out->tiers), sizeof *out->users)) ||
               !(out->churners = calloc((size_t)(out->segments * out->tiers),
                                        sizeof *out->churners))))
        s = rt_error(RETAIN_ERR_INTERNAL, "out of memory for the summary");
    if (!s)
        s = alloc_slots(j);
    if (!s)
        s = gpu_open(j);
    if (!s)
        s = write_output(j, t0);
    out->seconds = rt_seconds() - t0;
    gpu_close(j);
    free_slots(j);
    if (j->clv_in != j->f)
        rt_features_close(j->clv_in);
    rt_features_close(j->f);
    retain_kmeans_free(j->segments);
    retain_logreg_free(j->churn);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
    if (s)
        rt_score_summary_free(out);
    return s;
}

void rt_score_summary_free(rt_score_summary *s)
{
    free(s->users);
    free(s->churners);
    s->users = NULL;
    s->churners = NULL;
}
