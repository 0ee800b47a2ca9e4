/*
** src/core/dist.h: the ranks of a run under MPI, seen without MPI types.
** With RETAIN_WITH_MPI and after rt_dist_init (the `retain` command calls
** it; a program linking the library alone does not, and then runs as one
** process even when MPI is initialised), every rank holds a contiguous,
** block-aligned range of the rows and algorithms complete each row
** reduction across ranks with rt_dist_sum_f64. Without MPI every call is a
** no-op for one process.
**
** Failure agreement: every collective here takes the calling rank's status
** so far and returns the status all ranks agree on: the first failing rank
** (lowest number) wins, and every other rank gets its code and its message
** prefixed with "rank R of P". A rank whose step failed still calls the
** collective (with whatever buffer it has), so no rank waits for one that
** left; code between collectives must reach the next one on every path.
*/
#ifndef RT_CORE_DIST_H
#define RT_CORE_DIST_H

#include "parallel.h"
#include "retain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts MPI (threads: serialized, one thread at a time calls MPI, e.g.
** score's I/O thread through HDF5) in the MPI build when a launcher
** (mpirun, srun) started the process; RETAIN_ERR_INTERNAL if it cannot.
** Nothing without MPI or without a launcher: one process. */
retain_status rt_dist_init(int *argc, char ***argv);
/* Ends MPI after rt_dist_init; nothing otherwise. */
void rt_dist_finalize(void);

/* This rank (0 .. size - 1) and the number of ranks (1 without MPI). */
int rt_dist_rank(void);
int rt_dist_size(void);

/* This rank's rows of n: [*first, *first + *count), whole RT_BLOCK_ROWS
** blocks (the last rank may end in a partial one) dealt in rank order,
** the lower ranks taking one block more when they do not divide evenly.
** The same on every rank for the same n and size. */
void rt_dist_rows(int64_t n, int64_t *first, int64_t *count);

/* The status every rank agrees on, given this rank's (see above). */
retain_status rt_dist_agree(retain_status local);

/* all[r * width .. + width) = rank r's mine, for every r, on every rank
** (one process: a copy). mine may be NULL on a rank whose status failed. */
retain_status rt_dist_allgather_f64(retain_status local, const double *mine, int64_t width,
                                    double *all);

/* Completes a reduction across ranks: buf (width) becomes the sum of every
** rank's buf, added in rank order, so the same size gives the same bits;
** one process: buf is left alone. Called right after each rt_reduce_rows
** over the rank's rows. buf may be NULL on a rank whose status failed. */
retain_status rt_dist_sum_f64(retain_status local, double *buf, int64_t width);

/* rt_reduce_rows over this rank's rows (n of them), completed across
** ranks: when every rank holds its rt_dist_rows share and the shares start
** on the reduction's span boundaries (always below about a million rows),
** every rank's span partials are gathered and added in span order, so out
** has the same bits as one process over all the rows; otherwise each
** rank's total is added in rank order (rt_dist_sum_f64). One process:
** rt_reduce_rows. A rank whose local status failed takes part without
** running fn. fn NULL: out already holds this rank's total (e.g. from a
** GPU pass), completed in rank order on every rank. */
retain_status rt_dist_reduce_rows(retain_status local, int64_t n, int64_t width,
                                  rt_block_fn fn, void *ctx, double *out);

/* bytes of buf from rank root to every rank, once every rank's status is
** OK (nothing is sent otherwise). */
retain_status rt_dist_bcast(retain_status local, void *buf, size_t bytes, int root);

/* One value per row: mine holds this rank's rows of n (rt_dist_rows), all
** receives all n rows in order on every rank (one process: a copy). */
retain_status rt_dist_gather_rows_f64(retain_status local, const double *mine, int64_t n,
                                      double *all);

/* One value per RT_BLOCK_ROWS block, the same way: mine holds one per block
** of this rank's rows of n, all receives rt_block_count(n) in block order. */
retain_status rt_dist_gather_blocks_f64(retain_status local, const double *mine, int64_t n,
                                        double *all);

/* The number of rows of every rank together, given this rank's; agreed as
** rt_dist_sum_f64 is. */
retain_status rt_dist_total_rows(retain_status local, int64_t mine, int64_t *total);

/* Wall seconds this rank has spent inside MPI collectives so far (waiting
** for slower ranks included) into *mine, and the most of any rank into
** *most. A collective: every rank calls it. False, and nothing is
** exchanged, when the process runs without MPI (no MPI build, or no
** launcher). */
bool rt_dist_comm_seconds(double *mine, double *most);

#endif
