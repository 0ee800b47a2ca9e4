/*
** src/kmeans/minibatch.c: mini-batch k-means (Sculley, "Web-scale k-means
** clustering", WWW 2010) as scikit-learn's MiniBatchKMeans runs it, over
** rows read in pieces from a retain_row_source, so the data never has to
** fit in memory.
**
** Passes over the source:
**   1. fit the scaler piece by piece (scale.c) and keep the seeding sample:
**      n_init + 1 sets of init_size rows (init_size = 3 * batch_size, at
**      least 3k, at most n), the last set to score each seeding by its
**      inertia, as MiniBatchKMeans does; sets are drawn without
**      replacement (MiniBatchKMeans draws with), so a small file is used
**      whole rather than with repeats.
**   2. max_iter epochs. Each reads the rows once: segments of ~1 MiB in a
**      seeded order, BAND_BYTES of them at a time, rows shuffled
**      within that band and cut into batches. A batch moves each centroid
**      to the weighted mean of every row it has received so far (float64);
**      centroids falling below 1% of the largest count are re-seeded from
**      the batch (scikit-learn's random reassignment). The run stops after
**      max_no_improvement steps without a lower smoothed batch inertia, or
**      when one step's squared shift is <= tol.
**   3. label every row: sizes and the inertia (direct differences,
**      float64). A segment left with no rows takes the row farthest from
**      its centroid and the pass repeats, so there are always k segments.
** Segments do not depend on how a file is chunked, so the model does not
** either (the command line opens the file without a chunk cache:
** rt_features_spec.random_access). The order of segments and rows depends on the seed
** only, so the model has the same bits for any thread count, and the same
** whether the rows come from memory or from a file.
*/
#include "kmeans.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_BYTES (1 << 20)
#define BAND_BYTES (16 << 20)
#define REASSIGNMENT_RATIO 0.01
#define MAX_FILL_PASSES 8
/* rt_rng streams beside the runs' 0 .. n_init - 1 */
#define STREAM_SAMPLE UINT64_C(0xffffffffffff0001)
#define STREAM_EPOCHS UINT64_C(0xffffffffffff0002)

typedef struct stream {
    const retain_row_source *src;
    int64_t n, d;
    int64_t seg_rows, nseg, band_rows;
    float *x, *w;                 /* band_rows x d, band_rows (w NULL: unweighted) */
    const double *offset, *spread; /* set once the scaler is fitted             */
} stream;

/* Rows [first, first + count) into x, w (scaled once the scaler is set);
** weights are checked: finite and >= 0. */
static retain_status read_rows(const stream *st, int64_t first, int64_t count, float *x,
                               float *w)
{
    retain_status s = st->src->read(st->src->user, first, count, x, w);
    if (s)
        return s;
    for (int64_t i = 0; w && i < count; i++)
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return rt_error(RETAIN_ERR_DATA, "sample weight of row %lld is %g; weights must "
                            "be finite and >= 0", (long long)(first + i), (double)w[i]);
    if (st->offset) {
        /* a segment is a few blocks: threads only pay for whole bands */
        int64_t nblocks = rt_block_count(count);
#pragma omp parallel for schedule(static) num_threads(rt_threads()) if (nblocks >= 16)
        for (int64_t b = 0; b < nblocks; b++) {
            int64_t r0 = b * RT_BLOCK_ROWS;
            int64_t rows = count - r0 < RT_BLOCK_ROWS ? count - r0 : RT_BLOCK_ROWS;
            rt_scale_rows(x + r0 * st->d, rows, st->d, st->d, st->offset, st->spread,
                                 x + r0 * st->d);
        }
    }
    return RETAIN_OK;
}

/* ---- pass 1: scaler and seeding sample -------------------------------------- */

