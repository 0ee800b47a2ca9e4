/*
** src/core/dist.c: ranks, row ranges and the collectives of an MPI run
** (core/dist.h), and their one-process stand-ins.
**
** How reductions become global: the algorithm calls rt_dist_reduce_rows
** where one process calls rt_reduce_rows, over the rank's rows. Ranks hold
** whole RT_BLOCK_ROWS blocks in rank order, so when each share starts on a
** span boundary of rt_reduce_rows (always while a span is one block, i.e.
** below 256 blocks; otherwise depending on the rank count) the ranks'
** span partials, gathered and added in span order, are exactly the
** partials one process adds: the same bits as one process. Otherwise
** each rank's total is added in rank order (rt_dist_sum_f64, also for
** sums that are no row pass: counts, a GPU pass's totals), not with
** MPI_Allreduce, whose order the library chooses: the same number of ranks
** gives the same bits, and the result differs from one process in the last
** bits only. Each collective carries the ranks' statuses next to the
** data, so agreeing on a failure costs no extra round trip when all went
** well. Every collective goes through TIMED, which adds its wall time to
** the seconds rt_dist_comm_seconds reports.
*/
#include "dist.h"

#include "clock.h"
#include "error.h"
#include "parallel.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RETAIN_WITH_MPI
#include <mpi.h>
#endif

static int dist_rank = 0, dist_size = 1;

int rt_dist_rank(void) { return dist_rank; }
int rt_dist_size(void) { return dist_size; }

/* The rows of rank r of n, as rt_dist_rows deals them. */
static void rows_of(int r, int64_t n, int64_t *first, int64_t *count)
{
    int64_t nblocks = rt_block_count(n), base = nblocks / dist_size, extra = nblocks % dist_size;
    int64_t b0 = r * base + (r < extra ? r : extra);
    int64_t b1 = b0 + base + (r < extra);
    int64_t lo = b0 * RT_BLOCK_ROWS, hi = b1 * RT_BLOCK_ROWS;
    *first = lo < n ? lo : n;
    *count = (hi < n ? hi : n) - *first;
}

void rt_dist_rows(int64_t n, int64_t *first, int64_t *count)
{
    rows_of(dist_rank, n, first, count);
}

retain_status rt_dist_total_rows(retain_status local, int64_t mine, int64_t *total)
{
    double n = (double)mine; /* exact below 2^53 rows */
    retain_status s = rt_dist_sum_f64(local, &n, 1);
    *total = (int64_t)n;
    return s;
}

#ifndef RETAIN_WITH_MPI

retain_status rt_dist_init(int *argc, char ***argv) { return RETAIN_OK; }
bool rt_dist_comm_seconds(double *mine, double *most)
{
    *mine = *most = 0;
    return false;
}
void rt_dist_finalize(void) {}
retain_status rt_dist_agree(retain_status local) { return local; }

retain_status rt_dist_allgather_f64(retain_status local, const double *mine, int64_t width,
                                    double *all)
{
    if (!local)
        memcpy(all, mine, (size_t)width * sizeof *all);
    return local;
}

retain_status rt_dist_sum_f64(retain_status local, double *buf, int64_t width)
{
    return local;
}

retain_status rt_dist_bcast(retain_status local, void *buf, size_t bytes, int root)
{
    return local;
}

retain_status rt_dist_reduce_rows(retain_status local, int64_t n, int64_t width,
                                  rt_block_fn fn, void *ctx, double *out)
{
    return local || !fn ? local : rt_reduce_rows(n, width, fn, ctx, out);
}

retain_status rt_dist_gather_rows_f64(retain_status local, const double *mine, int64_t n,
                                      double *all)
{
    return rt_dist_allgather_f64(local, mine, n, all);
}

retain_status rt_dist_gather_blocks_f64(retain_status local, const double *mine, int64_t n,
                                        double *all)
{
    return rt_dist_allgather_f64(local, mine, rt_block_count(n), all);
}

