/*
** src/core/parallel.h: thread count and block-ordered reductions. Work over
** rows is cut into fixed blocks of RT_BLOCK_ROWS whatever the thread count;
** each block writes its partial result to its own slot, and slots are summed
** in block order, so results are the same bits for any number of threads.
*/
#ifndef RT_CORE_PARALLEL_H
#define RT_CORE_PARALLEL_H

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

#endif