/* Fits the scaler into m and fills the sample: `sets` sets of `size` rows
** (sets * size x d, scaled; weights sw), each drawn without replacement by
** selection sampling (Knuth's Algorithm S) as the rows stream past. */
static retain_status scaler_and_sample(stream *st, const retain_kmeans_params *p,
                                       retain_kmeans_model *m, int64_t sets, int64_t size,
                                       float *sample, float *sw)
{
    int64_t d = st->d;
    rt_scaler_acc acc;
    int64_t *taken = calloc((size_t)sets, sizeof *taken);
    retain_status s = taken ? rt_scaler_acc_init(&acc, d, p->scale)
                            : rt_error(RETAIN_ERR_INTERNAL, "out of memory for the sample");
    if (s) {
        free(taken);
        return s;
    }
    rt_rng rng;
    rt_rng_init(&rng, p->seed, STREAM_SAMPLE);
    double total = 0.0;
    for (int64_t first = 0; !s && first < st->n; first += st->band_rows) {
        int64_t count = st->n - first < st->band_rows ? st->n - first : st->band_rows;
        if ((s = read_rows(st, first, count, st->x, st->w)) ||
            (s = rt_scaler_acc_add(&acc, st->x, count, st->w)))
            break;
        for (int64_t i = 0; st->w && i < count; i++)
            total += st->w[i];
        for (int64_t i = 0; i < count; i++) {
            double left = (double)(st->n - first - i);
            for (int64_t t = 0; t < sets; t++) {
                if (!(rt_rng_uniform(&rng) * left < (double)(size - taken[t])))
                    continue;
                int64_t slot = t * size + taken[t]++;
                memcpy(sample + slot * d, st->x + i * d, (size_t)d * sizeof *sample);
                sw[slot] = st->w ? st->w[i] : 1.0f;
            }
        }
    }
    if (!s && st->w && !(total > 0))
        s = rt_error(RETAIN_ERR_DATA, "the sample weights sum to 0");
    if (!s) {
        rt_scaler_acc_finish(&acc, m->offset, m->spread, &m->tol_scale);
        rt_scale_rows(sample, sets * size, d, d, m->offset, m->spread, sample);
    }
    rt_scaler_acc_free(&acc);
    free(taken);
    return s;
}

/* ---- seeding ---------------------------------------------------------------- */

/* Weighted inertia of rows (n x d) against centres c. */
static double sample_inertia(const rt_kmeans_centers *c, const float *x, const float *w,
                             int64_t n, int32_t *lab, float *dist, void *scratch)
{
    double sum = 0.0;
    for (int64_t r0 = 0; r0 < n; r0 += RT_BLOCK_ROWS) {
        int64_t rows = n - r0 < RT_BLOCK_ROWS ? n - r0 : RT_BLOCK_ROWS;
        rt_kmeans_assign_rows(c, x + r0 * c->d, rows, c->d, lab, dist, scratch);
        for (int64_t i = 0; i < rows; i++)
            sum += (double)w[r0 + i] * dist[i];
    }
    return sum;
}

/* n_init seedings, each on its own sample set; the one of least inertia on
** the last set goes into centers. */
static retain_status seed(const retain_kmeans_params *p, retain_kmeans_model *m,
                          const float *sample, const float *sw, int64_t init_size,
                          rt_kmeans_centers *c, float *centers, int32_t *lab, float *dist,
                          void *scratch)
{
    int64_t k = p->k, d = m->d;
    const float *valid = sample + m->n_init * init_size * d, *vw = sw + m->n_init * init_size;
    float *trial = malloc((size_t)(k * d) * sizeof *trial);
    if (!trial)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory seeding k-means");
    retain_status s = RETAIN_OK;
    double best = INFINITY;
    for (int64_t run = 0; run < m->n_init; run++) {
        rt_kmeans_data set = {sample + run * init_size * d, init_size, d, d,
                              sw + run * init_size};
        rt_rng rng;
        rt_rng_init(&rng, p->seed, (uint64_t)run);
        if (p->init == RETAIN_KMEANS_INIT_GIVEN) {
            rt_scale_rows(p->init_centroids, k, d, d, m->offset, m->spread, trial);
        } else {
            int64_t distinct;
            if ((s = rt_kmeans_count_distinct(&set, k, &distinct)))
                break;
            if (distinct < k) {
                s = rt_error(RETAIN_ERR_DATA, "k = %lld segments but a seeding sample of %lld "
                             "rows has only %lld distinct rows of positive weight; the data "
                             "may have fewer than k distinct rows: ask for fewer segments, or "
                             "a larger --batch-size (the sample is 3 batches)",
                             (long long)k, (long long)init_size, (long long)distinct);
                break;
            }
            s = p->init == RETAIN_KMEANS_INIT_RANDOM
                    ? rt_kmeans_init_random(&set, k, &rng, trial)
                    : rt_kmeans_init_plusplus(&set, k, NULL, &rng, NULL, NULL, trial);
            if (s)
                break;
        }
        rt_kmeans_centers_set(c, trial);
        double inertia = sample_inertia(c, valid, vw, init_size, lab, dist, scratch);
        if (run == 0 || inertia < best) {
            best = inertia;
            memcpy(centers, trial, (size_t)(k * d) * sizeof *centers);
        }
    }
    free(trial);
    return s;
}