#else

static int started;

/* Seconds inside MPI calls so far; one thread at a time calls MPI here. */
static double comm_seconds, comm_start;
static int timed_end(int rc)
{
    comm_seconds += rt_seconds() - comm_start;
    return rc;
}
#define TIMED(call) (comm_start = rt_seconds(), timed_end(call))

/* True when a launcher (mpirun, mpiexec, srun) started this process. */
static bool launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return true;
    return false;
}

retain_status rt_dist_init(int *argc, char ***argv)
{
    if (!launched()) /* one process: no MPI start-up cost, nothing to fail */
        return RETAIN_OK;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return rt_error(RETAIN_ERR_INTERNAL, "MPI_Init_thread failed; run under mpirun, "
                        "or check the MPI installation");
    started = 1;
    if (provided < MPI_THREAD_SERIALIZED)
        return rt_error(RETAIN_ERR_INTERNAL, "the MPI library offers thread level %d, below "
                        "MPI_THREAD_SERIALIZED (score's I/O thread writes through MPI-IO); "
                        "use an MPI built with thread support", provided);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &dist_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &dist_size);
    return RETAIN_OK;
}

void rt_dist_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

/* Given every rank's status (statuses[r]): the agreed one; a rank that did
** not fail takes the first failing rank's message. */
static retain_status settle(const int *statuses, retain_status local)
{
    int failed = -1;
    for (int r = 0; r < dist_size && failed < 0; r++)
        if (statuses[r])
            failed = r;
    if (failed < 0)
        return RETAIN_OK;
    char message[2048];
    if (dist_rank == failed)
        snprintf(message, sizeof message, "%s", retain_last_error());
    if (TIMED(MPI_Bcast(message, (int)sizeof message, MPI_CHAR, failed, MPI_COMM_WORLD)) !=
        MPI_SUCCESS)
        snprintf(message, sizeof message, "(its message was lost)");
    message[sizeof message - 1] = '\0';
    if (dist_rank == failed)
        return local;
    return rt_error((retain_status)statuses[failed], "rank %d of %d: %s", failed, dist_size,
                    message);
}

/* A rank without memory for a collective's buffers cannot take part in
** it, and the others would wait for it forever: it ends the whole job. */
static void *collective_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "retain: rank %d of %d: out of memory (%zu bytes) for a collective; "
                "stopping every rank\n", dist_rank, dist_size, bytes);
        MPI_Abort(MPI_COMM_WORLD, RETAIN_ERR_INTERNAL);
    }
    return p;
}

static retain_status mpi_failed(const char *what, int code)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(code, text, &len);
    return rt_error(RETAIN_ERR_IO, "MPI %s failed on rank %d of %d: %s", what, dist_rank,
                    dist_size, text);
}

retain_status rt_dist_agree(retain_status local)
{
    if (dist_size == 1)
        return local;
    int mine = (int)local, *all = collective_alloc((size_t)dist_size * sizeof *all);
    int rc = TIMED(MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD));
    retain_status s = rc == MPI_SUCCESS ? settle(all, local) : mpi_failed("Allgather", rc);
    free(all);
    return s;
}

