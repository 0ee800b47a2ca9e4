/*
** src/kmeans/init.c: initial centroids. Greedy k-means++ (Arthur and
** Vassilvitskii, SODA 2007) exactly as scikit-learn's _kmeans_plusplus runs
** it: the first centre is a row drawn with probability proportional to its
** weight; each next one is the best of 2 + floor(ln k) candidates drawn
** with probability proportional to weight * squared distance to the nearest
** centre so far, "best" meaning the least potential (weighted sum of those
** distances) once the candidate is added. Random rows: k distinct rows of
** positive weight, uniformly. Draws come from core/rng (not numpy's
** Mersenne Twister), so centres match scikit-learn's in distribution, not
** bit for bit. Sampling works on per-block sums in block order, so the
** choice does not depend on the thread count either. Distances come from
** the seed_dist kernel (kernels/cpu), 64 rows at a time, one lane a row,
** summed in one fixed order: the same centres on every instruction set.
** Under MPI each rank holds its block-aligned rows (core/dist.h): the
** blocks' sums are gathered, so every rank finds the block a draw lands
** in from the same numbers in the same order as one process; the rank
** holding it supplies the row, and the candidates' potentials are summed
** across ranks (rt_dist_reduce_rows). Same seed, same centres as one
** process.
** On a GPU (one process) the passes over the rows run there
** (kernels/cuda/kmeans_seed.cu) and hand back the same block sums, bit for
** bit; the draws stay here. Same seed, same centres as the CPU.
*/
#include "kmeans.h"

#include "core/dist.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/parallel.h"
#include "kernels/cpu/kernels.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#ifdef RETAIN_WITH_CUDA
#include "kernels/cuda/kmeans.cuh"
#endif

typedef struct plusplus {
    const rt_kmeans_data *x;
    float *closest;    /* n: squared distance to the nearest centre so far,
                       ** or on a GPU: one block's, fetched for a draw     */
    double *block_sum; /* per block: sum of w * closest                    */
    const float *cand; /* ncand x d candidate rows                         */
    int64_t ncand;
    int64_t n_all, first; /* rows of every rank; this rank's first one     */
    double *all_sums;     /* block_sum of every rank's blocks, in order     */
    struct rt_cuda_kmeans *gpu; /* the rows on a GPU, or NULL               */
    double *block_pot;    /* on a GPU: blocks x ncand candidate potentials  */
    void **scratch;       /* on the CPU, per thread: a tile of rows turned
                          ** into columns, and their distances (seed_dist) */
    int nscratch;
} plusplus;

static double weight(const rt_kmeans_data *x, int64_t i) { return x->w ? x->w[i] : 1.0; }

/* A seeding pass on the GPU (p->gpu is never set in a build without CUDA). */
#ifdef RETAIN_WITH_CUDA
#define GPU_PASS(call) (call)
#else
#define GPU_PASS(call) rt_error(RETAIN_ERR_INTERNAL, "k-means++: a GPU pass without CUDA")
#endif

/* The `rows` rows' closest distances from row `lo` on: in place on the
** CPU, fetched into p->closest from a GPU. */
static retain_status block_closest(const plusplus *p, int64_t lo, int64_t rows,
                                   const float **out)
{
    *out = p->gpu ? p->closest : p->closest + lo;
    return p->gpu ? GPU_PASS(rt_cuda_kmeans_seed_closest(p->gpu, lo, rows, p->closest))
                  : RETAIN_OK;
}