/* ---- pass 2: the steps -------------------------------------------------------- */

typedef struct ranked {
    double count;
    int64_t l;
} ranked;

static int ranked_order(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->count != q->count)
        return p->count < q->count ? -1 : 1;
    return (p->l > q->l) - (p->l < q->l);
}

typedef struct steps {
    int64_t k, d, n, batch, max_no_improvement;
    double tol;
    rt_kmeans_centers c;
    float *centers, *old;  /* k x d: now, before the step                  */
    double *count;         /* k: weight each centre has received           */
    double *sums, *wsum;   /* k x d, k: one batch's                        */
    ranked *rank;          /* k                                            */
    bool *take;            /* k: centres to re-seed                        */
    int32_t *lab;          /* batch labels                                 */
    float *dist, *wleft;   /* batch: squared distances, undrawn weights    */
    float *xb, *wb;        /* the batch gathered: batch x d, batch         */
    void *scratch;
    int64_t since_reassign, no_improvement, done;
    double ewa, ewa_min;
    bool converged;
    rt_rng rng;
} steps;

/* Centres whose received weight is below REASSIGNMENT_RATIO of the largest
** take rows of the batch drawn by weight without replacement, as
** scikit-learn's _mini_batch_step does with random_reassign: at most the
** lightest half-batch of them, in centre order; their counts become the
** least count kept. */
static void reassign(steps *st, const float *x, const float *w, int64_t rows)
{
    int64_t k = st->k, d = st->d, chosen = 0;
    double most = 0.0, total = 0.0, keep_min = INFINITY;
    for (int64_t l = 0; l < k; l++) {
        most = st->count[l] > most ? st->count[l] : most;
        st->rank[l] = (ranked){st->count[l], l};
        st->take[l] = false;
    }
    qsort(st->rank, (size_t)k, sizeof *st->rank, ranked_order);
    for (int64_t r = 0; r < k && r < rows / 2; r++)
        if (st->rank[r].count < REASSIGNMENT_RATIO * most) {
            st->take[st->rank[r].l] = true;
            chosen++;
        }
    for (int64_t i = 0; i < rows; i++) {
        st->wleft[i] = w[i];
        total += w[i];
    }
    if (chosen == 0 || !(total > 0))
        return;
    for (int64_t l = 0; l < k; l++)
        if (!st->take[l] && st->count[l] < keep_min)
            keep_min = st->count[l];
    for (int64_t l = 0; l < k && total > 0; l++) {
        if (!st->take[l])
            continue;
        /* the first row whose running weight passes u (the last drawable
        ** one when rounding leaves u beyond the sum) */
        double u = rt_rng_uniform(&st->rng) * total, run = 0.0;
        int64_t pick = -1;
        for (int64_t i = 0; i < rows; i++) {
            if (!(st->wleft[i] > 0))
                continue;
            pick = i;
            run += st->wleft[i];
            if (run > u)
                break;
        }
        total -= st->wleft[pick];
        st->wleft[pick] = 0.0f;
        memcpy(st->centers + l * d, x + pick * d, (size_t)d * sizeof *x);
        st->count[l] = keep_min;
    }
}