retain_status rt_dist_allgather_f64(retain_status local, const double *mine, int64_t width,
                                    double *all)
{
    if (dist_size == 1) {
        if (!local)
            memcpy(all, mine, (size_t)width * sizeof *all);
        return local;
    }
    /* width values and the status, per rank */
    int64_t slot = width + 1;
    if (slot > 0x7fffffff) /* the same on every rank: none enters the collective */
        return rt_error(RETAIN_ERR_INTERNAL, "cannot gather %lld values per rank: more "
                        "than 2^31 - 2", (long long)width);
    double *send = collective_alloc((size_t)slot * (size_t)(dist_size + 1) * sizeof *send);
    int *statuses = collective_alloc((size_t)dist_size * sizeof *statuses);
    double *recv = send + slot;
    memset(send, 0, (size_t)width * sizeof *send);
    if (!local && width)
        memcpy(send, mine, (size_t)width * sizeof *send);
    send[width] = (double)local;
    int rc = TIMED(MPI_Allgather(send, (int)slot, MPI_DOUBLE, recv, (int)slot, MPI_DOUBLE,
                           MPI_COMM_WORLD));
    retain_status s;
    if (rc != MPI_SUCCESS) {
        s = mpi_failed("Allgather", rc);
    } else {
        for (int r = 0; r < dist_size; r++)
            statuses[r] = (int)recv[r * slot + width];
        s = settle(statuses, local);
    }
    if (!s)
        for (int r = 0; r < dist_size; r++)
            memcpy(all + r * width, recv + r * slot, (size_t)width * sizeof *all);
    free(send);
    free(statuses);
    return s;
}

retain_status rt_dist_sum_f64(retain_status local, double *buf, int64_t width)
{
    if (dist_size == 1)
        return local;
    double *all = collective_alloc((size_t)(width * dist_size) * sizeof *all);
    retain_status s = rt_dist_allgather_f64(local, buf, width, all);
    if (!s)
        rt_reduce_blocks_f64(all, dist_size, width, buf);
    free(all);
    return s;
}

/* Whether every rank's span partials can be laid end to end as one
** process's: each offers them (rank r: its row count at 2r, 1 at 2r + 1),
** holds exactly its rt_dist_rows share of the n_all rows and starts on a
** span boundary. */
static bool spans_line_up(const double *ns, int64_t n_all, int64_t span)
{
    for (int r = 0; r < dist_size; r++) {
        int64_t first, count;
        rows_of(r, n_all, &first, &count);
        if (ns[2 * r + 1] == 0 || (int64_t)ns[2 * r] != count ||
            (first / RT_BLOCK_ROWS) % span != 0)
            return false;
    }
    return true;
}

retain_status rt_dist_reduce_rows(retain_status local, int64_t n, int64_t width,
                                  rt_block_fn fn, void *ctx, double *out)
{
    if (dist_size == 1)
        return local || !fn ? local : rt_reduce_rows(n, width, fn, ctx, out);
    double mine[2] = {(double)n, fn != NULL};
    double *ns = collective_alloc(2 * (size_t)dist_size * sizeof *ns);
    retain_status s = rt_dist_allgather_f64(local, mine, 2, ns);
    int64_t n_all = 0;
    for (int r = 0; !s && r < dist_size; r++)
        n_all += (int64_t)ns[2 * r];
    int64_t span = rt_reduce_span(n_all, width);
    int64_t nspans = (rt_block_count(n_all) + span - 1) / span;
    if (s || !spans_line_up(ns, n_all, span) || (nspans + 1) * width > 0x7fffffff) {
        /* the same decision on every rank: a failure agreed already, or
        ** the ranks' totals added in rank order */
        free(ns);
        if (s)
            return s;
        return rt_dist_sum_f64(fn ? rt_reduce_rows(n, width, fn, ctx, out) : RETAIN_OK, out,
                               width);
    }
    /* every rank's span partials, then this rank's status, in span order */
    int *counts = collective_alloc(2 * (size_t)dist_size * sizeof *counts), *offsets;
    offsets = counts + dist_size;
    for (int r = 0, at = 0; r < dist_size; r++) {
        int64_t first, count;
        rows_of(r, n_all, &first, &count);
        counts[r] = (int)((rt_block_count(count) + span - 1) / span * width + 1);
        offsets[r] = at;
        at += counts[r];
    }
    double *all = collective_alloc((size_t)(nspans * width + dist_size) * sizeof *all);
    double *spans = collective_alloc((size_t)counts[dist_rank] * sizeof *spans);
    s = rt_reduce_spans(n, width, span, fn, ctx, spans);
    spans[counts[dist_rank] - 1] = (double)s;
    int rc = TIMED(MPI_Allgatherv(spans, counts[dist_rank], MPI_DOUBLE, all, counts, offsets,
                            MPI_DOUBLE, MPI_COMM_WORLD));
    int *statuses = collective_alloc((size_t)dist_size * sizeof *statuses);
    if (rc != MPI_SUCCESS) {
        s = mpi_failed("Allgatherv", rc);
    } else {
        for (int r = 0; r < dist_size; r++)
            statuses[r] = (int)all[offsets[r] + counts[r] - 1];
        s = settle(statuses, s);
    }
    if (!s) { /* close the gaps the statuses left, then add in span order */
        for (int r = 0, at = 0; r < dist_size; r++) {
            memmove(all + at, all + offsets[r], (size_t)(counts[r] - 1) * sizeof *all);
            at += counts[r] - 1;
        }
        rt_reduce_blocks_f64(all, nspans, width, out);
    }
    free(ns);
    free(counts);
    free(all);
    free(spans);
    free(statuses);
    return s;
}