/* The row drawn with probability mass[i] / total, where mass is w *
** closest (by_distance false: w alone) over every rank's rows and p->all_sums
** holds its per-block sums: the first row whose running sum reaches u *
** total, as numpy's searchsorted finds it. The blocks' sums find its block
** on every rank; the rank holding that block finds the row and adds its
** values to row (d doubles, zero elsewhere: the caller completes it across
** ranks). Past the end by rounding, or past the block's rows: its block's
** last row of positive mass. */
static retain_status draw(const plusplus *p, bool by_distance, double total, double u,
                          double *row)
{
    const rt_kmeans_data *x = p->x;
    double target = u * total, run = 0.0;
    int64_t nblocks = rt_block_count(p->n_all), b = 0;
    while (b < nblocks && run + p->all_sums[b] < target)
        run += p->all_sums[b++];
    if (b == nblocks) { /* rounding: the last block of positive mass */
        target = INFINITY;
        for (b = nblocks - 1; b > 0 && !(p->all_sums[b] > 0); b--)
            ;
    }
    int64_t lo = b * RT_BLOCK_ROWS - p->first;
    if (lo < 0 || lo >= x->n)
        return RETAIN_OK; /* another rank's block */
    int64_t hi = lo + RT_BLOCK_ROWS < x->n ? lo + RT_BLOCK_ROWS : x->n, pick = lo;
    const float *near = NULL;
    retain_status s = by_distance ? block_closest(p, lo, hi - lo, &near) : RETAIN_OK;
    if (s)
        return s;
    for (int64_t i = lo; i < hi; i++) {
        double mass = weight(x, i) * (near ? near[i - lo] : 1.0);
        run += mass;
        pick = mass > 0 ? i : pick;
        if (run >= target)
            break;
    }
    for (int64_t j = 0; j < x->d; j++)
        row[j] += x->z[pick * x->stride + j];
    return RETAIN_OK;
}

/* Per-block sums of w (closest NULL) or w * closest, in row order. */
static void block_sums(const rt_kmeans_data *x, const float *closest, double *block_sum)
{
    int64_t nblocks = rt_block_count(x->n);
#pragma omp parallel for schedule(static) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->n ? (b + 1) * RT_BLOCK_ROWS : x->n;
        double s = 0.0;
        for (int64_t i = b * RT_BLOCK_ROWS; i < end; i++)
            s += weight(x, i) * (closest ? closest[i] : 1.0);
        block_sum[b] = s;
    }
}

/* The squared distances of rows lo .. lo + m - 1 (m <= RT_SEED_TILE) to
** count centres, into the thread's scratch: distance t of row lo + r at
** [t * RT_SEED_TILE + r]. Summed in the order of seed_dist_loop.h, which
** kernels/cuda/kmeans_seed.cu keeps too. */
static const float *tile_distances(const plusplus *p, int thread, int64_t lo, int64_t m,
                                   const float *centres, int64_t count)
{
    const rt_kmeans_data *x = p->x;
    float *tile = p->scratch[thread], *dist = tile + x->d * RT_SEED_TILE;
    rt_kernels_get()->seed_dist(x->z + lo * x->stride, x->stride, m, x->d, centres, count,
                                tile, dist);
    return dist;
}

/* Potential with each candidate added: partial[t] = sum w min(closest, d_t),
** row after row. Eight candidates at a time keep their sums in registers
** (the scratch's distances past the last candidate are zero, not used). */
static void candidate_block(void *ctx, int thread, int64_t first, int64_t rows,
                            double *partial)
{
    const plusplus *p = ctx;
    const rt_kmeans_data *x = p->x;
    for (int64_t lo = first; lo < first + rows; lo += RT_SEED_TILE) {
        int64_t m = first + rows - lo < RT_SEED_TILE ? first + rows - lo : RT_SEED_TILE;
        const float *dist = tile_distances(p, thread, lo, m, p->cand, p->ncand);
        for (int64_t t0 = 0; t0 < p->ncand; t0 += 8) {
            int64_t used = p->ncand - t0 < 8 ? p->ncand - t0 : 8;
            const float *d8 = dist + t0 * RT_SEED_TILE;
            double sum[8] = {0};
            memcpy(sum, partial + t0, (size_t)used * sizeof *sum);
            for (int64_t r = 0; r < m; r++) {
                double w = weight(x, lo + r);
                float near = p->closest[lo + r];
                for (int t = 0; t < 8; t++) {
                    float dt = d8[t * RT_SEED_TILE + r];
                    sum[t] += w * (dt < near ? dt : near);
                }
            }
            memcpy(partial + t0, sum, (size_t)used * sizeof *sum);
        }
    }
}