/* One step on rows (rows x d, weights w); sets st->converged to stop. */
static void step(steps *st, const float *x, const float *w, int64_t rows)
{
    int64_t k = st->k, d = st->d;
    rt_kmeans_centers_set(&st->c, st->centers);
    memcpy(st->old, st->centers, (size_t)(k * d) * sizeof *st->old);
    memset(st->sums, 0, (size_t)(k * d) * sizeof *st->sums);
    memset(st->wsum, 0, (size_t)k * sizeof *st->wsum);
    rt_kmeans_data batch = {x, rows, d, d, w};
    double inertia = 0.0;
    for (int64_t r0 = 0; r0 < rows; r0 += RT_BLOCK_ROWS) {
        int64_t n = rows - r0 < RT_BLOCK_ROWS ? rows - r0 : RT_BLOCK_ROWS;
        rt_kmeans_assign_rows(&st->c, x + r0 * d, n, d, st->lab, st->dist, st->scratch);
        rt_kmeans_accumulate(&batch, r0, n, st->lab, k, st->sums, st->wsum);
        for (int64_t i = 0; i < n; i++)
            inertia += (double)w[r0 + i] * st->dist[i];
    }
    /* scikit-learn's _random_reassign, asked before the step */
    bool empty = false;
    for (int64_t l = 0; l < k; l++)
        empty |= st->count[l] == 0;
    st->since_reassign += rows;
    bool reseed = empty || st->since_reassign >= 10 * k;
    if (reseed)
        st->since_reassign = 0;
    for (int64_t l = 0; l < k; l++) {
        if (!(st->wsum[l] > 0))
            continue;
        double now = st->count[l] + st->wsum[l];
        for (int64_t j = 0; j < d; j++)
            st->centers[l * d + j] =
                (float)((st->centers[l * d + j] * st->count[l] + st->sums[l * d + j]) / now);
        st->count[l] = now;
    }
    if (reseed)
        reassign(st, x, w, rows);
    double shift = 0.0;
    for (int64_t t = 0; t < k * d; t++) {
        double e = (double)st->centers[t] - st->old[t];
        shift += e * e;
    }
    /* MiniBatchKMeans._mini_batch_convergence */
    st->done++;
    if (st->done == 1)
        return;
    double mean = inertia / (double)rows;
    double alpha = (double)st->batch * 2.0 / ((double)st->n + 1.0);
    alpha = alpha < 1.0 ? alpha : 1.0;
    st->ewa = st->done == 2 ? mean : st->ewa * (1.0 - alpha) + mean * alpha;
    if (st->tol > 0 && shift <= st->tol)
        st->converged = true;
    if (st->done == 2 || st->ewa < st->ewa_min) {
        st->no_improvement = 0;
        st->ewa_min = st->ewa;
    } else {
        st->no_improvement++;
    }
    if (st->max_no_improvement > 0 && st->no_improvement >= st->max_no_improvement)
        st->converged = true;
}

