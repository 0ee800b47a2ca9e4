/*
** src/core/parallel.c: the thread count behind retain_threads_set(), the
** block-ordered reductions (including rt_reduce_rows, the parallel pass
** over row blocks every algorithm uses) and per-thread scratch. Under MPI
** (a later build option) the reduction is where ranks' partial sums meet;
** nothing above it needs to change.
*/
#include "parallel.h"

#include "error.h"
#include "mem.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int threads_requested;

retain_status retain_threads_set(int threads)
{
    if (threads < 0)
        return rt_error(RETAIN_ERR_USAGE,
                        "thread count %d is negative; use 0 for all cores",
                        threads);
    threads_requested = threads;
    omp_set_num_threads(threads ? threads : omp_get_num_procs());
    return RETAIN_OK;
}

int retain_threads_get(void) { return rt_threads(); }

int rt_threads(void)
{
    return threads_requested ? threads_requested : omp_get_max_threads();
}

void rt_reduce_blocks_f64(const double *partial, int64_t nblocks, int64_t width,
                          double *out)
{
    for (int64_t j = 0; j < width; j++)
        out[j] = 0.0;
    for (int64_t b = 0; b < nblocks; b++)
        for (int64_t j = 0; j < width; j++)
            out[j] += partial[b * width + j];
}

retain_status rt_reduce_rows(int64_t n, int64_t width, rt_block_fn fn, void *ctx, double *out)
{
    int threads = rt_threads();
    double *slots;
    retain_status s = retain_malloc((size_t)(threads * width) * sizeof(double), (void **)&slots);
    if (s)
        return rt_error_context(s, "block partials (%d x %lld)", threads, (long long)width);
    memset(out, 0, (size_t)width * sizeof *out);
    int64_t nblocks = rt_block_count(n);
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num();
        double *mine = slots + t * width;
#pragma omp for ordered schedule(dynamic, 1)
        for (int64_t b = 0; b < nblocks; b++) {
            int64_t first = b * RT_BLOCK_ROWS;
            int64_t rows = n - first < RT_BLOCK_ROWS ? n - first : RT_BLOCK_ROWS;
            memset(mine, 0, (size_t)width * sizeof *mine);
            fn(ctx, t, first, rows, mine);
#pragma omp ordered
            for (int64_t j = 0; j < width; j++)
                out[j] += mine[j];
        }
    }
    retain_free(slots);
    return RETAIN_OK;
}

retain_status rt_reduce_rows_nowait(int64_t n, int64_t width, rt_block_fn fn, void *ctx,
                                       double *out)
{
    int64_t nblocks = rt_block_count(n);
    double *partials;
    retain_status s = retain_calloc((size_t)(nblocks * width), sizeof(double),
                                    (void **)&partials);
    if (s)
        return rt_error_context(s, "block partials (%lld x %lld)", (long long)nblocks,
                                (long long)width);
#pragma omp parallel for schedule(dynamic, 1) num_threads(rt_threads())
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t first = b * RT_BLOCK_ROWS;
        int64_t rows = n - first < RT_BLOCK_ROWS ? n - first : RT_BLOCK_ROWS;
        fn(ctx, omp_get_thread_num(), first, rows, partials + b * width);
    }
    rt_reduce_blocks_f64(partials, nblocks, width, out);
    retain_free(partials);
    return RETAIN_OK;
}

retain_status rt_thread_scratch_alloc(int64_t bytes, void ***out, int *count)
{
    int threads = rt_threads();
    void **bufs = calloc((size_t)threads, sizeof *bufs);
    if (!bufs)
        return rt_error(RETAIN_ERR_INTERNAL, "out of memory for per-thread scratch");
    for (int t = 0; t < threads; t++) {
        retain_status s = retain_malloc((size_t)bytes, &bufs[t]);
        if (s) {
            rt_thread_scratch_free(bufs, t);
            return rt_error_context(s, "scratch for thread %d", t);
        }
    }
    *out = bufs;
    *count = threads;
    return RETAIN_OK;
}

void rt_thread_scratch_free(void **bufs, int count)
{
    if (!bufs)
        return;
    for (int t = 0; t < count; t++)
        retain_free(bufs[t]);
    free(bufs);
}