/* The potential of each of the p->ncand candidates into pot. */
static retain_status potentials(plusplus *p, double *pot)
{
    if (!p->gpu)
        return rt_dist_reduce_rows(RETAIN_OK, p->x->n, p->ncand, candidate_block, p, pot);
    retain_status s = GPU_PASS(rt_cuda_kmeans_seed_potentials(p->gpu, p->cand, p->ncand,
                                                              p->block_pot));
    return s ? s : rt_reduce_block_partials(p->block_pot, p->x->n, p->ncand, pot);
}

/* closest = min(closest, distance to centre c) (or = it, when `first`), and
** the block sums of w * closest for the next draw. */
static retain_status add_centre(plusplus *p, const float *c, bool first)
{
    if (p->gpu)
        return GPU_PASS(rt_cuda_kmeans_seed_add(p->gpu, c, first, p->block_sum));
    const rt_kmeans_data *x = p->x;
    int64_t nblocks = rt_block_count(x->n);
#pragma omp parallel for schedule(static) num_threads(p->nscratch)
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t end = (b + 1) * RT_BLOCK_ROWS < x->n ? (b + 1) * RT_BLOCK_ROWS : x->n;
        double s = 0.0;
        for (int64_t lo = b * RT_BLOCK_ROWS; lo < end; lo += RT_SEED_TILE) {
            int64_t m = end - lo < RT_SEED_TILE ? end - lo : RT_SEED_TILE;
            const float *dist = tile_distances(p, omp_get_thread_num(), lo, m, c, 1);
            for (int64_t r = 0; r < m; r++) {
                int64_t i = lo + r;
                if (first || dist[r] < p->closest[i])
                    p->closest[i] = dist[r];
                s += weight(x, i) * p->closest[i];
            }
        }
        p->block_sum[b] = s;
    }
    return RETAIN_OK;
}

static void copy_row(const rt_kmeans_data *x, int64_t i, float *dst)
{
    memcpy(dst, x->z + i * x->stride, (size_t)x->d * sizeof *dst);
}

/* The sum of w * closest over every rank's rows, from this rank's block
** sums: all blocks' sums gathered into p->all_sums, added in block order
** (the same bits as one process). */
static retain_status ordered_total(plusplus *p, double *total)
{
    retain_status s = rt_dist_gather_blocks_f64(RETAIN_OK, p->block_sum, p->n_all,
                                                p->all_sums);
    if (!s)
        rt_reduce_blocks_f64(p->all_sums, rt_block_count(p->n_all), 1, total);
    return s;
}

/* Draws rows for every u[t], t < count, into cand (count x d floats): each
** from the rank holding it, through one sum across ranks. */
static retain_status draw_rows(plusplus *p, bool by_distance, double total,
                               const double *u, int64_t count, double *buf, float *cand)
{
    int64_t d = p->x->d;
    retain_status s = RETAIN_OK;
    memset(buf, 0, (size_t)(count * d) * sizeof *buf);
    for (int64_t t = 0; t < count && !s; t++)
        s = draw(p, by_distance, total, u[t], buf + t * d);
    s = rt_dist_sum_f64(s, buf, count * d);
    for (int64_t v = 0; !s && v < count * d; v++)
        cand[v] = (float)buf[v];
    return s;
}