static void shuffle(rt_rng *rng, int64_t *v, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rt_rng_below(rng, (uint64_t)i + 1), t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* Epochs until max_iter or a stop; band and order scratch from st. */
static retain_status epochs(stream *io, steps *st, const retain_kmeans_params *p,
                            retain_kmeans_model *m)
{
    int64_t d = io->d, *seg = NULL, *order = NULL;
    retain_status s = retain_malloc((size_t)io->nseg * sizeof *seg, (void **)&seg);
    int64_t held = io->band_rows < io->n ? io->band_rows : io->n;
    if (!s)
        s = retain_malloc((size_t)held * sizeof *order, (void **)&order);
    int64_t per_epoch = 0, band_segments = io->band_rows / io->seg_rows;
    for (int64_t b0 = 0; b0 < io->nseg; b0 += band_segments) {
        int64_t first = b0 * io->seg_rows, end = (b0 + band_segments) * io->seg_rows;
        int64_t rows = (end < io->n ? end : io->n) - first;
        per_epoch += (rows + st->batch - 1) / st->batch;
    }
    rt_rng_init(&st->rng, p->seed, STREAM_EPOCHS);
    int64_t passes = 0;
    for (int64_t e = 0; !s && e < p->max_iter && !st->converged; e++, passes++) {
        for (int64_t g = 0; g < io->nseg; g++)
            seg[g] = g;
        shuffle(&st->rng, seg, io->nseg);
        for (int64_t b0 = 0; !s && b0 < io->nseg && !st->converged; b0 += band_segments) {
            int64_t rows = 0;
            for (int64_t g = b0; !s && g < io->nseg && g < b0 + band_segments; g++) {
                int64_t first = seg[g] * io->seg_rows;
                int64_t count = io->n - first < io->seg_rows ? io->n - first : io->seg_rows;
                s = read_rows(io, first, count, io->x + rows * d, io->w ? io->w + rows : NULL);
                rows += count;
            }
            for (int64_t i = 0; i < rows; i++)
                order[i] = i;
            shuffle(&st->rng, order, rows);
            for (int64_t r0 = 0; !s && r0 < rows && !st->converged; r0 += st->batch) {
                int64_t n = rows - r0 < st->batch ? rows - r0 : st->batch;
                for (int64_t i = 0; i < n; i++) {
                    memcpy(st->xb + i * d, io->x + order[r0 + i] * d, (size_t)d * sizeof *st->xb);
                    st->wb[i] = io->w ? io->w[order[r0 + i]] : 1.0f;
                }
                step(st, st->xb, st->wb, n);
                if (p->progress)
                    p->progress(p->progress_user, "minibatch", st->done,
                                per_epoch * p->max_iter);
            }
        }
    }
    m->n_steps = st->done;
    /* passes begun, as scikit-learn's n_iter_ counts them (the last may
    ** stop part way); a band's last batch may be short, so steps * batch
    ** can exceed the rows read */
    m->n_iter = passes;
    m->iterations_total = m->n_iter;
    m->converged = st->converged;
    retain_free(seg);
    retain_free(order);
    return s;
}

/* ---- pass 3: every row labelled ----------------------------------------------- */

typedef struct tally_ctx {
    const rt_kmeans_data *x;
    const int32_t *lab;
    const float *centers;
    int64_t k;
} tally_ctx;

static void tally_block(void *ctx, int thread, int64_t first, int64_t rows, double *partial)
{
    const tally_ctx *t = ctx;
    rt_kmeans_tally(t->x, first, rows, t->lab + first, t->centers, t->k, partial);
}

/* One pass: totals = inertia (1), rows (k), weights (k); far rows. */
static retain_status label_pass(stream *io, steps *st, void **scratch, double *totals,
                                double *band, rt_kmeans_farthest *far)
{
    int64_t k = st->k, d = st->d;
    rt_kmeans_centers_set(&st->c, st->centers);
    memset(totals, 0, (size_t)(1 + 2 * k) * sizeof *totals);
    far->found = 0;
    retain_status s = RETAIN_OK;
    for (int64_t first = 0; !s && first < io->n; first += io->band_rows) {
        int64_t count = io->n - first < io->band_rows ? io->n - first : io->band_rows;
        if ((s = read_rows(io, first, count, io->x, io->w)))
            break;
        int64_t nblocks = rt_block_count(count);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
        for (int64_t b = 0; b < nblocks; b++) {
            int64_t r0 = b * RT_BLOCK_ROWS;
            int64_t rows = count - r0 < RT_BLOCK_ROWS ? count - r0 : RT_BLOCK_ROWS;
            rt_kmeans_assign_rows(&st->c, io->x + r0 * d, rows, d, st->lab + r0,
                                  st->dist + r0, scratch[omp_get_thread_num()]);
        }
        rt_kmeans_data data = {io->x, count, d, d, io->w};
        tally_ctx t = {&data, st->lab, st->centers, k};
        if ((s = rt_reduce_rows(count, 1 + 2 * k, tally_block, &t, band)))
            break;
        for (int64_t j = 0; j < 1 + 2 * k; j++)
            totals[j] += band[j];
        for (int64_t i = 0; i < count; i++)
            if (!io->w || io->w[i] > 0)
                rt_kmeans_farthest_offer(far, first + i, st->dist[i], st->lab[i]);
    }
    return s;
}

/* Labels every row; segments left empty take the farthest rows (of
** positive distance, values unlike those taken: read back into far_x) and
** the pass repeats. */
static retain_status final_passes(stream *io, steps *st, void **scratch, double *totals,
                                  double *band, rt_kmeans_farthest *far, float *far_x)
{
    int64_t k = st->k, d = st->d;
    for (int pass = 0;; pass++) {
        retain_status s = label_pass(io, st, scratch, totals, band, far);
        if (s)
            return s;
        int64_t empty = 0, moved = 0, next = 0;
        for (int64_t l = 0; l < k; l++)
            empty += totals[1 + l] == 0;
        if (empty == 0)
            return RETAIN_OK;
        for (int64_t l = 0; l < k && pass + 1 < MAX_FILL_PASSES; l++) {
            if (totals[1 + l] != 0)
                continue;
            bool found = false;
            for (; !found && next < far->found && far->dist[next] > 0; next++) {
                float *xi = far_x + next * d;
                if ((s = read_rows(io, far->row[next], 1, xi, NULL)))
                    return s;
                found = true;
                for (int64_t t = 0; t < next && found; t++)
                    found = memcmp(far_x + t * d, xi, (size_t)d * sizeof *xi) != 0;
            }
            if (!found)
                break;
            memcpy(st->centers + l * d, far_x + (next - 1) * d, (size_t)d * sizeof(float));
            moved++;
        }
        if (moved == 0)
            return rt_error(RETAIN_ERR_DATA, "k = %lld segments but %lld of them receive no "
                            "rows: the data has fewer than k distinct rows of positive "
                            "weight; ask for fewer segments", (long long)k, (long long)empty);
    }
}

/* ---- the run ------------------------------------------------------------------ */


typedef struct buffers {
    float *band_x, *band_w, *sample, *sw;
    int64_t *far_row;
    int32_t *far_label;
    float *far_dist, *far_x;
    double *totals, *band_totals;
    void **scratch;
    int nscratch;
} buffers;

retain_status rt_kmeans_minibatch(const retain_row_source *src, const retain_kmeans_params *p,
                                  retain_kmeans_model *m, double *weights)
{
    int64_t n = src->rows, d = src->cols, k = p->k;
    if (k > n)
        return rt_error(RETAIN_ERR_DATA, "k = %lld segments but the data has only %lld rows; "
                        "ask for at most %lld segments", (long long)k, (long long)n,
                        (long long)n);
    int64_t batch = p->batch_size < n ? p->batch_size : n;
    int64_t init_size = 3 * batch < 3 * k ? 3 * k : 3 * batch;
    init_size = init_size < n ? init_size : n;
    int64_t slots = (m->n_init + 1) * init_size;
    stream io = {src, n, d, 0, 0, 0, NULL, NULL, NULL, NULL};
    /* ~SEGMENT_BYTES of rows per segment, ~BAND_BYTES of segments a band */
    int64_t row_bytes = d * (int64_t)sizeof(float), segs;
    io.seg_rows = SEGMENT_BYTES / row_bytes > 0 ? SEGMENT_BYTES / row_bytes : 1;
    segs = BAND_BYTES / (io.seg_rows * row_bytes);
    io.nseg = (n + io.seg_rows - 1) / io.seg_rows;
    io.band_rows = io.seg_rows * (segs > 1 ? segs : 1);
    int64_t held = io.band_rows < n ? io.band_rows : n;
    int64_t far_m = k < 256 ? k : 256;
    steps st = {.k = k, .d = d, .n = n, .batch = batch,
                .max_no_improvement = p->max_no_improvement};
    buffers b = {0};
    int64_t bytes = (held * (d + 3) + slots * (d + 1) + batch * (d + 3)) * (int64_t)sizeof(float) +
                    held * (int64_t)sizeof(int64_t);
    retain_status s = rt_mem_check_claim(bytes, "mini-batch k-means buffers",
                                         "use a smaller --batch-size");
    if (s || (s = rt_kmeans_centers_alloc(k, d, &st.c)))
        return s;
    /* per row held: values, weight, label, distance; per batch row: values,
    ** weight, undrawn weight, label, distance */
    if ((s = retain_malloc((size_t)(held * d) * sizeof(float), (void **)&b.band_x)) ||
        (src->weighted &&
         (s = retain_malloc((size_t)held * sizeof(float), (void **)&b.band_w))) ||
        (s = retain_malloc((size_t)(slots * d) * sizeof(float), (void **)&b.sample)) ||
        (s = retain_malloc((size_t)slots * sizeof(float), (void **)&b.sw)) ||
        (s = retain_malloc((size_t)(held > batch ? held : batch) * sizeof(int32_t),
                           (void **)&st.lab)) ||
        (s = retain_malloc((size_t)(held > batch ? held : batch) * sizeof(float),
                           (void **)&st.dist)) ||
        (s = retain_malloc((size_t)batch * sizeof(float), (void **)&st.wleft)) ||
        (s = retain_malloc((size_t)(batch * d) * sizeof(float), (void **)&st.xb)) ||
        (s = retain_malloc((size_t)batch * sizeof(float), (void **)&st.wb)) ||
        (s = retain_malloc((size_t)(2 * k * d) * sizeof(float), (void **)&st.centers)) ||
        (s = retain_malloc((size_t)(k * d + 2 * k) * sizeof(double), (void **)&st.sums)) ||
        (s = retain_malloc((size_t)k * sizeof *st.rank, (void **)&st.rank)) ||
        (s = retain_malloc((size_t)k * sizeof *st.take, (void **)&st.take)) ||
        (s = retain_malloc((size_t)far_m * sizeof(float), (void **)&b.far_dist)) ||
        (s = retain_malloc((size_t)far_m * sizeof(int64_t), (void **)&b.far_row)) ||
        (s = retain_malloc((size_t)far_m * sizeof(int32_t), (void **)&b.far_label)) ||
        (s = retain_malloc((size_t)(far_m * d) * sizeof(float), (void **)&b.far_x)) ||
        (s = retain_malloc((size_t)(2 + 4 * k) * sizeof(double), (void **)&b.totals)) ||
        (s = rt_thread_scratch_alloc(rt_kmeans_assign_scratch_bytes(&st.c), &b.scratch,
                                     &b.nscratch)))
        goto done;
    st.scratch = b.scratch[0];
    st.old = st.centers + k * d;
    st.wsum = st.sums + k * d;
    st.count = st.wsum + k;
    b.band_totals = b.totals + 1 + 2 * k;
    io.x = b.band_x;
    io.w = b.band_w;
    if ((s = scaler_and_sample(&io, p, m, m->n_init + 1, init_size, b.sample, b.sw)))
        goto done;
    st.tol = p->tol * m->tol_scale;
    io.offset = m->offset;
    io.spread = m->spread;
    if ((s = seed(p, m, b.sample, b.sw, init_size, &st.c, st.centers, st.lab, st.dist,
                  st.scratch)))
        goto done;
    memset(st.count, 0, (size_t)k * sizeof *st.count);
    double t0 = rt_seconds();
    s = epochs(&io, &st, p, m);
    m->lloyd_seconds = rt_seconds() - t0;
    rt_kmeans_farthest far = {far_m, 0, b.far_row, b.far_dist, b.far_label};
    if (s || (s = final_passes(&io, &st, b.scratch, b.totals, b.band_totals, &far, b.far_x)))
        goto done;
    m->inertia = b.totals[0];
    for (int64_t l = 0; l < k; l++) {
        m->sizes[l] = (int64_t)b.totals[1 + l];
        weights[l] = b.totals[1 + k + l];
    }
    memcpy(m->centroids_scaled, st.centers, (size_t)(k * d) * sizeof(float));
done:
    rt_kmeans_centers_free(&st.c);
    rt_thread_scratch_free(b.scratch, b.nscratch);
    retain_free(b.band_x);
    retain_free(b.band_w);
    retain_free(b.sample);
    retain_free(b.sw);
    retain_free(st.lab);
    retain_free(st.dist);
    retain_free(st.wleft);
    retain_free(st.xb);
    retain_free(st.wb);
    retain_free(st.centers);
    retain_free(st.sums);
    retain_free(st.rank);
    retain_free(st.take);
    retain_free(b.far_dist);
    retain_free(b.far_row);
    retain_free(b.far_label);
    retain_free(b.far_x);
    retain_free(b.totals);
    return s;
}
