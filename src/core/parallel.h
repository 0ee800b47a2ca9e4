/*
** src/core/parallel.h: thread count, block-ordered reductions, per-thread
** scratch. Work over rows is cut into fixed blocks of RT_BLOCK_ROWS whatever
** the thread count; each block writes its partial result to its own slot,
** and slots are summed in block order, so results are the same bits for any
** number of threads.
*/
#ifndef RT_CORE_PARALLEL_H
#define RT_CORE_PARALLEL_H

#include "retain.h"

#include <stdint.h>

#define RT_BLOCK_ROWS 4096

/* Threads parallel loops should use (>= 1). */
int rt_threads(void);

/* Number of RT_BLOCK_ROWS blocks covering `rows`. */
static inline int64_t rt_block_count(int64_t rows)
{
    return (rows + RT_BLOCK_ROWS - 1) / RT_BLOCK_ROWS;
}

/* out[j] = sum over b in 0..nblocks-1 of partial[b * width + j], in order. */
void rt_reduce_blocks_f64(const double *partial, int64_t nblocks, int64_t width,
                          double *out);

/* Called once per block with `partial` (width doubles, zeroed) to fill and
** the calling thread's number (0 .. rt_threads() - 1) for its scratch. */
typedef void (*rt_block_fn)(void *ctx, int thread, int64_t first, int64_t rows,
                            double *partial);

/* The one way to pass over rows in parallel: runs fn over the RT_BLOCK_ROWS
** blocks of n rows on rt_threads() threads. Blocks are grouped in spans of
** rt_reduce_span(n, width) consecutive blocks, a number that does not
** depend on the thread count; a span's block partials are added in block
** order into the span's own partial, and the span partials into
** out[0..width) in span order, so out has the same bits for any thread
** count. Threads take whole spans and never wait for one another (a thread
** that is descheduled delays only its own span). Memory: one partial per
** span, together at most RT_REDUCE_BYTES or 256 of them, and one per
** thread. */
#define RT_REDUCE_BYTES ((int64_t)2 << 20)
int64_t rt_reduce_span(int64_t n, int64_t width);
retain_status rt_reduce_rows(int64_t n, int64_t width, rt_block_fn fn, void *ctx,
                             double *out);
/* Its first half: the partials of the spans of `span` blocks of n rows into
** spans (width each, ceil(blocks / span) of them), for a caller that adds
** them with other spans (core/dist.c: the spans of every MPI rank). */
retain_status rt_reduce_spans(int64_t n, int64_t width, int64_t span, rt_block_fn fn,
                              void *ctx, double *spans);

/* What rt_reduce_rows makes of block partials computed elsewhere (a GPU
** pass): block_partials[b * width + j] for the rt_block_count(n) blocks of
** n rows, added in the same spans and order, into out: the same bits. */
retain_status rt_reduce_block_partials(const double *block_partials, int64_t n, int64_t width,
                                       double *out);

/* Per-thread buffers of `bytes` each, 64-byte aligned, for rt_threads()
** threads; rt_thread_scratch_free releases them. */
retain_status rt_thread_scratch_alloc(int64_t bytes, void ***out, int *count);
void rt_thread_scratch_free(void **bufs, int count);

#endif
