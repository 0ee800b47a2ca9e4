/*
** src/core/parallel.c: the thread count behind retain_threads_set(), the
** block-ordered reductions (including rt_reduce_rows, the parallel pass
** over row blocks every algorithm uses) and per-thread scratch. Under MPI
** the ranks' span partials meet in core/dist.c (rt_dist_reduce_rows).
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

int64_t rt_reduce_span(int64_t n, int64_t width)
{
    /* as many spans as the byte budget allows, up to 256 */
    int64_t nblocks = rt_block_count(n), bytes = width * (int64_t)sizeof(double);
    int64_t by_count = (nblocks + 255) / 256;
    int64_t by_bytes = (nblocks * bytes + RT_REDUCE_BYTES - 1) / RT_REDUCE_BYTES;
    int64_t span = by_count > by_bytes ? by_count : by_bytes;
    return span < 1 ? 1 : span;
}

retain_status rt_reduce_spans(int64_t n, int64_t width, int64_t span, rt_block_fn fn,
                              void *ctx, double *spans)
{
    int threads = rt_threads();
    int64_t nblocks = rt_block_count(n), nspans = (nblocks + span - 1) / span;
    double *block_partials;
    retain_status s = retain_malloc((size_t)(threads * width) * sizeof(double),
                                    (void **)&block_partials);
    if (s)
        return rt_error_context(s, "row-block partials (%d x %lld)", threads,
                                (long long)width);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (nspans > 1)
    for (int64_t sp = 0; sp < nspans; sp++) {
        int t = omp_get_thread_num();
        double *mine = spans + sp * width, *block = block_partials + t * width;
        memset(mine, 0, (size_t)width * sizeof *mine);
        for (int64_t b = sp * span; b < (sp + 1) * span && b < nblocks; b++) {
            int64_t first = b * RT_BLOCK_ROWS;
            int64_t rows = n - first < RT_BLOCK_ROWS ? n - first : RT_BLOCK_ROWS;
            memset(block, 0, (size_t)width * sizeof *block);
            fn(ctx, t, first, rows, block);
            for (int64_t j = 0; j < width; j++)
                mine[j] += block[j];
        }
    }
    retain_free(block_partials);
    return RETAIN_OK;
}

retain_status rt_reduce_rows(int64_t n, int64_t width, rt_block_fn fn, void *ctx, double *out)
{
    int64_t span = rt_reduce_span(n, width);
    int64_t nspans = (rt_block_count(n) + span - 1) / span;
    double *spans;
    retain_status s = retain_malloc((size_t)(nspans * width + 1) * sizeof(double),
                                    (void **)&spans);
    if (s)
        return rt_error_context(s, "row-span partials (%lld x %lld)", (long long)nspans,
                                (long long)width);
    if (!(s = rt_reduce_spans(n, width, span, fn, ctx, spans)))
        rt_reduce_blocks_f64(spans, nspans, width, out);
    retain_free(spans);
    return s;
}

retain_status rt_reduce_block_partials(const double *block_partials, int64_t n, int64_t width,
                                       double *out)
{
    int64_t nblocks = rt_block_count(n), span = rt_reduce_span(n, width);
    double *mine;
    retain_status s = retain_malloc((size_t)(width + 1) * sizeof *mine, (void **)&mine);
    if (s)
        return rt_error_context(s, "a span partial (%lld)", (long long)width);
    for (int64_t j = 0; j < width; j++)
        out[j] = 0.0;
    for (int64_t first = 0; first < nblocks; first += span) {
        memset(mine, 0, (size_t)width * sizeof *mine);
        for (int64_t b = first; b < first + span && b < nblocks; b++)
            for (int64_t j = 0; j < width; j++)
                mine[j] += block_partials[b * width + j];
        for (int64_t j = 0; j < width; j++)
            out[j] += mine[j];
    }
    retain_free(mine);
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