retain_status rt_kmeans_init_plusplus(const rt_kmeans_data *x, int64_t k,
                                      struct rt_cuda_kmeans *gpu, rt_rng *rng,
                                      retain_progress_fn progress, void *user,
                                      float *centers)
{
    int64_t d = x->d, nblocks = rt_block_count(x->n);
    int64_t trials = 2 + (int64_t)log((double)k), count;
    plusplus p = {x, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0};
    float *cand = NULL;
    double *pot = NULL, *buf = NULL, u[64], current;
    p.gpu = rt_dist_size() == 1 ? gpu : NULL;
    /* the closest distances of every row here, or of one block off a GPU */
    int64_t near_rows = p.gpu ? RT_BLOCK_ROWS : x->n;
    retain_status s = rt_mem_check_claim(near_rows * (int64_t)sizeof(float),
                                         "k-means++ distances (one float per row)",
                                         "use fewer rows");
    if (!s)
        s = retain_malloc((size_t)near_rows * sizeof *p.closest, (void **)&p.closest);
    if (!s && p.gpu)
        s = retain_malloc((size_t)(nblocks * trials + 1) * sizeof *p.block_pot,
                          (void **)&p.block_pot);
    if (!s && p.gpu)
        s = GPU_PASS(rt_cuda_kmeans_seed_begin(p.gpu, trials));
    /* per thread: the tile, then the distances of trials rounded up to 8 */
    int64_t tile_bytes = (d + (trials + 7) / 8 * 8) * RT_SEED_TILE * (int64_t)sizeof(float);
    if (!s && !p.gpu && !(s = rt_thread_scratch_alloc(tile_bytes, &p.scratch, &p.nscratch)))
        for (int t = 0; t < p.nscratch; t++)
            memset(p.scratch[t], 0, (size_t)tile_bytes);
    if (!s)
        s = retain_malloc((size_t)(nblocks + 1) * sizeof *p.block_sum, (void **)&p.block_sum);
    if (!s)
        s = retain_malloc((size_t)(trials * d) * sizeof *cand, (void **)&cand);
    if (!s)
        s = retain_malloc((size_t)trials * (d + 1) * sizeof *pot, (void **)&pot);
    /* under MPI: the ranks' row counts, and room for every rank's blocks */
    if ((s = rt_dist_total_rows(s, x->n, &p.n_all)) == RETAIN_OK)
        rt_dist_rows(p.n_all, &p.first, &count);
    if (!s)
        s = retain_malloc((size_t)(rt_block_count(p.n_all) + 1) * sizeof *p.all_sums,
                          (void **)&p.all_sums);
    if ((s = rt_dist_agree(s)))
        goto done;
    p.cand = cand;
    buf = pot + trials;

    block_sums(x, NULL, p.block_sum);
    if ((s = ordered_total(&p, &current)))
        goto done;
    u[0] = rt_rng_uniform(rng);
    if ((s = draw_rows(&p, false, current, u, 1, buf, centers)) ||
        (s = add_centre(&p, centers, true)) || (s = ordered_total(&p, &current)))
        goto done;
    for (int64_t c = 1; c < k; c++) {
        for (int64_t t = 0; t < trials; t++)
            u[t] = rt_rng_uniform(rng);
        p.ncand = trials;
        if ((s = draw_rows(&p, true, current, u, trials, buf, cand)) ||
            (s = potentials(&p, pot)))
            goto done;
        int64_t best = 0;
        for (int64_t t = 1; t < trials; t++)
            if (pot[t] < pot[best])
                best = t;
        memcpy(centers + c * d, cand + best * d, (size_t)d * sizeof *centers);
        if ((s = add_centre(&p, centers + c * d, false)) || (s = ordered_total(&p, &current)))
            goto done;
        if (progress)
            progress(user, "init", c + 1, k);
    }
done:
#ifdef RETAIN_WITH_CUDA
    if (p.gpu)
        rt_cuda_kmeans_seed_end(p.gpu);
#endif
    retain_free(p.closest);
    rt_thread_scratch_free(p.scratch, p.nscratch);
    retain_free(p.block_pot);
    retain_free(p.block_sum);
    retain_free(p.all_sums);
    retain_free(cand);
    retain_free(pot);
    return s;
}

retain_status rt_kmeans_init_random(const rt_kmeans_data *x, int64_t k, rt_rng *rng,
                                    float *centers)
{
    if (rt_dist_size() > 1)
        return rt_error(RETAIN_ERR_USAGE, "k-means: random initial rows are not drawn "
                        "across MPI ranks yet; use k-means++ or given centroids");
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)k)
        cap *= 2;
    int64_t *taken = malloc(cap * sizeof *taken);
    if (!taken)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for random initialisation");
    memset(taken, 0xff, cap * sizeof *taken);
    for (int64_t c = 0; c < k;) {
        int64_t i = (int64_t)rt_rng_below(rng, (uint64_t)x->n);
        if (!(weight(x, i) > 0))
            continue;
        uint64_t h = ((uint64_t)i * 0x9E3779B97F4A7C15ULL) & (cap - 1);
        while (taken[h] >= 0 && taken[h] != i)
            h = (h + 1) & (cap - 1);
        if (taken[h] == i)
            continue;
        taken[h] = i;
        copy_row(x, i, centers + c * x->d);
        c++;
    }
    free(taken);
    return RETAIN_OK;
}
