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
** blocks of n rows on rt_threads() threads and adds each block's partial
** to out[0..width) strictly in block order, so out has the same bits for
** any thread count. A thread folds its block in as soon as the blocks
** before it are in; memory is one partial per thread. */
retain_status rt_reduce_rows(int64_t n, int64_t width, rt_block_fn fn, void *ctx,
                             double *out);

/* rt_reduce_rows for narrow partials: every block keeps its own (nblocks x
** width doubles) and threads take blocks without waiting for each other,
** so a thread descheduled on a busy machine stalls nobody; the partials
** are then added in block order, the same bits as rt_reduce_rows. */
retain_status rt_reduce_rows_nowait(int64_t n, int64_t width, rt_block_fn fn, void *ctx,
                                       double *out);

/* Per-thread buffers of `bytes` each, 64-byte aligned, for rt_threads()
** threads; rt_thread_scratch_free releases them. */
retain_status rt_thread_scratch_alloc(int64_t bytes, void ***out, int *count);
void rt_thread_scratch_free(void **bufs, int count);

#endif
