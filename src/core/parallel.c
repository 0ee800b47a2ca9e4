/*
** src/core/parallel.c: the thread count behind retain_threads_set() and the
** block-ordered reduction. Under MPI (a later build option) the reduction
** is where ranks' partial sums meet; nothing above it needs to change.
*/
#include "parallel.h"

#include "error.h"

#include <omp.h>

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