retain_status rt_dist_bcast(retain_status local, void *buf, size_t bytes, int root)
{
    retain_status s = rt_dist_agree(local);
    if (s || dist_size == 1)
        return s;
    int rc = TIMED(MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD));
    return rc == MPI_SUCCESS ? RETAIN_OK : mpi_failed("Bcast", rc);
}

/* Every rank's values in rank order: rank r has one per row of its range
** of n, or with per_block one per RT_BLOCK_ROWS block of it. */
static retain_status gather_ranges(retain_status local, const double *mine, int64_t n,
                                   bool per_block, double *all)
{
    int64_t total = per_block ? rt_block_count(n) : n;
    int *counts = collective_alloc(2 * (size_t)dist_size * sizeof *counts);
    if (total > 0x7fffffff && !local)
        local = rt_error(RETAIN_ERR_INTERNAL, "cannot gather %lld values from %d ranks: "
                         "more than 2^31 - 1", (long long)total, dist_size);
    retain_status s = rt_dist_agree(local);
    if (!s) {
        int *offsets = counts + dist_size;
        for (int r = 0; r < dist_size; r++) {
            int64_t first, count;
            rows_of(r, n, &first, &count);
            counts[r] = (int)(per_block ? rt_block_count(count) : count);
            offsets[r] = (int)(per_block ? first / RT_BLOCK_ROWS : first);
        }
        int rc = TIMED(MPI_Allgatherv(mine, counts[dist_rank], MPI_DOUBLE, all, counts, offsets,
                                MPI_DOUBLE, MPI_COMM_WORLD));
        if (rc != MPI_SUCCESS)
            s = mpi_failed("Allgatherv", rc);
    }
    free(counts);
    return s;
}

retain_status rt_dist_gather_rows_f64(retain_status local, const double *mine, int64_t n,
                                      double *all)
{
    if (dist_size == 1)
        return rt_dist_allgather_f64(local, mine, n, all);
    return gather_ranges(local, mine, n, false, all);
}

retain_status rt_dist_gather_blocks_f64(retain_status local, const double *mine, int64_t n,
                                        double *all)
{
    if (dist_size == 1)
        return rt_dist_allgather_f64(local, mine, rt_block_count(n), all);
    return gather_ranges(local, mine, n, true, all);
}

bool rt_dist_comm_seconds(double *mine, double *most)
{
    *mine = *most = comm_seconds;
    if (!started)
        return false;
    if (dist_size > 1) {
        double *all = collective_alloc((size_t)dist_size * sizeof *all);
        if (!rt_dist_allgather_f64(RETAIN_OK, mine, 1, all))
            for (int r = 0; r < dist_size; r++)
                *most = all[r] > *most ? all[r] : *most;
        free(all);
    }
    return true;
}

#endif
